// The loss and optimizer panel: the loss, the optimizer with its own settings, the learning
// rate, batch size, L2 and the seed, and the update rule written out. A change of the optimizer's
// settings keeps the trained weights (`retune`); a new loss or seed starts again (`reset`).
import { byId, h, numberInput } from "../../kit/dom.js";
import { fillOptions } from "../../kit/kinds.js";
import { setTex } from "../../kit/tex.js";
import { ownOptions } from "./choices.js";

/** @typedef {import("../../types/kit").Schemas["MetaOut"]} Meta */
/**
 * The page's state this panel reads and writes (the URL's keys).
 * @typedef {{loss: string, opt: string, hp: Record<string, number>, lr: number, bs: number, l2: number,
 *            seed: number}} State
 */

// The optimizers' update rules come from /meta, with g the gradient of the loss plus the L2 term.
const GRADIENT = String.raw`g = \frac{\partial L}{\partial \theta} + \lambda_{2} W`;

/**
 * @typedef {object} OptimizerPanel
 * @property {(loss: string) => void} setLoss choose a loss (the data set asked for it)
 * @property {() => Record<string, number>} options the optimizer's settings to send
 */

/**
 * @param {{m: Meta, state: State, checks: Set<() => unknown>, onError: (e: unknown) => void,
 *          retune: () => void, reset: () => void, resetSoon: () => void}} deps
 * @returns {OptimizerPanel}
 */
export function optimizerPanel({ m, state, checks, onError, retune, reset, resetSoon }) {
  const el = {
    loss: byId("loss", HTMLSelectElement),
    opt: byId("optimizer", HTMLSelectElement),
    hp: byId("hyper", HTMLElement),
    rule: byId("rule", HTMLElement),
  };
  fillOptions(el.loss, m.losses);
  el.loss.value = state.loss;
  fillOptions(el.opt, m.optimizers);
  el.opt.value = state.opt;
  const tune = () => {
    showRule();
    retune();
  };
  /** @type {[string, "lr" | "bs" | "l2" | "seed", boolean, () => void][]} */
  const inputs = [
    ["lr", "lr", false, tune],
    ["batch", "bs", true, tune],
    ["l2", "l2", false, tune],
    ["seed", "seed", true, resetSoon],
  ];
  for (const [id, key, integer, then] of inputs) {
    const input = byId(id, HTMLInputElement);
    input.value = String(state[key]);
    checks.add(numberInput(input, { integer, onError, onValue: (v) => ((state[key] = Number(v)), then()) }));
  }
  el.loss.addEventListener("change", () => {
    state.loss = /** @type {any} */ (el.loss.value);
    reset();
  });
  el.opt.addEventListener("change", () => {
    state.opt = /** @type {any} */ (el.opt.value);
    showHyper();
    tune();
  });

  function showHyper() {
    const own = m.optimizers.find((o) => o.name === state.opt)?.defaults ?? {};
    el.hp.replaceChildren(
      ...Object.entries(own).map(([k, def]) => {
        const input = h("input", {
          type: "number",
          id: `hp-${k}`,
          step: "any",
          value: state.hp[k] ?? "",
          placeholder: String(def),
          "data-field": k,
        });
        numberInput(input, {
          allowEmpty: true,
          onError,
          onValue: (v) => {
            if (v === null) delete state.hp[k];
            else state.hp[k] = v;
            tune();
          },
        });
        return h(
          "div",
          { class: "field" },
          h("label", { for: `hp-${k}` }, k),
          input,
          h("div", { class: "field-error", "data-error-for": k, role: "alert" }),
        );
      }),
    );
  }

  function showRule() {
    const rule = m.optimizers.find((o) => o.name === state.opt)?.rule ?? "";
    const l2 = state.l2 ? "" : String.raw`\ (\lambda_{2} = 0)`;
    void setTex(el.rule, `${GRADIENT}${l2},` + String.raw`\qquad ` + rule);
  }

  showHyper();
  showRule();
  return {
    setLoss: (loss) => {
      state.loss = /** @type {any} */ (loss);
      el.loss.value = loss;
    },
    options: () => ownOptions(m, state.opt, state.hp),
  };
}
