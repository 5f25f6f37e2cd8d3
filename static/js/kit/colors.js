// One palette for the whole app: the diverging scale for values and gradients, fixed colours per
// curve and per optimizer, so the same thing has the same colour on every page.

/** @typedef {[number, string][]} ColorScale */

// TensorFlow Playground's orange (negative) / near-white (0) / blue (positive), centred at 0.
const NEG = /** @type {const} */ (["#b35806", "#f59322"]);
const ZERO = "#f0f1f2";
const POS = /** @type {const} */ (["#3b93cf", "#064f80"]);
/** @type {ColorScale} */
export const DIVERGING = [
  [0, NEG[0]],
  [0.2, NEG[1]],
  [0.5, ZERO],
  [0.8, POS[0]],
  [1, POS[1]],
];

/**
 * The diverging scale over [lo, hi] with 0 at its white: symmetric about 0 when the values have
 * both signs, only the blue half when they are all >= 0 (the orange half when all <= 0), so a
 * function that is never negative does not waste half the colour bar.
 * @param {number} lo
 * @param {number} hi
 * @returns {{colorscale: ColorScale, zmin: number, zmax: number}}
 */
export function diverging(lo, hi) {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return { colorscale: DIVERGING, zmin: -1, zmax: 1 };
  if (lo >= 0)
    return {
      colorscale: [
        [0, ZERO],
        [0.6, POS[0]],
        [1, POS[1]],
      ],
      zmin: 0,
      zmax: hi > 0 ? hi : 1,
    };
  if (hi <= 0)
    return {
      colorscale: [
        [0, NEG[0]],
        [0.4, NEG[1]],
        [1, ZERO],
      ],
      zmin: lo,
      zmax: 0,
    };
  const m = Math.max(-lo, hi);
  return { colorscale: DIVERGING, zmin: -m, zmax: m };
}

/** Per kind of curve, on every page. */
export const CURVE = {
  f: "#1e293b", // the function itself
  dfExact: "#0b7a75", // analytic / exact derivative
  dfNumeric: "#d81b60", // numerical (finite-difference) derivative
  backward: "#7c3aed", // upstream * f'
  point: "#e4572e", // the point (x0, f(x0)), a start, a chosen h
};

/** Error curves per finite-difference method: none shares a colour with a CURVE. */
export const METHOD = { central: "#2d2a9e", forward: "#b45309", backward: "#0e7490" };

/**
 * Colours by index, for any list of kinds (the optimizers, the activations, the layers of a
 * chart): a kind takes its index in /meta's list, so a new kind gets a colour with no edit here.
 */
export const PALETTE = /** @type {const} */ ([
  "#e4572e",
  "#2d2a9e",
  "#0b7a75",
  "#8a6d00",
  "#7c3aed",
  "#d81b60",
  "#1e293b",
  "#64748b",
  "#2a9d8f",
  "#9c6644",
  "#6d597a",
  "#264653",
]);

/** @param {number} i an index in a list of kinds */
export const paletteColor = (i) => PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];
