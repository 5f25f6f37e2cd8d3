// The seed gradient ∂L/∂y that leaves the loss and starts the backward pass, with its formula.
import { QUIET, draw, matrixLayout } from "../../kit/plot.js";
import { windowedHeatmap } from "./tensors.js";
import { setTex } from "../../kit/tex.js";
import { shapeOf, shapeText } from "../../kit/format.js";

/** @typedef {import("../../types/kit").FullNetworkOut} Result */
/** @typedef {import("../../types/kit").Meta} Meta */

const TINY = 2.2250738585072014e-308; // the engine caps a probability's log here

/**
 * The targets as rows (class indices one-hot over `k` columns).
 * @param {number[] | number[][]} targets
 * @param {number} k
 * @returns {number[][]}
 */
export const targetRows = (targets, k) =>
  targets.map((c) => (Array.isArray(c) ? c : Array.from({ length: k }, (_, j) => (j === c ? 1 : 0))));

/**
 * ∂L/∂y for the network's output `y` (for the fused loss, ∂L/∂z of its logits).
 * @param {string} loss
 * @param {(number | null)[][]} y
 * @param {number[] | number[][]} targets
 * @returns {number[][]}
 */
export function seedGradient(loss, y, targets) {
  const n = y.length;
  const t = targetRows(targets, shapeOf(y)[1] || 1);
  return y.map((row, i) => {
    const v = row.map((e) => e ?? NaN);
    const ti = t[i] ?? [];
    if (loss === "mse") return v.map((e, j) => (e - (ti[j] ?? 0)) / n);
    if (loss === "softmax_cross_entropy") {
      const top = Math.max(...v);
      const ex = v.map((e) => Math.exp(e - top));
      const s = ex.reduce((a, b) => a + b, 0);
      return ex.map((e, j) => (e / s - (ti[j] ?? 0)) / n);
    }
    return v.map((e, j) => ((ti[j] ?? 0) === 0 ? 0 : -(ti[j] ?? 0) / (n * Math.max(e, TINY))));
  });
}

/**
 * Draw the seed gradient and its formula.
 * @param {{gd: HTMLElement, formula: HTMLElement}} el
 * @param {Result} r
 * @param {number[] | number[][]} targets
 * @param {string} loss
 * @param {Meta} m
 */
export function showSeed(el, r, targets, loss, m) {
  const y = /** @type {(number | null)[][]} */ (r.forward[r.forward.length - 1]?.output ?? []);
  const g = seedGradient(loss, y, targets);
  const l = m.losses.find((x) => x.name === loss);
  void setTex(el.formula, l?.gradient ?? "");
  const name = loss === "softmax_cross_entropy" ? "∂L/∂z" : "∂L/∂y";
  const { trace: tr } = windowedHeatmap(
    g,
    { name, other: y, otherName: loss === "softmax_cross_entropy" ? "z" : "y" },
    0,
  );
  return draw(el.gd, [tr], matrixLayout(`seed ${name} ${shapeText(g)}`, "sample n", "unit j", g), QUIET);
}
