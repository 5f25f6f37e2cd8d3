// What the Network page holds of one /network/run answer, and the parts it asks for.

/** @typedef {import("../../types/kit").Schemas["GradcheckItem"]} Check its arrays only if asked for */
/**
 * The run's answer as the page asks for it: forward, backward, params and seed always; the
 * gradient check's arrays (numeric, rel_error) only while their heatmap is open.
 * @typedef {Omit<import("../../types/kit").FullNetworkOut, "gradcheck"> & {gradcheck: Check[] | null}} Result
 */
/** @typedef {NonNullable<import("../../types/kit").Schemas["NetworkRequest"]["include"]>} Include */

/**
 * The parts of the answer the page draws: the tensors, the seed, and the gradient check's
 * per-entry arrays only when their heatmap is shown.
 * @param {{gradcheck: boolean, arrays: boolean}} o
 * @returns {Include}
 */
export const partsFor = ({ gradcheck, arrays }) => [
  "forward",
  "backward",
  "params",
  "seed",
  ...(gradcheck && arrays ? /** @type {const} */ (["gradcheck_arrays"]) : []),
];

/**
 * The targets as rows (class indices one-hot over `k` columns).
 * @param {number[] | number[][]} targets
 * @param {number} k
 * @returns {number[][]}
 */
export const targetRows = (targets, k) =>
  targets.map((c) => (Array.isArray(c) ? c : Array.from({ length: k }, (_, j) => (j === c ? 1 : 0))));
