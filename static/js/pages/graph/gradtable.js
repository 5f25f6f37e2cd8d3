// The gradients table: each variable's gradient by reverse mode, exactly and numerically, their
// difference and the server's verdict (the rows' text is gradrows.js's), the rule, the warnings.
import { byId, h } from "../../kit/dom.js";
import { sci } from "../../kit/format.js";
import { verdictBadge, warningList } from "../../kit/verdict.js";
import { gradRows } from "./gradrows.js";

/** @typedef {import("./steps.js").Graph} Graph */
/** @typedef {import("./steps.js").View} View */

export class GradTable {
  /** @param {{body: HTMLElement, rule: HTMLElement, warnings: HTMLElement, note: HTMLElement}} els */
  constructor(els) {
    this.els = els;
  }

  /** @param {{body: string, rule: string, warnings: string, note: string}} ids */
  static byIds(ids) {
    return new GradTable({
      body: byId(ids.body, HTMLElement),
      rule: byId(ids.rule, HTMLElement),
      warnings: byId(ids.warnings, HTMLElement),
      note: byId(ids.note, HTMLElement),
    });
  }

  /**
   * @param {Graph} g
   * @param {View} v
   */
  show(g, v) {
    const rows = gradRows(g, v).map((r) =>
      h(
        "tr",
        { dataset: { var: r.name } },
        h("th", { scope: "row" }, r.name),
        h("td", { class: "rev" }, r.reverse),
        h("td", {}, r.exact),
        h("td", {}, r.numeric),
        h("td", {}, r.error),
        // The server's verdict on the variables' gradients together (one rule for every page).
        h("td", {}, r.known ? verdictBadge(g.verdict) : ""),
      ),
    );
    this.els.body.replaceChildren(...rows);
    this.els.rule.textContent = `numeric: central differences, h = ${sci(g.h, 0)}; check: the server's verdict on reverse against numeric`;
    this.els.warnings.replaceChildren(warningList(g.warnings));
    this.els.note.textContent = g.nonfinite ? `${g.nonfinite} numbers are not finite (—)` : "";
  }
}
