// The activations page's pure parts: which points of a curve are away from its kinks, the worst
// gap between the analytic and numerical f′ there, and the |error| curve. No DOM: unit-tested.

/** @typedef {import("../../types/kit").Schemas["CurveOut"]} Curve */
/** @typedef {import("../../types/kit").Schemas["ActivationMeta"]} Activation */

/** @param {Activation} a */
export const takesAlpha = (a) => a.alpha !== null && a.alpha !== undefined;

/**
 * Indices of a curve's points farther than 2h from every point where the activation is not smooth.
 * @param {(number | null)[]} x
 * @param {number[]} nonsmooth
 * @param {number} h
 */
export const awayFromKinks = (x, nonsmooth, h) =>
  x.map((_, i) => i).filter((i) => nonsmooth.every((k) => Math.abs((x[i] ?? 0) - k) > 2 * h));

/**
 * The index of the largest |analytic − numerical f′| among `indices` (-1 if none is finite).
 * @param {Pick<Curve, "dy" | "dy_numeric">} r
 * @param {number[]} indices
 */
export function worstAt(r, indices) {
  let worst = -1;
  let gap = -1;
  for (const i of indices) {
    const a = r.dy[i];
    const b = r.dy_numeric[i];
    if (a !== null && b !== null && Math.abs(a - b) > gap) [worst, gap] = [i, Math.abs(a - b)];
  }
  return worst;
}

/**
 * |analytic − numerical f′| at every point; null where either is missing or they agree exactly
 * (a log axis cannot show 0).
 * @param {Pick<Curve, "dy" | "dy_numeric">} r
 */
export const errorCurve = (r) =>
  r.dy.map((v, i) => {
    const w = r.dy_numeric[i];
    return v === null || w === null ? null : Math.abs(v - w) || null;
  });
