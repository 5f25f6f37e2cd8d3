// The optimizers' settings: one input per hyper-parameter, labelled with the optimizers that take
// it and their defaults; the ones no chosen optimizer uses are dimmed; the summary lists those set.
import { byId, h, numberInput } from "../../kit/dom.js";
import { short } from "./logic.js";

/** @typedef {import("../../types/kit").Meta["optimizers"][number]} Optimizer */

export class Settings {
  /**
   * @param {object} o
   * @param {HTMLElement} o.box where the inputs go
   * @param {Optimizer[]} o.optimizers the records (/meta)
   * @param {{opt: string[], hp: Record<string, number>}} o.state the page's state, read and written
   * @param {(check: () => unknown) => void} o.addCheck
   * @param {(err: unknown) => void} o.onError
   * @param {() => void} o.onChange a setting changed
   */
  constructor({ box, optimizers, state, addCheck, onError, onChange }) {
    this.state = state;
    this.opts = optimizers.map((x) => x.name);
    /** @type {Record<string, Record<string, number>>} */
    this.defaults = Object.fromEntries(optimizers.map((x) => [x.name, x.defaults]));
    this.hyper = [...new Set(optimizers.flatMap((x) => Object.keys(x.defaults)))];
    /** Each hyper-parameter's symbol as text ("μ"), from the optimizer records. */
    this.symbol = Object.fromEntries(optimizers.flatMap((x) => x.hyper.map((y) => [y.name, y.glyph])));
    /** What a page says beside an optimizer's path (adamw: where its decay makes it stop). */
    this.note = Object.fromEntries(optimizers.map((x) => [x.name, x.note]));
    for (const k of this.hyper) {
      const users = this.opts.filter((n) => k in this.defaults[n]);
      const input = h("input", {
        type: "number",
        id: `hp-${k}`,
        step: "any",
        min: "0",
        dataset: { field: k },
        placeholder: short(this.defaults[users[users.length - 1]][k]),
        title: `default ${users.map((n) => `${n} ${this.defaults[n][k]}`).join(", ")}`,
      });
      box.append(
        h(
          "div",
          { class: "field hp-row" },
          h("label", { for: input.id }, h("span", { class: "sym" }, this.symbol[k] || k), ` ${k}: ${users.join(", ")}`),
          input,
          h("div", { class: "field-error", role: "alert", dataset: { errorFor: k } }),
        ),
      );
      addCheck(
        numberInput(input, {
          event: "input",
          allowEmpty: true,
          label: k,
          onError,
          onValue: (v) => {
            if (v === null) delete state.hp[k];
            else state.hp[k] = v;
            this.sync();
            onChange();
          },
        }),
      );
    }
  }

  /** The inputs from the state (after a preset or a link). */
  syncInputs() {
    for (const k of this.hyper) {
      const v = this.state.hp[k];
      byId(`hp-${k}`, HTMLInputElement).value = v === undefined ? "" : short(v);
    }
    this.sync();
  }

  /** Dim the settings no chosen optimizer uses; list the ones set in the summary line. */
  sync() {
    const { opt, hp } = this.state;
    for (const k of this.hyper) {
      const used = opt.some((o) => k in this.defaults[o]);
      byId(`hp-${k}`, HTMLInputElement).closest(".field")?.classList.toggle("unused", !used);
    }
    const set = this.hyper.filter((k) => hp[k] !== undefined).map((k) => `${this.symbol[k] || k}=${short(hp[k])}`);
    byId("settings-summary", HTMLElement).textContent = set.length ? set.join(" ") : "defaults";
    byId("opt-note", HTMLElement).textContent = opt
      .filter((o) => this.note[o])
      .map((o) => `${o}: ${this.note[o]}`)
      .join(" ");
  }

  /** The options a request for optimizer `o` carries: those it takes that the user set. */
  optionsFor(/** @type {string} */ o) {
    return Object.fromEntries(
      Object.keys(this.defaults[o])
        .filter((k) => this.state.hp[k] !== undefined)
        .map((k) => [k, this.state.hp[k]]),
    );
  }
}
