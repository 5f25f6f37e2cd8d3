// The derivative page's pure parts: each method's formula, the tangent and point as layout shapes,
// and the y range of a curve. No DOM: unit-tested under node.

/** Each method's formula (LaTeX) and its orders of error. */
export const FORMULAS = {
  central: ["f'(x_0) \\approx \\frac{f(x_0+h)-f(x_0-h)}{2h}", "truncation error O(h²), rounding error O(ε/h)"],
  forward: ["f'(x_0) \\approx \\frac{f(x_0+h)-f(x_0)}{h}", "truncation error O(h), rounding error O(ε/h)"],
  backward: ["f'(x_0) \\approx \\frac{f(x_0)-f(x_0-h)}{h}", "truncation error O(h), rounding error O(ε/h)"],
};

/**
 * A line through (x0, y0) with slope `slope`, drawn from xa to xb, as a layout shape.
 * @param {number} xa @param {number} xb @param {number} x0 @param {number} y0 @param {number} slope
 * @param {Record<string, unknown>} extra
 */
const through = (xa, xb, x0, y0, slope, extra) => ({
  type: "line",
  xref: "x",
  yref: "y",
  x0: xa,
  x1: xb,
  y0: y0 + slope * (xa - x0),
  y1: y0 + slope * (xb - x0),
  layer: "above",
  ...extra,
});

/**
 * The tangent and the point (x0, f(x0)) as layout shapes, not traces: moving a shape is a cheap
 * relayout, so the tangent follows the slider at once. With a guessed slope, the learner's line too.
 * @param {object} o
 * @param {[number, number]} o.span the plotted x range
 * @param {number} o.x0
 * @param {number} o.y0
 * @param {number} o.slope
 * @param {number | null} o.guess the learner's slope, or null
 * @param {boolean} o.hidden whether the tangent is hidden (before the reveal)
 * @param {{tangent: string, point: string}} o.colors
 */
export function tangentShapes({ span: [xa, xb], x0, y0, slope, guess, hidden, colors }) {
  return {
    shapes: [
      through(xa, xb, x0, y0, slope, {
        line: { color: colors.tangent, width: 2 },
        name: "tangent",
        visible: !hidden,
      }),
      {
        type: "circle",
        xref: "x",
        yref: "y",
        xsizemode: "pixel",
        ysizemode: "pixel",
        xanchor: x0,
        yanchor: y0,
        x0: -6,
        x1: 6,
        y0: -6,
        y1: 6,
        fillcolor: colors.point,
        line: { color: "#fff", width: 2 },
        layer: "above",
        name: "x0",
      },
      ...(guess === null
        ? []
        : [
            through(xa, xb, x0, y0, guess, {
              line: { color: colors.point, width: 2, dash: "dash" },
              name: "your slope",
            }),
          ]),
    ],
  };
}

/**
 * The y range that shows a curve's finite values with a margin of 8 %.
 * @param {(number | null)[]} y
 * @returns {[number, number]}
 */
export function yRange(y) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of y) if (v !== null && Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (!Number.isFinite(lo)) return [-1, 1];
  const pad = (hi - lo) * 0.08 || Math.max(1, Math.abs(hi)) * 0.1;
  return [lo - pad, hi + pad];
}
