// The requests behind one view of the descent page: the contour's grid (only when asked), one
// run per chosen optimizer, and the gradient at the start.
import { post } from "../../kit/api.js";

const GRID = 64; // grid points per side of the contour

/**
 * @typedef {object} Ask
 * @property {string} expr
 * @property {number[]} box [x1min, x1max, x2min, x2max]
 * @property {number[]} start
 * @property {number} lr
 * @property {number} steps
 * @property {string[]} opt
 * @property {(o: string) => Record<string, number>} optionsFor the settings the user set for `o`
 */

/**
 * @param {Ask} a
 * @param {import("./logic.js").Grid | null} grid the grid held, or null to ask for it
 * @param {AbortSignal} signal
 */
export function ask(a, grid, signal) {
  const [x1_min, x1_max, x2_min, x2_max] = a.box;
  return Promise.all([
    grid
      ? Promise.resolve(grid)
      : post("/api/v1/numdiff/grid", { expr: a.expr, x1_min, x1_max, x2_min, x2_max, num: GRID }, signal),
    Promise.all(
      a.opt.map((o) =>
        post(
          "/api/v1/numdiff/descent",
          {
            expr: a.expr,
            start: a.start,
            lr: a.lr,
            steps: a.steps,
            optimizer: /** @type {any} */ (o),
            h: 1e-5,
            ...a.optionsFor(o),
          },
          signal,
        ),
      ),
    ),
    post("/api/v1/numdiff/gradient", { expr: a.expr, point: a.start, h: 1e-5 }, signal),
  ]);
}
