// The selected node: the computation graph's strip of nodes and the tensor panel of the node
// chosen in it (by a click, the exercise's target, or the step mode).
import { formatSelection, markSelected, parseSelection, renderGraph } from "./graph.js";
import { tensorEls, tensorPanel } from "./tensors.js";

/** @typedef {import("./result.js").Result} Result */
/** @typedef {import("./graph.js").Selection} Selection */
/** @typedef {import("./step.js").Step} Step */
/** @typedef {import("../../types/kit").Meta} Meta */
/** @typedef {{x: number[][], targets: number[] | number[][]}} Data */
/** @typedef {{result: Result, data: Data, loss: string, meta: Meta}} Shown */
/**
 * @typedef {object} NodeView
 * @property {ReturnType<typeof tensorPanel>} panel the tensor panel (its row window, its cell marks)
 * @property {() => Selection} selection the node selected (the state's `sel`, within the run's stack)
 * @property {(s: Selection) => void} select select a node and show its tensors
 * @property {(shown: Shown) => Promise<unknown>} show a run came: draw the graph and the node's tensors
 * @property {(step: Step | null) => void} step show a step's node (null: the selection, all at once)
 * @property {() => Promise<unknown>} redraw show the node's tensors again (the check's arrays came)
 */

/**
 * Whether the gradient check of a node passed: all its rows, or null without a check.
 * @param {Result["gradcheck"]} checks
 * @param {Selection} s
 * @returns {"pass" | "fail" | null}
 */
export function checkStatus(checks, s) {
  const rows = (checks ?? []).filter((g) =>
    s.kind === "input" ? g.param === "x" : s.kind === "layer" ? g.index === s.index && g.param !== "x" : false,
  );
  return rows.length ? (rows.every((g) => g.passed) ? "pass" : "fail") : null;
}

/**
 * @param {HTMLElement} graph
 * @param {{state: {sel: string}, save: () => void, layerCount: () => number} &
 *   Omit<Parameters<typeof tensorPanel>[0], keyof ReturnType<typeof tensorEls>>} host `layerCount()`
 *   the stack's length before any run; the rest are the tensor panel's callbacks
 * @returns {NodeView}
 */
export function nodeView(graph, host) {
  const { state, save, layerCount, ...callbacks } = host;
  const panel = tensorPanel({ ...tensorEls(), ...callbacks });
  /** @type {Shown | null} */
  let shown = null;
  const selection = () => parseSelection(state.sel, shown?.result.forward.length ?? layerCount());
  const showSel = (/** @type {Selection} */ s) => {
    state.sel = formatSelection(s);
    save();
    markSelected(graph, s);
    return shown ? panel.show(s, shown.result, shown.data, shown.loss, shown.meta) : Promise.resolve(null);
  };
  const select = (/** @type {Selection} */ s) => void showSel(s);
  return {
    panel,
    selection,
    select,
    show(next) {
      shown = next;
      const sel = selection();
      state.sel = formatSelection(sel);
      save();
      const { result: r, data, loss } = next;
      const status = (/** @type {Selection} */ s) => checkStatus(r.gradcheck, s);
      renderGraph(graph, r, { x: data.x, selected: sel, loss, status, onSelect: select });
      return panel.show(sel, r, data, loss, next.meta);
    },
    step(s) {
      if (!s) return select(selection());
      graph.querySelector(`.node[data-node='${formatSelection(s.sel)}']`)?.classList.add("current");
      void showSel(s.sel).then(() => {
        // Going forward only the layer's output exists yet.
        if (s.phase === "forward") panel.slots.slice(1).forEach((gd) => (gd.style.visibility = "hidden"));
      });
    },
    redraw: () =>
      shown ? panel.show(selection(), shown.result, shown.data, shown.loss, shown.meta) : Promise.resolve(null),
  };
}
