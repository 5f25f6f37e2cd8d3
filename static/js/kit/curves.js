// Reading curves sampled on an evenly spaced grid: interpolation, and kinks (where f' jumps).

/** @typedef {(number | null)[]} Column */

/**
 * The index nearest to `x` on the evenly spaced grid `xs`.
 * @param {Column} xs
 * @param {number} x
 */
export function nearest(xs, x) {
  const n = xs.length;
  const step = ((xs[n - 1] ?? 0) - (xs[0] ?? 0)) / (n - 1);
  return Math.max(0, Math.min(n - 1, Math.round((x - (xs[0] ?? 0)) / step)));
}

/**
 * Linear interpolation of ys at x on the evenly spaced grid xs (a null neighbour gives null).
 * @param {Column} xs
 * @param {Column} ys
 * @param {number} x
 */
export function interp(xs, ys, x) {
  const n = xs.length;
  const x0 = xs[0] ?? 0;
  const step = ((xs[n - 1] ?? 0) - x0) / (n - 1);
  const i = Math.min(n - 2, Math.max(0, Math.floor((x - x0) / step)));
  const a = ys[i];
  const b = ys[i + 1];
  if (a === null || b === null || a === undefined || b === undefined) return null;
  const t = Math.min(1, Math.max(0, (x - (x0 + i * step)) / step));
  return a + t * (b - a);
}

/**
 * Whether f' jumps at x (a kink, such as |x| at 0), read from the exact f' sampled on the grid:
 * across a kink the jump between the neighbours of x stays as large when they are three times
 * farther apart, while across smooth ground it grows with the distance.
 * @param {Column} xs
 * @param {Column} dy the exact f' on xs
 * @param {number} x
 * @returns {{left: number, right: number} | null} the one-sided slopes, or null if smooth
 */
export function kinkAt(xs, dy, x) {
  const n = xs.length;
  const step = ((xs[n - 1] ?? 0) - (xs[0] ?? 0)) / (n - 1);
  const at = (x - (xs[0] ?? 0)) / step;
  const onGrid = Math.abs(at - Math.round(at)) < 1e-6;
  const i = onGrid ? Math.round(at) - 1 : Math.floor(at); // the neighbour left of x
  const j = onGrid ? Math.round(at) + 1 : Math.ceil(at); // and right of it
  if (i - 2 < 0 || j + 2 >= n) return null;
  const [l1, r1, l3, r3] = [dy[i], dy[j], dy[i - 2], dy[j + 2]];
  if (l1 === null || r1 === null || l3 === null || r3 === null) return null;
  if ([l1, r1, l3, r3].some((v) => v === undefined)) return null;
  const inner = Math.abs(r1 - l1);
  const outer = Math.abs(r3 - l3);
  const kink = inner > 1e-3 * (1 + Math.abs(l1) + Math.abs(r1)) && inner >= 0.6 * outer && inner <= 1.5 * outer;
  return kink ? { left: l1, right: r1 } : null;
}
