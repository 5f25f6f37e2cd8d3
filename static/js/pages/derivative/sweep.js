// The error against the step size h: both methods' curves, the learner's h, the best h of each
// (hidden, with a prompt, while the learner predicts it).
import { CURVE, METHOD } from "../../kit/colors.js";
import { num, sci } from "../../kit/format.js";
import { draw, layout } from "../../kit/plot.js";

/**
 * @param {HTMLElement} gd
 * @param {{d: import("./fplot.js").Derivative, s: import("../../types/kit").Schemas["StepSweepOut"], flat: boolean}} r
 * @param {{x0: number, h: number, method: string, guess: number | null, hidden: boolean}} v
 *   `guess`: the learner's best h, or null; `hidden`: before the reveal of the best h
 */
export function drawSweep(gd, { d, s, flat }, { x0, h, method, guess, hidden }) {
  const curve = (/** @type {"central" | "forward"} */ k) => ({
    type: "scatter",
    mode: "lines+markers",
    name: `${k} error`,
    x: s.h,
    y: s[`${k}_error`],
    line: { color: METHOD[k], width: 2 },
    marker: { size: 4 },
    hovertemplate: `h = %{x:.1e}<br>${k} error = %{y:.2e}<extra></extra>`,
  });
  /** @type {any[]} */
  const traces = [curve("central"), curve("forward")];
  if (d.error > 0 && !hidden) {
    traces.push({
      type: "scatter",
      mode: "markers",
      name: `your h (${method})`,
      x: [h],
      y: [d.error],
      marker: { color: CURVE.point, size: 12, symbol: "diamond", line: { color: "#fff", width: 1.5 } },
      hovertemplate: "h = %{x:.1e}<br>error = %{y:.2e}<extra></extra>",
    });
  }
  // Each best h is a marker on its own curve, named in the legend: labels in the plot would
  // sit on each other (and on the title) whenever the two minima are close.
  for (const k of /** @type {const} */ (["central", "forward"])) {
    const bh = s.best_h[k];
    const e = bh ? s[`${k}_error`][s.h.indexOf(bh)] : null;
    if (bh && e && !hidden) {
      traces.push({
        type: "scatter",
        mode: "markers",
        name: `best ${k} h = ${sci(bh, 0)}`,
        x: [bh],
        y: [e],
        marker: { color: METHOD[k], size: 13, symbol: "star", line: { color: "#fff", width: 1 } },
        hovertemplate: `best ${k} h = %{x:.1e}<br>error = %{y:.2e}<extra></extra>`,
      });
    }
  }
  /** @type {any[]} */
  const annotations = [];
  const note = (/** @type {number} */ y, /** @type {string} */ color, /** @type {string} */ text) =>
    annotations.push({ xref: "paper", yref: "paper", x: 0.5, y, showarrow: false, font: { size: 12, color }, text });
  if (flat)
    note(0.5, "#7a4700", "Every error is exactly 0:<br>nothing to draw on a log axis (see the note at the left)");
  /** @type {(x: number, extra: Record<string, unknown>) => any} a vertical line at x */
  const vline = (x, extra) => ({
    type: "line",
    xref: "x",
    yref: "paper",
    x0: x,
    x1: x,
    y0: 0,
    y1: 1,
    ...extra,
  });
  const guessLine =
    guess === null
      ? []
      : [vline(guess, { line: { color: CURVE.dfNumeric, width: 2, dash: "dash" }, name: "your best h" })];
  if (hidden) {
    for (const t of traces) t.visible = false;
    note(0.92, "#0f2536", "Predict: click where you expect the smallest error");
  }
  const lay = layout(`Error against step size at x₀ = ${num(x0, 5)}`, "step h (log)", "|numerical − exact| (log)", {
    xaxis: { type: "log", exponentformat: "power", ...(hidden ? { range: [-16.2, -0.8] } : {}) },
    yaxis: { type: "log", exponentformat: "power", ...(hidden ? { range: [-17, 1] } : {}) },
    shapes: [vline(h, { line: { color: CURVE.point, width: 1, dash: "dot" }, visible: !hidden }), ...guessLine],
    annotations,
    uirevision: hidden ? "sweep-hidden" : "sweep",
  });
  return draw(gd, traces, lay);
}
