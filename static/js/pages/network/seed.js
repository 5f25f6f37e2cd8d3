// The seed gradient ∂L/∂y that leaves the loss and starts the backward pass (the API's `seed`
// part), with its formula.
import { expectsOf } from "../../kit/kinds.js";
import { QUIET, draw, matrixLayout } from "../../kit/plot.js";
import { rowWindow, windowedHeatmap } from "./tensors.js";
import { setTex } from "../../kit/tex.js";
import { shapeText } from "../../kit/format.js";

/** @typedef {import("./result.js").Result} Result */
/** @typedef {import("../../types/kit").Meta} Meta */

/**
 * Draw the seed gradient and its formula; rows [start, start + 64) of a taller batch, with the
 * selected cell (sample n, output column j) outlined when it is in the window.
 * @param {{gd: HTMLElement, formula: HTMLElement}} el
 * @param {Result} r
 * @param {string} loss
 * @param {Meta} m
 * @param {number} [start] the first row of the window
 * @param {{n: number, j: number} | null} [cell] the steps' selected cell
 */
export function showSeed(el, r, loss, m, start = 0, cell = null) {
  const y = /** @type {(number | null)[][]} */ (r.forward[r.forward.length - 1]?.output ?? []);
  const g = /** @type {(number | null)[][]} */ (r.seed ?? []);
  const l = m.losses.find((x) => x.name === loss);
  void setTex(el.formula, l?.gradient ?? "");
  const logits = expectsOf(m, loss) === "logits"; // the fused loss's seed is ∂L/∂z of the logits
  const name = logits ? "∂L/∂z" : "∂L/∂y";
  const { trace: tr } = windowedHeatmap(g, { name, other: y, otherName: logits ? "z" : "y" }, start);
  const lay = matrixLayout(`seed ${name} ${shapeText(g)}`, "sample n", "unit j", g);
  const [lo, hi] = rowWindow(g.length, start);
  const n = cell ? Math.min(cell.n, g.length - 1) : -1;
  const j = cell ? Math.min(cell.j, (g[0]?.length ?? 1) - 1) : -1;
  if (cell && n >= lo && n < hi) {
    const line = { color: "#1e293b", width: 2 };
    lay.shapes = [{ type: "rect", x0: j - 0.5, x1: j + 0.5, y0: n - 0.5, y1: n + 0.5, line }];
  }
  return draw(el.gd, [tr], lay, QUIET);
}
