// f(x_t) and |∇f(x_t)| per step, one curve per optimizer. On a log axis of f (every f > 0) each
// curve is cut where its path leaves the view; when some f ≤ 0 the axis is sign·log₁₀(1+|f|) and
// each curve runs to its last finite value, so a run falling without bound is seen falling.
import { draw, layout, line } from "../../kit/plot.js";
import { cutAt, needsSymlog, symlog, symlogTicks } from "./logic.js";

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
  const signed = needsSymlog(v.runs, v.opt);
  for (const o of v.opt) {
    const r = v.runs[o];
    if (!r) continue;
    const cut = cutAt(r, v.box);
    const nulls = r.values.findIndex((x) => x === null);
    const n = signed ? (nulls >= 0 ? nulls : r.values.length) : cut;
    const steps = r.values.slice(0, n).map((_, i) => i);
    const color = v.colorOf(o);
    const f = r.values.slice(0, n);
    vals.push(
      signed
        ? {
            ...line(o, steps, f.map(symlog), {
              color,
              hover: `${o}<br>step %{x}<br>f = %{customdata:.6g}<extra></extra>`,
            }),
            customdata: f,
          }
        : line(o, steps, f, { color, hover: `${o}<br>step %{x}<br>f = %{y:.6g}<extra></extra>` }),
    );
    norms.push({
      ...line(o, steps.slice(0, cut), r.grad_norms.slice(0, cut), {
        color,
        hover: `${o}<br>step %{x}<br>|∇f| = %{y:.3e}<extra></extra>`,
      }),
      showlegend: false,
    });
    if (n < r.path.length || r.stopped === "diverged") {
      const t = n - 1;
      vals.push({
        type: "scatter",
        mode: "markers",
        name: `${o} diverged`,
        x: [t],
        y: [signed ? symlog(r.values[t]) : r.values[t]],
        showlegend: false,
        marker: { symbol: "x", size: 10, color },
        hovertemplate: `${o} ${r.stopped === "diverged" ? "diverged" : "left the view"}: cut at step %{x}<extra></extra>`,
      });
    }
  }
  const ys = vals.flatMap((t) => t.y.filter((/** @type {number | null} */ y) => y !== null));
  const yaxis = signed
    ? { type: "linear", ...symlogTicks(Math.min(0, ...ys), Math.max(0, ...ys)), tickmode: "array" }
    : { type: "log", exponentformat: "power" };
  const compact = { margin: { l: 56, r: 10, t: 30, b: 36 } };
  return Promise.all([
    draw(
      gdValues,
      vals,
      layout(
        `f(x_t) per step${signed ? " (f goes below 0: sign·log scale)" : " (log)"}`,
        "step t",
        signed ? "sign·log₁₀(1+|f(x_t)|)" : "f(x_t)",
        {
          yaxis: /** @type {any} */ (yaxis),
          legend: { orientation: "v", x: 1, xanchor: "right", y: 1 },
          ...compact,
        },
      ),
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
