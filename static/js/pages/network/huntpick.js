// The bug hunt's pure parts: the seed and level as the URL holds them ("12:2"), and the gradients
// a guess may name at each place of the challenge's stack.

/** @typedef {{seed: number, level: number}} Pick */

/**
 * "12:2" -> {seed: 12, level: 2}; null for "" or a damaged link.
 * @param {string} text
 * @returns {Pick | null}
 */
export function parsePick(text) {
  const m = /^(\d{1,10}):([123])$/.exec(text);
  if (!m) return null;
  const seed = Number(m[1]);
  return seed <= 2 ** 32 - 1 ? { seed, level: Number(m[2]) } : null;
}

/** @param {Pick} p */
export const formatPick = (p) => `${p.seed}:${p.level}`;

/**
 * How a guess's gradient reads: "x" is the layer's input gradient, "seed" the loss's.
 * @param {string} tensor
 */
export const tensorLabel = (tensor) =>
  tensor === "x" ? "dx, its input gradient" : tensor === "seed" ? "the seed ∂L/∂y it hands back" : `d${tensor}`;
