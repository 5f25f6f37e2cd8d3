// The rows of the gradients table, as text: each variable's gradient by reverse mode (once the
// backward pass reaches it), exactly and numerically, and their difference. Pure
// (tests/js/graph-panels.test.js); gradtable.js draws them.
import { sci } from "../../kit/format.js";
import { fmt } from "./words.js";

/** @typedef {import("./steps.js").Graph} Graph */
/** @typedef {import("./steps.js").View} View */
/**
 * One variable's row, as text ("·" for what the step has not reached yet: reverse mode, exact and
 * numeric come together); `known`: reverse mode and numeric are both there, so the verdict shows.
 * @typedef {{name: string, reverse: string, exact: string, numeric: string, error: string, known: boolean}} GradRow
 */

/**
 * The rows of the variables' gradients as of step `v`.
 * @param {Graph} g
 * @param {View} v
 * @returns {GradRow[]}
 */
export function gradRows(g, v) {
  return g.nodes
    .filter((n) => n.op === "var")
    .map((node) => {
      const name = node.label;
      const rev = g.gradients[name] ?? null;
      const numeric = g.numeric[name] ?? null;
      const reached = v.grads.has(node.id) || v.done;
      const known = reached && rev !== null && numeric !== null;
      const err = known ? sci(Math.abs(/** @type {number} */ (rev) - /** @type {number} */ (numeric)), 2) : "·";
      return {
        name,
        reverse: reached ? fmt(rev, 10) : "·",
        // The exact and numeric answers come with reverse mode's, not before (at Reset they would
        // give the backward pass away).
        exact: reached ? fmt(g.exact[name] ?? null, 10) : "·",
        numeric: reached ? fmt(numeric, 10) : "·",
        error: err.replace(/-/g, "−"),
        known,
      };
    });
}
