// The node inspector: the selected node's forward step, its local derivatives and its chain-rule
// step with the numbers plugged in (text.js writes them; this panel only lays them out).
import { h } from "../../kit/dom.js";
import { backwardText, forwardText, localLines } from "./text.js";
import { opWords } from "./words.js";

/** @typedef {import("./steps.js").Graph} Graph */
/** @typedef {import("./steps.js").Step} Step */
/** @typedef {import("./steps.js").Use} Use */
/** @typedef {import("./steps.js").View} View */
/**
 * What the inspector shows a node with: the graph, its steps and uses, the symbols and rules.
 * @typedef {{graph: Graph, steps: Step[], uses: Use[][], syms: string[], rules: Record<string, string>}} Context
 */

export class Inspector {
  /** @param {HTMLElement} body */
  constructor(body) {
    this.body = body;
  }

  /**
   * Show node `id` (-1: none) as of step `v`.
   * @param {Context | null} ctx
   * @param {number} id
   * @param {View} v
   */
  show(ctx, id, v) {
    const n = ctx && id >= 0 ? ctx.graph.nodes[id] : null;
    if (!ctx || !n) {
      this.body.replaceChildren(
        h("div", { class: "hint" }, "Click a node (or focus it, Enter) for its chain-rule step in numbers."),
      );
      return;
    }
    const { graph, steps, uses, syms, rules } = ctx;
    const b = backwardText(graph, n, syms, rules, 6, uses);
    const at = steps.findIndex((s) => s.kind !== "start" && s.kind !== "forward" && s.node === n.id);
    /** @type {(HTMLElement | null)[]} */
    const parts = [
      h("div", { class: "insp-title" }, `${syms[n.id]} · ${opWords(n)}${n.id === graph.output_id ? " (output)" : ""}`),
      h("div", { class: "insp-label" }, "forward"),
      h("div", { class: "insp-fwd mono" }, forwardText(graph, n, syms)),
      n.inputs.length ? h("div", { class: "insp-label" }, "local derivatives") : null,
      n.inputs.length ? h("div", { class: "insp-loc mono" }, localLines(graph, n, syms, rules).join(",  ")) : null,
      h(
        "div",
        { class: "insp-label" },
        b.uses > 1
          ? `backward: ${syms[n.id]} is used ${b.uses} times, so its gradient is the sum over its ${b.uses} edges`
          : "backward (chain rule)",
      ),
      h("div", { class: "insp-bwd mono" }, ...b.lines.map((l) => h("div", {}, l))),
      at > 0 && v.index < at
        ? h("div", { class: "hint" }, `The backward pass reaches ${syms[n.id]} at step ${at}.`)
        : null,
    ];
    this.body.replaceChildren(...parts.filter((p) => p !== null));
  }
}
