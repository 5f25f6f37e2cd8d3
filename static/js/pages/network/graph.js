// The computation graph as a strip of buttons: x → layer 0 → … → Loss, each edge labelled with
// the tensor's shape going forward and the gradient coming back.
import { h } from "../../kit/dom.js";
import { num, shapeText } from "../../kit/format.js";

/** @typedef {import("./result.js").Result} Result */
/** @typedef {{kind: "input"} | {kind: "layer", index: number} | {kind: "loss"}} Selection */

/** @param {Selection} s */
export const formatSelection = (s) => (s.kind === "input" ? "x" : s.kind === "loss" ? "loss" : String(s.index));

/**
 * The selection a URL names ("x", "loss" or a layer's index; -1 and n are older links' input
 * and loss), for a stack of `n` layers.
 * @param {string} text
 * @param {number} n
 * @returns {Selection}
 */
export function parseSelection(text, n) {
  if (text === "x" || text === "-1") return { kind: "input" };
  if (text === "loss") return { kind: "loss" };
  const i = Number(text);
  if (Number.isInteger(i) && i >= n) return { kind: "loss" };
  return { kind: "layer", index: Number.isInteger(i) && i >= 0 ? i : 0 };
}

/**
 * @param {HTMLElement} box
 * @param {Result} result
 * @param {{x: number[][], selected: Selection, loss: string,
 *          status: (s: Selection) => "pass" | "fail" | null, onSelect: (s: Selection) => void}} o
 */
export function renderGraph(box, result, { x, selected, loss, status, onSelect }) {
  const node = (/** @type {Selection} */ sel, /** @type {string} */ label, /** @type {string} */ sub) => {
    const st = status(sel);
    return h(
      "button",
      {
        type: "button",
        class: `node ${st || ""}`,
        title: st ? `gradient check: ${st}` : null,
        dataset: { node: formatSelection(sel) },
        "aria-pressed": String(formatSelection(sel) === formatSelection(selected)),
        onclick: () => onSelect(sel),
      },
      label,
      h("span", { class: "nsub" }, sub),
    );
  };
  const edge = (/** @type {string} */ shape) =>
    h(
      "div",
      { class: "edge", "aria-hidden": "true" },
      h("span", { class: "fwd" }, shape),
      h("span", { class: "arrow" }),
      h("span", { class: "back" }, "← grad"),
    );
  box.replaceChildren(
    node({ kind: "input" }, "x", "input"),
    edge(shapeText(x)),
    ...result.forward.flatMap((f, i) => {
      const params = Object.keys(result.backward[i]?.grads ?? {}).length > 0;
      return [node({ kind: "layer", index: i }, f.type, params ? "W, b" : `layer ${i}`), edge(shapeText(f.output))];
    }),
    node({ kind: "loss" }, "Loss", `${loss} = ${num(result.loss, 5)}`),
  );
}

/**
 * Mark the selected node.
 * @param {HTMLElement} box
 * @param {Selection} selected
 */
export function markSelected(box, selected) {
  box.querySelectorAll(".node").forEach((b) => {
    if (b instanceof HTMLElement) b.setAttribute("aria-pressed", String(b.dataset.node === formatSelection(selected)));
  });
}
