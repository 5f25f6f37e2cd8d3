// The "your turn" controls beside the form: the mode, what is hidden, the size and operations of
// a new circuit, and the buttons "new numbers", "new circuit" and "show me". It changes the page
// state and tells the page; the page redraws and fetches.
import { post } from "../../kit/api.js";
import { byId, h } from "../../kit/dom.js";
import { bool, num, words } from "../../kit/state.js";
import { CIRCUIT_OPS } from "./turnlogic.js";

/** @typedef {import("./index.js").GraphState} GraphState */
/** @typedef {{expr: string, values: Record<string, number>, seed: number}} Drawn a new program */
/**
 * @typedef {{
 *   state: GraphState,
 *   save: () => void,
 *   restart: () => void,
 *   take: (r: Drawn) => void,
 *   showMe: () => void,
 *   run: (req: (signal: AbortSignal) => Promise<Drawn>, ok: (r: Drawn) => void) => unknown,
 * }} TurnControlsOpts save: write the URL; restart: the mode or what is asked changed;
 *   take: a new program came; run: the page's request cycle
 */

/**
 * The mode's part of the page state (spread into the page's UrlState): the mode, what is hidden,
 * the seed of the last new circuit or new numbers, the size and operations of the next one.
 */
export const TURN_STATE = {
  turn: bool(false),
  tvalues: bool(false), // ask the forward values too
  tlocals: bool(false), // ask each edge's local derivative too
  seed: num(-1, { min: -1, max: Number.MAX_SAFE_INTEGER, integer: true }),
  rnodes: num(5, { min: 1, max: 15, integer: true }),
  rops: words(["add", "sub", "mul"], CIRCUIT_OPS),
};

const seed = () => Math.floor(Math.random() * 2 ** 31);

export class TurnControls {
  /** @param {TurnControlsOpts} opts */
  constructor({ state, save, restart, take, showMe, run }) {
    this.state = state;
    this.on = byId("yt-on", HTMLInputElement);
    this.hideValues = byId("yt-hide-values", HTMLInputElement);
    this.askLocals = byId("yt-locals", HTMLInputElement);
    this.nodes = byId("yt-nodes", HTMLInputElement);
    const ops = CIRCUIT_OPS.map((op) =>
      h("input", { type: "checkbox", id: `yt-op-${op}`, value: op, checked: state.rops.includes(op) }),
    );
    byId("yt-ops", HTMLElement).replaceChildren(
      ...CIRCUIT_OPS.map((op, i) => h("label", { class: "chip" }, ops[i], op)),
    );
    this.sync();
    /** @type {[HTMLInputElement, "turn" | "tvalues" | "tlocals"][]} */
    const flags = [
      [this.on, "turn"],
      [this.hideValues, "tvalues"],
      [this.askLocals, "tlocals"],
    ];
    for (const [box, key] of flags) {
      box.addEventListener("change", () => {
        state[key] = box.checked;
        this.sync();
        save();
        restart();
      });
    }
    this.nodes.addEventListener("change", () => {
      const n = Math.round(Number(this.nodes.value));
      if (n >= 1 && n <= 15) state.rnodes = n;
      this.nodes.value = String(state.rnodes);
      save();
    });
    for (const c of ops) {
      c.addEventListener("change", () => {
        const chosen = ops.filter((o) => o.checked).map((o) => o.value);
        if (chosen.length) state.rops = chosen;
        else c.checked = true; // at least one operation
        save();
      });
    }
    byId("yt-new-numbers", HTMLButtonElement).addEventListener("click", () =>
      run((signal) => post("/api/v1/graph/random", { seed: seed(), expr: state.expr }, signal), take),
    );
    byId("yt-new-circuit", HTMLButtonElement).addEventListener("click", () =>
      run(
        (signal) =>
          post(
            "/api/v1/graph/random",
            { seed: seed(), nodes: state.rnodes, ops: /** @type {any} */ (state.rops) },
            signal,
          ),
        (r) => {
          state.turn = true;
          this.sync();
          take(r);
        },
      ),
    );
    byId("yt-show", HTMLButtonElement).addEventListener("click", () => showMe());
  }

  /** The boxes show the state. */
  sync() {
    this.on.checked = this.state.turn;
    this.hideValues.checked = this.state.tvalues;
    this.askLocals.checked = this.state.tlocals;
    this.nodes.value = String(this.state.rnodes);
  }
}
