// Numbers and shapes for people.

/**
 * Scientific notation, for errors: 3.2e-4.
 * @param {number | null | undefined} v
 * @param {number} [digits]
 */
export function sci(v, digits = 2) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  if (v === 0) return "0";
  return v.toExponential(digits).replace("e+", "e");
}

/**
 * Compact: plain for ordinary magnitudes, scientific for tiny or huge ones.
 * @param {number | null | undefined} v
 * @param {number} [digits] significant digits
 */
export function num(v, digits = 10) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e8)) return v.toExponential(digits - 1).replace("e+", "e");
  return String(Number(v.toPrecision(digits)));
}

/**
 * A number as LaTeX: 1e-7 -> {1 \times 10^{-7}}, negatives in parentheses.
 * @param {number} v
 */
export function texNumber(v) {
  const [m, e] = String(v).split("e");
  const t = e === undefined ? m : `${m} \\times 10^{${Number(e)}}`;
  return v < 0 ? `(${t})` : `{${t}}`;
}

/** @typedef {(number | null)[] | (number | null)[][]} Tensor */

/**
 * A vector as one row, a matrix as it is.
 * @param {Tensor | number} m
 * @returns {(number | null)[][]}
 */
export function as2d(m) {
  if (!Array.isArray(m)) return [[m]];
  return m.length && Array.isArray(m[0])
    ? /** @type {(number | null)[][]} */ (m)
    : [/** @type {(number | null)[]} */ (m)];
}

/** @param {Tensor} m */
export const shapeOf = (m) =>
  m.length && Array.isArray(m[0]) ? [m.length, /** @type {unknown[]} */ (m[0]).length] : [m.length];

/** @param {Tensor} m "(4 × 3)" */
export const shapeText = (m) => `(${shapeOf(m).join(" × ")})`;

/**
 * Largest |v| of a nested array, ignoring nulls; 0 if none.
 * @param {unknown} a
 */
export function absMax(a) {
  let m = 0;
  /** @param {unknown} v */
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "number" && Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  };
  walk(a);
  return m;
}

/**
 * Smallest and largest finite value of a nested array ([Infinity, -Infinity] if none).
 * @param {unknown} a
 * @returns {[number, number]}
 */
export function extent(a) {
  let lo = Infinity;
  let hi = -Infinity;
  /** @param {unknown} v */
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "number" && Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  };
  walk(a);
  return [lo, hi];
}
