// The plot of f with its tangent at x0: drawn from the server's curve, and moved at once as x0
// slides (from the curve's exact f′, without a request).
import { CURVE } from "../../kit/colors.js";
import { interp } from "../../kit/curves.js";
import { draw, isDrawn, layout, line, relayout } from "../../kit/plot.js";
import { tangentShapes, yRange } from "./logic.js";

/** @typedef {import("../../types/kit").Schemas["DerivativeOut"]} Derivative */
/** @typedef {import("../../panels/predict.js").SlopeAndStep} Predict */
/**
 * @typedef {object} FView what the plot shows
 * @property {string} expr
 * @property {number} x0
 * @property {number} xmin
 * @property {number} xmax
 * @property {boolean} predict whether the learner predicts first
 */

export class FPlot {
  /** @param {HTMLDivElement} gd @param {Predict} pred @param {() => FView} view */
  constructor(gd, pred, view) {
    this.gd = gd;
    this.pred = pred;
    this.view = view;
    /** @type {Derivative["curve"] | null} the last curve drawn */
    this.curve = null;
  }

  /** The layout shapes of the tangent at x0 through (x0, y0) with `slope`. */
  shapes(/** @type {number} */ x0, /** @type {number} */ y0, /** @type {number} */ slope) {
    const v = this.view();
    const c = this.curve;
    return tangentShapes({
      span: [c?.x[0] ?? v.xmin, c?.x[c.x.length - 1] ?? v.xmax],
      x0,
      y0,
      slope,
      guess: v.predict ? this.pred.slope : null,
      hidden: this.pred.hidesSlope(),
      colors: { tangent: CURVE.dfNumeric, point: CURVE.point },
    });
  }

  /** Redraw the shapes only (the learner's guess turned). */
  reshape(/** @type {Derivative} */ d) {
    if (isDrawn(this.gd)) relayout(this.gd, /** @type {any} */ (this.shapes(this.view().x0, d.value, d.tangent.slope)));
  }

  /**
   * Move the tangent to x0 from the curve alone (no request): f(x0) + f′(x0)(x − x0).
   * @returns {{y0: number, slope: number} | null} the point and slope, or null if not drawn
   */
  moveTo(/** @type {number} */ x0) {
    const c = this.curve;
    if (!c || !isDrawn(this.gd)) return null;
    const y0 = interp(c.x, c.y, x0);
    const slope = interp(c.x, c.dy, x0);
    if (y0 === null || slope === null) return null;
    relayout(this.gd, /** @type {any} */ (this.shapes(x0, y0, slope)));
    return { y0, slope };
  }

  /** @param {Derivative} d */
  draw(d) {
    const v = this.view();
    const c = (this.curve = d.curve);
    const [lo, hi] = yRange(c.y);
    const hides = this.pred.hidesSlope();
    const traces = [
      line("f(x)", c.x, c.y, { color: CURVE.f, width: 2.5, hover: "x = %{x:.4g}<br>f(x) = %{y:.6g}<extra></extra>" }),
      {
        ...line("exact f′(x)", c.x, c.dy, {
          color: CURVE.dfExact,
          width: 1.5,
          dash: "dash",
          hover: "f′(x) = %{y:.6g}<extra></extra>",
        }),
        visible: hides ? false : (/** @type {any} */ (this.gd).data?.[1]?.visible ?? "legendonly"),
      },
      // legend entry only; the line itself is the first layout shape
      line("tangent at x₀ (numerical slope)", [null], [null], { color: CURVE.dfNumeric }),
    ];
    const lay = layout(`f(x) = ${v.expr} and its tangent at x₀`, "x", "f(x)", {
      yaxis: { range: [lo, hi] },
      xaxis: { range: [c.x[0], c.x[c.x.length - 1]] },
      uirevision: `${v.expr}|${v.xmin}|${v.xmax}`,
      dragmode: hides ? false : "zoom", // before the reveal a drag turns the guess
      .../** @type {any} */ (this.shapes(v.x0, d.value, d.tangent.slope)),
    });
    return draw(this.gd, /** @type {any} */ (traces), lay);
  }
}
