// The four plots: f, the analytic and numerical f′, the backward pass upstream · f′, and the
// |error| with the kinks marked. With several activations the chips are the legend.
import { CURVE, paletteColor } from "../../kit/colors.js";
import { kinkAt, nearest } from "../../kit/curves.js";
import { byId } from "../../kit/dom.js";
import { num, sci } from "../../kit/format.js";
import { draw, layout, line } from "../../kit/plot.js";
import { errorCurve } from "./logic.js";

/** The plots' element ids. */
export const PLOTS = ["plot-f", "plot-df", "plot-back", "plot-err"];

/**
 * @param {import("./view.js").View} v
 * @param {boolean} [backOnly] redraw the backward pass only (the upstream slider moved)
 */
export function drawAll(v, backOnly = false) {
  const names = v.act.filter((n) => v.curves[n]);
  // With several activations the chips are the legend: per-plot legends would squash the plots.
  const several = names.length > 1;
  /** @type {Record<string, any[]>} */
  const t = { f: [], df: [], back: [], err: [] };
  for (const n of names) {
    const r = v.curves[n];
    const i = v.index(n);
    const c =
      v.act.length === 1
        ? { f: CURVE.f, df: CURVE.dfExact, num: CURVE.dfNumeric, back: CURVE.backward, err: CURVE.dfNumeric }
        : {
            f: paletteColor(i),
            df: paletteColor(i),
            num: CURVE.dfNumeric,
            back: paletteColor(i),
            err: paletteColor(i),
          };
    const nm = v.label(n);
    const hover = (/** @type {string} */ what) => `${nm}<br>x = %{x:.4g}<br>${what} = %{y:.6g}<extra></extra>`;
    const e = errorCurve(r);
    t.f.push(line(`${nm}: f`, r.x, r.y, { color: c.f, width: 2.5, hover: hover("f") }));
    t.df.push(line(`${nm}: analytic f′`, r.x, r.dy, { color: c.df, width: 2.5, hover: hover("f′") }));
    t.df.push(
      line(`${nm}: numerical f′`, r.x, r.dy_numeric, { color: c.num, dash: "dot", hover: hover("numerical f′") }),
    );
    t.back.push(
      line(`${nm}: ${num(v.up, 4)}·f′`, r.x, r.backward, { color: c.back, width: 2.5, hover: hover("∂L/∂x") }),
    );
    t.err.push(line(nm, r.x, e, { color: c.err, width: 1.5, hover: hover("|f′ − numerical|") }));
    const kinks = (v.byName(n)?.nonsmooth ?? []).filter((k) => k >= v.xmin && k <= v.xmax && kinkAt(r.x, r.dy, k));
    if (kinks.length) {
      t.err.push({
        type: "scatter",
        mode: "markers",
        name: `${nm}: kink (f′ undefined)`,
        x: kinks,
        y: kinks.map((k) => e[nearest(r.x, k)] ?? null),
        marker: { color: c.err, size: 10, symbol: "x" },
        hovertemplate: `${nm}: kink at x = %{x:.4g}, f′ undefined<extra></extra>`,
      });
    }
  }
  if (several) {
    for (const [name, dash] of [
      ["analytic f′ (solid)", "solid"],
      ["numerical f′ (dotted)", "dot"],
    ]) {
      t.df.push({ ...line(name, [null], [null], { color: "#64748b", dash }), showlegend: true });
    }
  }
  const legend = (/** @type {any[]} */ traces) => traces.map((tr) => ({ showlegend: !several, ...tr }));
  const el = (/** @type {string} */ id) => byId(id, HTMLElement);
  const back = layout(`Backward pass: ∂L/∂x = ${num(v.up, 4)} · f′(x)`, "x", "∂L/∂x");
  if (backOnly) return draw(el("plot-back"), legend(t.back), back);
  const worst = Math.max(0, ...names.map((n) => v.curves[n].max_abs_error ?? 0));
  return Promise.all([
    draw(el("plot-f"), legend(t.f), layout("f(x): the activation", "x", "f(x)")),
    draw(
      el("plot-df"),
      legend(t.df),
      layout(`f′(x): analytic and numerical (max error ${sci(worst, 1)})`, "x", "f′(x)"),
    ),
    draw(el("plot-back"), legend(t.back), back),
    draw(
      el("plot-err"),
      legend(t.err),
      layout(`|analytic − numerical f′| with h = ${sci(v.h, 0)}`, "x", "absolute error (log)", {
        yaxis: { type: "log", exponentformat: "power" },
      }),
    ),
  ]);
}
