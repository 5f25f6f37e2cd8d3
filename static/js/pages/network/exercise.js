// The "write the backward" exercise's pure parts: which gradients a run offers, how a target
// is named in the URL, the wrong cells as a grid, and the verdict's headline. The verdict itself
// is decided by the engine (POST /api/v1/exercises/backward); nothing here judges an answer.
import { bool, str } from "../../kit/state.js";

/** @typedef {import("../../types/kit").Schemas["BackwardExerciseOut"]} Judged */
/** @typedef {{index: number, tensor: string, label: string}} Target */

/** The exercise's URL keys, spread into the Network page's state. */
export const EXERCISE_STATE = {
  bw: str(""), // the target "index:tensor" ("2:W", "4:seed"); empty: the exercise is closed
  bwa: str(""), // the answer typed
  bwfix: bool(false), // a teacher's link: the target cannot be changed
  bwshow: bool(true), // "show me" may reveal the reference answer
};

/**
 * Every gradient a learner may write for a run: each layer's input gradient and parameter
 * gradients, in the order the backward pass computes them (the loss's seed first).
 * @param {{index: number, type: string, grads?: Record<string, unknown> | null}[]} backward
 * @param {string} loss
 * @returns {Target[]}
 */
export function targetsOf(backward, loss) {
  /** @type {Target[]} */
  const out = [{ index: backward.length, tensor: "seed", label: `loss (${loss}): dL/dy, the seed` }];
  for (const b of [...backward].reverse()) {
    for (const name of Object.keys(b.grads ?? {}))
      out.push({ index: b.index, tensor: name, label: `layer ${b.index} (${b.type}): d${name}` });
    out.push({ index: b.index, tensor: "x", label: `layer ${b.index} (${b.type}): dx` });
  }
  return out;
}

/** @param {{index: number, tensor: string}} t */
export const targetKey = (t) => `${t.index}:${t.tensor}`;

/**
 * The target a URL names among `targets`, or the first (the seed) when it names none.
 * @param {string} key
 * @param {Target[]} targets
 */
export const pickTarget = (key, targets) => targets.find((t) => targetKey(t) === key) ?? targets[0];

/**
 * The wrong cells as a grid of 1 (wrong) and 0 (right), a vector as one row.
 * @param {boolean[][] | boolean[]} wrong
 * @returns {number[][]}
 */
export function cellGrid(wrong) {
  const rows = wrong.length && Array.isArray(wrong[0]) ? /** @type {boolean[][]} */ (wrong) : [wrong];
  return rows.map((r) => /** @type {boolean[]} */ (r).map((w) => (w ? 1 : 0)));
}

/**
 * Three significant digits, without trailing zeros: 0.25, 1.1e-16.
 * @param {number | null} v
 */
const short = (v) => (v === null ? "—" : String(Number(v.toPrecision(3))));

/** @param {number[]} shape */
const shapeWords = (shape) => (shape.length ? shape.join("×") : "a scalar");

/**
 * The verdict in a few words with its numbers; the engine's hint follows it.
 * @param {Judged} r
 */
export function headline(r) {
  if (r.verdict === "exact") return "Exact: every entry matches bit for bit.";
  if (r.verdict === "close") return `Close: right up to rounding (max |difference| ${short(r.max_abs_diff)}).`;
  if (r.verdict === "shape")
    return `Wrong shape: yours is ${shapeWords(r.shape)}, the gradient is ${shapeWords(r.expected_shape)}.`;
  const grid = r.wrong_cells ? cellGrid(r.wrong_cells).flat() : [];
  const wrong = grid.filter((w) => w === 1).length;
  const diff = r.max_abs_diff === null ? "not finite" : `max |difference| ${short(r.max_abs_diff)}`;
  return `Wrong: ${wrong} of ${grid.length} entries (${diff}).`;
}

/**
 * The names an answer may use with their shapes, "x 2×2, W 2×4, dy 2×4, N (scalar)".
 * @param {Record<string, number[]>} names
 */
export const namesText = (names) =>
  Object.entries(names)
    .map(([k, s]) => `${k} ${s.length ? s.join("×") : "(scalar)"}`)
    .join(", ");
