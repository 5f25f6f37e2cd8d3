// The softmax Jacobian diag(y) − y yᵀ of one sample, fed what the stack's softmax sees (a window
// of its rows when the softmax is wider than the heatmap can show).
import { post } from "../../kit/api.js";
import { expectsOf } from "../../kit/kinds.js";
import { byId, numberInput } from "../../kit/dom.js";
import { num } from "../../kit/format.js";
import { Cycle } from "../../kit/lifecycle.js";
import { QUIET, draw, matrixLayout, purge } from "../../kit/plot.js";
import { windowedHeatmap } from "./tensors.js";

/** @typedef {import("./result.js").Result} Result */
/** @typedef {import("../../types/kit").Meta} Meta */

/**
 * What the softmax of this stack is fed: the input of its first layer whose kind's record gives
 * probabilities (/meta layers' `gives`: the records decide, not a name), or the logits of the
 * fused softmax + cross-entropy loss.
 * @param {Result} r
 * @param {number[][]} x
 * @param {string} expects what the loss expects (/meta): the fused loss's softmax is on logits
 * @param {{layers: readonly {name: string, gives?: string}[]}} m /meta
 */
export function softmaxInput(r, x, expects, m) {
  const gives = new Set(m.layers.filter((l) => l.gives === "probabilities").map((l) => l.name));
  const s = r.forward.findIndex((f) => gives.has(f.type));
  if (s >= 0) return s === 0 ? x : r.forward[s - 1].output;
  if (expects === "logits") return r.forward[r.forward.length - 1].output;
  return null;
}

/** The Jacobian card's elements, by their ids in network.html. */
export const jacobianEls = () => ({
  card: byId("card-jac", HTMLElement),
  gd: byId("hm-jac", HTMLElement),
  sample: byId("sample", HTMLInputElement),
  note: byId("jac-note", HTMLElement),
  y: byId("jac-y", HTMLElement),
});

/**
 * The softmax output the Jacobian is of, as the card writes it.
 * @param {number} sample
 * @param {(number | null)[]} y
 */
export const yText = (sample, y) => `sample ${sample}: y = (${y.map((v) => num(v, 3)).join(", ")})`;

/**
 * @param {{card: HTMLElement, gd: HTMLElement, sample: HTMLInputElement, note: HTMLElement, y: HTMLElement}} el
 * @param {{state: {sample: number}, save: () => void, again: () => unknown, meta: () => Meta | null}} host
 *   `again()`: update with the run shown, the sample input having changed; `meta()` the records
 */
export function jacobianView(el, { state, save, again, meta }) {
  const cycle = new Cycle({ scope: el.card, cards: [el.card], placement: { alias: { x: "sample" } } });
  el.sample.value = String(state.sample);
  cycle.checks.add(
    numberInput(el.sample, {
      integer: true,
      label: "sample",
      onError: (err) => cycle.fail(err),
      onValue: (v) => {
        state.sample = Math.max(0, v ?? 0);
        save();
        again();
      },
    }),
  );
  /** @type {{jacobian: (number | null)[][], y: (number | null)[]} | null} */
  let last = null;
  let k = 0;
  let start = 0;
  const redraw = () => {
    if (!last) return Promise.resolve(null);
    const j = last;
    // the softmax's output, written in the card where it wraps (a plot's title would clip it)
    el.y.textContent = yText(k, j.y);
    const { trace } = windowedHeatmap(j.jacobian, { name: "∂y_i/∂x_j" }, start);
    return draw(
      el.gd,
      [{ ...trace, hovertemplate: "∂y[%{y}]/∂x[%{x}] = %{z:.6g}<extra></extra>" }],
      // a short title (the figure's name for a screen reader); y itself is written above the plot
      matrixLayout(`sample ${k}: ∂y_i/∂x_j`, "output i", "input j", trace.z, { margin: { l: 34, r: 8, t: 26, b: 30 } }),
      QUIET,
    );
  };
  return {
    /**
     * Show rows [from, from + 64) of a Jacobian taller than that.
     * @param {number} from
     */
    window(from) {
      start = from;
      return redraw();
    },
    /**
     * @param {Result} r
     * @param {number[][]} x
     * @param {string} loss the loss's name (its record says what it expects)
     * @param {number} sample
     */
    update(r, x, loss, sample) {
      const m = meta();
      const rows = m ? softmaxInput(r, x, expectsOf(m, loss), m) : null;
      el.note.textContent = rows ? "" : "No softmax in this stack.";
      if (!rows) el.y.textContent = "";
      el.gd.hidden = !rows;
      if (!rows) {
        last = null;
        purge(el.gd);
        return Promise.resolve(null);
      }
      el.sample.max = String(rows.length - 1);
      const at = Math.min(Math.max(0, Math.round(sample)), rows.length - 1);
      return cycle.run(
        (signal) => post("/api/v1/softmax/jacobian", { x: /** @type {number[]} */ (rows[at]) }, signal),
        (j) => {
          [last, k] = [{ jacobian: j.jacobian, y: j.y }, at];
          return redraw();
        },
      );
    },
  };
}
