// The α inputs of the activations that take one, shown only while that activation is picked.
import { byId, h, numberInput } from "../../kit/dom.js";
import { takesAlpha } from "./logic.js";

/** @typedef {import("./logic.js").Activation} Activation */

export class AlphaFields {
  /**
   * @param {object} o
   * @param {HTMLElement} o.box
   * @param {Activation[]} o.catalog
   * @param {(name: string) => string} o.label
   * @param {{act: string[], alpha: Record<string, number>}} o.state the page's state, read and written
   * @param {(check: () => unknown) => void} o.addCheck
   * @param {(err: unknown) => void} o.onError
   * @param {() => void} o.onChange an α changed
   */
  constructor({ box, catalog, label, state, addCheck, onError, onChange }) {
    this.state = state;
    this.takers = catalog.filter(takesAlpha);
    for (const a of this.takers) {
      const input = h("input", {
        type: "number",
        id: `alpha-${a.name}`,
        step: String(a.alpha && a.alpha < 1 ? a.alpha : 0.1),
        placeholder: String(a.alpha),
        value: String(this.of(a)),
        title: `default ${a.alpha}; empty for the default`,
        dataset: { field: `${a.name}_alpha` },
      });
      box.append(
        h(
          "div",
          { class: "field", id: `alpha-field-${a.name}` },
          h("label", { for: input.id }, `${label(a.name)} α`),
          input,
          h("div", { class: "field-error", role: "alert", dataset: { errorFor: `${a.name}_alpha` } }),
        ),
      );
      const check = numberInput(input, {
        event: "input",
        allowEmpty: true,
        label: `${label(a.name)} α`,
        onError,
        onValue: (v) => {
          if (v === null) delete state.alpha[a.name];
          else state.alpha[a.name] = v;
          onChange();
        },
      });
      addCheck(() => (input.disabled ? null : check()));
    }
  }

  /** The α in use for `a`: the learner's, or the record's default (null if it takes none). */
  of(/** @type {Activation} */ a) {
    return this.state.alpha[a.name] ?? a.alpha ?? null;
  }

  /** Show (and enable) the inputs of the picked activations only. */
  sync() {
    for (const a of this.takers) {
      const on = this.state.act.includes(a.name);
      byId(`alpha-field-${a.name}`, HTMLElement).hidden = !on;
      byId(`alpha-${a.name}`, HTMLInputElement).disabled = !on;
    }
  }
}
