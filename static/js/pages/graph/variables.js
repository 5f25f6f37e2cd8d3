// The variables panel: one slider and one number box per variable of the typed program, rebuilt
// only when the names change; every variable keeps its value for the session (typed away and
// back, it comes back as it was). The number boxes' own checks join the page's request cycle.
import { h, numberInput } from "../../kit/dom.js";
import { variablesOf } from "./vars.js";

/** @typedef {import("../../kit/api.js").ApiError} ApiError */
/**
 * @typedef {{
 *   list: HTMLElement,
 *   reserved: Set<string>,
 *   values: Record<string, number>,
 *   checks: Set<() => ApiError | null>,
 *   fail: (err: ApiError) => void,
 *   onSlide: () => void,
 *   onType: () => void,
 * }} VariablesOpts list: where the rows go; checks: the cycle's; onSlide/onType: a value moved
 */

export class VariablesPanel {
  /** @param {VariablesOpts} opts */
  constructor(opts) {
    this.opts = opts;
    /** Every variable's value this session. */
    this.values = opts.values;
    this.shown = "";
    /** @type {Set<() => ApiError | null>} */
    this.own = new Set();
  }

  /**
   * The variables of `expr`, in order of first use.
   * @param {string} expr
   */
  names(expr) {
    return variablesOf(expr, this.opts.reserved);
  }

  /**
   * The values the program needs, as the request sends them (1 for a new name).
   * @param {string} expr
   * @returns {Record<string, number>}
   */
  valuesFor(expr) {
    return Object.fromEntries(this.names(expr).map((n) => [n, this.values[n] ?? 1]));
  }

  /**
   * Show the rows of `expr`'s variables, with their current values.
   * @param {string} expr
   */
  render(expr) {
    const names = this.names(expr);
    if (names.join(",") !== this.shown) {
      this.shown = names.join(",");
      for (const c of this.own) this.opts.checks.delete(c);
      this.own = new Set();
      this.opts.list.replaceChildren(
        ...(names.length
          ? names.map((n) => this.row(n))
          : [h("p", { class: "hint" }, "No variables: use a name such as x.")]),
      );
    }
    for (const name of names) this.setInputs(name);
  }

  /** @param {string} name */
  row(name) {
    this.values[name] ??= 1;
    const range = h("input", { type: "range", id: `var-${name}`, step: "0.1" });
    const box = h("input", { type: "number", id: `var-${name}-num`, step: "any", "aria-label": `${name} exactly` });
    box.dataset.field = `var-${name}`; // the page's own check of this box answers beside it
    range.addEventListener("input", () => {
      this.values[name] = Number(range.value);
      box.value = String(this.values[name]);
      this.opts.onSlide();
    });
    const check = numberInput(box, {
      event: "input",
      label: name,
      onValue: (v) => {
        this.values[name] = v ?? 1;
        this.setInputs(name);
        this.opts.onType();
      },
      onError: (err) => this.opts.fail(err),
    });
    this.own.add(check);
    this.opts.checks.add(check);
    const error = h("div", { class: "field-error", role: "alert" });
    error.dataset.errorFor = `var-${name}`;
    return h("div", { class: "var-row" }, h("label", { for: range.id }, name), range, box, error);
  }

  /** @param {string} name */
  setInputs(name) {
    const range = document.getElementById(`var-${name}`);
    const box = document.getElementById(`var-${name}-num`);
    if (!(range instanceof HTMLInputElement) || !(box instanceof HTMLInputElement)) return;
    const v = this.values[name];
    const span = Math.max(5, Math.ceil(Math.abs(v)));
    range.min = String(-span);
    range.max = String(span);
    if (document.activeElement !== range) range.value = String(v);
    if (document.activeElement !== box) box.value = String(v);
  }
}
