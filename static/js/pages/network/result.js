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

/** @typedef {import("../../types/kit").Schemas["NetworkRequest"]} RunBody */

/**
 * The /network/run request of the page's state.
 * @param {{x: number[][], targets: number[] | number[][]}} data
 * @param {RunBody["layers"]} layers the stack as the API takes it
 * @param {{loss: string, gc: boolean, h: number, gca: boolean}} s the page's state
 * @param {{challenge?: string}} extra a bug hunt's challenge: the run plants its hidden bug
 * @returns {RunBody}
 */
export const runBody = (data, layers, s, extra) => ({
  x: data.x,
  targets: data.targets,
  layers,
  loss: /** @type {RunBody["loss"]} */ (s.loss),
  gradcheck: s.gc,
  h: s.h,
  // Only what the page draws: the check's per-entry arrays while their heatmap is open.
  include: partsFor({ gradcheck: s.gc, arrays: s.gca }),
  ...extra,
});

/**
 * What a nudge runs on: the run's data, stack and loss, and its hunt's challenge if any.
 * @param {RunBody} b
 */
export const nudgeBody = ({ x, targets, layers, loss, challenge }) => ({
  x,
  targets,
  layers,
  loss,
  ...(challenge ? { challenge } : {}),
});
