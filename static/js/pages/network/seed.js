// The seed gradient ∂L/∂y that leaves the loss and starts the backward pass (the API's `seed`
// part), with its formula.
import { QUIET, draw, matrixLayout } from "../../kit/plot.js";
import { windowedHeatmap } from "./tensors.js";
import { setTex } from "../../kit/tex.js";
import { shapeText } from "../../kit/format.js";

/** @typedef {import("./result.js").Result} Result */
/** @typedef {import("../../types/kit").Meta} Meta */

/**
 * Draw the seed gradient and its formula; rows [start, start + 64) of a taller batch.
 * @param {{gd: HTMLElement, formula: HTMLElement}} el
 * @param {Result} r
 * @param {string} loss
 * @param {Meta} m
 * @param {number} [start] the first row of the window
 */
export function showSeed(el, r, loss, m, start = 0) {
  const y = /** @type {(number | null)[][]} */ (r.forward[r.forward.length - 1]?.output ?? []);
  const g = /** @type {(number | null)[][]} */ (r.seed ?? []);
  const l = m.losses.find((x) => x.name === loss);
  void setTex(el.formula, l?.gradient ?? "");
  const name = loss === "softmax_cross_entropy" ? "∂L/∂z" : "∂L/∂y";
  const { trace: tr } = windowedHeatmap(
    g,
    { name, other: y, otherName: loss === "softmax_cross_entropy" ? "z" : "y" },
    start,
  );
  return draw(el.gd, [tr], matrixLayout(`seed ${name} ${shapeText(g)}`, "sample n", "unit j", g), QUIET);
}
