// f(x_t) and |∇f(x_t)| per step, one curve per optimizer, each cut where its path leaves the view.
import { draw, layout, line } from "../../kit/plot.js";
import { cutAt } from "./logic.js";

/**
 * @param {HTMLElement} gdValues
 * @param {HTMLElement} gdNorms
 * @param {import("./contour.js").View} v
 */
export function drawCurves(gdValues, gdNorms, v) {
  /** @type {any[]} */
  const vals = [];
  /** @type {any[]} */
  const norms = [];
  for (const o of v.opt) {
    const r = v.runs[o];
    if (!r) continue;
    const n = cutAt(r, v.box);
    const steps = r.values.slice(0, n).map((_, i) => i);
    const color = v.colorOf(o);
    vals.push(
      line(o, steps, r.values.slice(0, n), { color, hover: `${o}<br>step %{x}<br>f = %{y:.6g}<extra></extra>` }),
    );
    norms.push({
      ...line(o, steps, r.grad_norms.slice(0, n), {
        color,
        hover: `${o}<br>step %{x}<br>|∇f| = %{y:.3e}<extra></extra>`,
      }),
      showlegend: false,
    });
    if (n < r.path.length) {
      const t = n - 1;
      vals.push({
        type: "scatter",
        mode: "markers",
        name: `${o} diverged`,
        x: [t],
        y: [r.values[t]],
        showlegend: false,
        marker: { symbol: "x", size: 10, color },
        hovertemplate: `${o} diverged: cut at step %{x}<extra></extra>`,
      });
    }
  }
  const positive = vals.every((t) => t.y.every((/** @type {number | null} */ y) => y === null || y > 0));
  const ytype = positive ? "log" : "linear";
  const compact = { margin: { l: 56, r: 10, t: 30, b: 36 } };
  return Promise.all([
    draw(
      gdValues,
      vals,
      layout(`f(x_t) per step${positive ? " (log)" : ""}`, "step t", "f(x_t)", {
        yaxis: { type: ytype, exponentformat: "power" },
        legend: { orientation: "v", x: 1, xanchor: "right", y: 1 },
        ...compact,
      }),
    ),
    draw(
      gdNorms,
      norms,
      layout("gradient norm |∇f(x_t)| (log)", "step t", "|∇f|", {
        yaxis: { type: "log", exponentformat: "power" },
        ...compact,
      }),
    ),
  ]);
}
