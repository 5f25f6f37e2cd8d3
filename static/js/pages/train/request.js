// The body of POST /api/v1/train from the page's parts: a pure function (node --test).

/** @typedef {import("../../types/kit").Schemas["TrainRequest"]} Body */
/** @typedef {import("../../types/kit").Schemas["ResumeOut"]} Resume */

export const GRID = 48; // the boundary's grid side

/**
 * @param {{dataset: Body["dataset"], layers: Body["layers"], loss: string, opt: string,
 *          options: Record<string, number>, lr: number, bs: number, l2: number, seed: number,
 *          resume: Resume | null}} parts
 * @param {number} epochs in all (a resume goes on from its epoch)
 * @param {number} every report every this many epochs
 * @param {number} boundaryEvery and the boundary every this many (0: never)
 * @returns {Body}
 */
export const trainBody = (parts, epochs, every, boundaryEvery) =>
  /** @type {Body} */ ({
    dataset: parts.dataset,
    layers: parts.layers,
    loss: /** @type {any} */ (parts.loss),
    optimizer: /** @type {any} */ (parts.opt),
    ...parts.options,
    lr: parts.lr,
    batch_size: parts.bs,
    l2: parts.l2,
    seed: parts.seed,
    epochs,
    report_every: every,
    boundary_every: boundaryEvery,
    grid: GRID,
    checkpoint: true,
    ...(parts.resume ? { resume: parts.resume } : {}),
  });
