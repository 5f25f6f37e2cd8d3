// Step mode: the forward pass one layer at a time, then the loss and its seed gradient, then the
// backward pass one layer at a time, each step written out with cell [0, 0]'s numbers.
import { num } from "../../kit/format.js";
import { seedGradient } from "./seed.js";

/** @typedef {import("../../types/kit").FullNetworkOut} Result */
/** @typedef {import("./graph.js").Selection} Selection */
/**
 * @typedef {{sel: Selection, phase: "forward" | "loss" | "backward", text: string,
 *   sum: number, api: number}} Step
 */

/** @param {unknown} v */
const at = (v) => (typeof v === "number" ? v : NaN);

/**
 * Every step of one run: n forward, the loss, n backward.
 * @param {Result} r
 * @param {{x: number[][], targets: number[] | number[][]}} data
 * @param {string} loss
 * @returns {Step[]}
 */
export function stepsOf(r, data, loss) {
  const n = r.forward.length;
  const inputOf = (/** @type {number} */ i) =>
    /** @type {(number | null)[][]} */ (i === 0 ? data.x : r.forward[i - 1].output);
  const y = /** @type {(number | null)[][]} */ (r.forward[n - 1].output);
  const seed = seedGradient(loss, y, data.targets);
  const dyOf = (/** @type {number} */ i) =>
    /** @type {(number | null)[][]} */ (i + 1 < n ? r.backward[i + 1].grad_input : seed);
  /** @type {Step[]} */
  const steps = [];
  for (let i = 0; i < n; i++) {
    const f = r.forward[i];
    const x = inputOf(i);
    const out = at(/** @type {(number | null)[][]} */ (f.output)[0]?.[0]);
    const p = r.params.find((q) => q.index === i);
    if (f.type === "affine" && p) {
      const W = /** @type {number[][]} */ (p.W);
      const terms = (x[0] ?? []).map((v, k) => at(v) * at(W[k]?.[0]));
      const sum = terms.reduce((a, b) => a + b, 0) + at(p.b[0]);
      const written = (x[0] ?? []).map((v, k) => `${num(v, 5)}·${num(W[k]?.[0], 5)}`).join(" + ");
      steps.push({
        sel: { kind: "layer", index: i },
        phase: "forward",
        text: `forward, layer ${i} (affine): y[0,0] = Σ_k x[0,k] W[k,0] + b[0] = ${written} + ${num(p.b[0], 5)} = ${num(sum, 8)}`,
        sum,
        api: out,
      });
    } else {
      steps.push({
        sel: { kind: "layer", index: i },
        phase: "forward",
        text: `forward, layer ${i} (${f.type}): y[0,0] = ${f.type}(x[0, ·])[0] with x[0,0] = ${num(x[0]?.[0], 8)}: y[0,0] = ${num(out, 8)}`,
        sum: out,
        api: out,
      });
    }
  }
  steps.push({
    sel: { kind: "loss" },
    phase: "loss",
    text: `loss: L = ${num(r.loss, 10)}; the seed leaving it, ∂L/∂y[0,0] = ${num(seed[0]?.[0], 8)}`,
    sum: at(seed[0]?.[0]),
    api: at(seed[0]?.[0]),
  });
  for (let i = n - 1; i >= 0; i--) {
    const f = r.forward[i];
    const b = r.backward[i];
    const dy = dyOf(i);
    const dx = at(/** @type {(number | null)[][]} */ (b.grad_input)[0]?.[0]);
    const p = r.params.find((q) => q.index === i);
    if (f.type === "affine" && p) {
      const W = /** @type {number[][]} */ (p.W);
      const row = dy[0] ?? [];
      const sum = row.reduce((/** @type {number} */ a, v, k) => a + at(v) * at(W[0]?.[k]), 0);
      const written = row.map((v, k) => `${num(v, 5)}·${num(W[0]?.[k], 5)}`).join(" + ");
      const x = inputOf(i);
      const dW = x.reduce((a, r0, k) => a + at(r0[0]) * at(dy[k]?.[0]), 0);
      const db = dy.reduce((a, r0) => a + at(r0[0]), 0);
      steps.push({
        sel: { kind: "layer", index: i },
        phase: "backward",
        text:
          `backward, layer ${i} (affine): dx[0,0] = Σ_k dy[0,k] W[0,k] = ${written} = ${num(sum, 8)};  ` +
          `dW[0,0] = Σ_n x[n,0] dy[n,0] = ${num(dW, 8)};  db[0] = Σ_n dy[n,0] = ${num(db, 8)}`,
        sum,
        api: dx,
      });
    } else {
      steps.push({
        sel: { kind: "layer", index: i },
        phase: "backward",
        text: `backward, layer ${i} (${f.type}): dx[0,0] from dy[0,0] = ${num(dy[0]?.[0], 8)} and y[0,0] = ${num(
          /** @type {(number | null)[][]} */ (f.output)[0]?.[0],
          8,
        )}: dx[0,0] = ${num(dx, 8)}`,
        sum: dx,
        api: dx,
      });
    }
  }
  return steps;
}
