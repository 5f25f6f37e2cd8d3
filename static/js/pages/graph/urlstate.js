// The graph page's view state, all of it in the URL's query (kit/state.js): the program, its
// values, the step and the node in the inspector, the speed, the zoom, and the "your turn" mode.
import { UrlState, bool, num, str, words } from "../../kit/state.js";
import { PRESETS } from "./presets.js";
import { CIRCUIT_OPS } from "./turnlogic.js";
import { valuesProp } from "./vars.js";

/** The play speeds offered, in steps per second. */
export const SPEEDS = [0.5, 1, 2, 4, 8];

export const STATE = new UrlState({
  expr: str(PRESETS[0].expr),
  values: { ...valuesProp, fallback: () => ({ ...PRESETS[0].values }) },
  expand: bool(false),
  step: num(-1, { min: -1, integer: true }), // -1: the end (both passes done)
  node: num(-1, { min: -1, integer: true }), // the node in the inspector; -1 none
  speed: num(2, { min: SPEEDS[0], max: SPEEDS[SPEEDS.length - 1] }),
  // "Your turn" (yourturn.js): the mode, what is hidden, the seed of the last new circuit or
  // new numbers, and the size and operations of the next new circuit.
  turn: bool(false),
  tvalues: bool(false), // ask the forward values too
  tlocals: bool(false), // ask each edge's local derivative too
  seed: num(-1, { min: -1, max: Number.MAX_SAFE_INTEGER, integer: true }),
  rnodes: num(5, { min: 1, max: 15, integer: true }),
  rops: words(["add", "sub", "mul"], CIRCUIT_OPS),
});

/** @typedef {ReturnType<typeof STATE.read>} GraphState the page state, as read */
