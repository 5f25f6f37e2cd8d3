// The program form: the example box, the expression box, "expand" and the variables panel. It
// keeps the example box in step with what is typed (the learner's own program shows
// "— choose an example —") and tells the page what changed; the page fetches.
import { byId } from "../../kit/dom.js";
import { PRESETS, presetIdOf } from "./presets.js";

/** @typedef {import("./presets.js").Preset} Preset */
/** @typedef {import("./variables.js").VariablesPanel} VariablesPanel */
/**
 * @typedef {{
 *   vars: VariablesPanel,
 *   onType: (expr: string) => void,
 *   onExpand: (expand: boolean) => void,
 *   onPreset: (p: Preset) => void,
 * }} ProgramOpts
 */

export class ProgramForm {
  /** @param {ProgramOpts} opts */
  constructor({ vars, onType, onExpand, onPreset }) {
    this.vars = vars;
    this.expr = byId("expr", HTMLTextAreaElement);
    this.expand = byId("expand", HTMLInputElement);
    this.preset = byId("preset", HTMLSelectElement);
    for (const p of PRESETS) this.preset.add(new Option(p.title, p.id));
    this.expr.addEventListener("input", () => {
      this.preset.value = presetIdOf(this.expr.value);
      vars.render(this.expr.value);
      onType(this.expr.value);
    });
    this.expand.addEventListener("change", () => onExpand(this.expand.checked));
    this.preset.addEventListener("change", () => {
      const p = PRESETS.find((q) => q.id === this.preset.value);
      if (p) onPreset(p);
    });
  }

  /**
   * Show a program (from the link, an example or a new circuit).
   * @param {string} expr
   * @param {boolean} expand
   */
  show(expr, expand) {
    this.expr.value = expr;
    this.expand.checked = expand;
    this.preset.value = presetIdOf(expr);
    this.vars.render(expr);
  }
}
