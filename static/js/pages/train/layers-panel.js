// The hidden-layers panel: a row per hidden layer (width, normalisation, activation, remove) and
// "+ hidden layer". Any change builds a new network: the page resets to epoch 0.
import { byId, h, readNumber } from "../../kit/dom.js";
import { markField } from "../../kit/errors.js";
import { MAX_WIDTH, decode, encode } from "./stack.js";

/** @typedef {import("./stack.js").Hidden} Hidden */

/**
 * @typedef {object} LayersPanel
 * @property {() => Hidden[]} hidden the hidden layers as they stand
 * @property {() => string} encoded their URL text
 * @property {(hint: string) => void} show draw the rows, and the shape hint beside the title
 * @property {(k: number) => HTMLElement} rowAt the row of hidden layer k (0-based), or the list
 */

/**
 * @param {{text: string, acts: readonly string[], norms: readonly string[], reset: () => void}} deps
 *   `text` the URL's layers; `acts` and `norms` the activations and normalisations on offer
 * @returns {LayersPanel}
 */
export function layersPanel({ text, acts, norms, reset }) {
  const list = byId("layers", HTMLOListElement);
  const hint = byId("shape-hint", HTMLElement);
  let hidden = decode(text, acts, norms);
  /** @param {Hidden[]} next */
  const change = (next) => {
    hidden = next;
    reset();
  };
  byId("add-layer", HTMLButtonElement).addEventListener("click", () =>
    change([...hidden, { width: 4, act: hidden.at(-1)?.act ?? "tanh" }]),
  );

  /** @param {Hidden} l @param {number} k */
  const row = (l, k) => {
    const w = h("input", {
      type: "number",
      min: "1",
      max: String(MAX_WIDTH),
      value: String(l.width),
      "aria-label": `width of hidden layer ${k + 1}`,
    });
    w.addEventListener("change", () => {
      // 0, 2.5 or 5000 is said beside the box, never silently made 1 or 256
      const label = `width of hidden layer ${k + 1}`;
      const { value, error } = readNumber(w, { integer: true, min: 1, max: MAX_WIDTH, label });
      if (error) return void markField(w.closest("li") ?? list, w, error.message);
      change(hidden.map((x, i) => (i === k ? { ...x, width: Number(value) } : x)));
    });
    const act = h(
      "select",
      { "aria-label": `activation of hidden layer ${k + 1}` },
      ...acts.map((a) => new Option(a, a, false, a === l.act)),
    );
    act.addEventListener("change", () => change(hidden.map((x, i) => (i === k ? { ...x, act: act.value } : x))));
    const norm = h(
      "select",
      { "aria-label": `normalisation of hidden layer ${k + 1}` },
      new Option("no norm", "", false, !l.norm),
      ...norms.map((n) => new Option(n, n, false, n === l.norm)),
    );
    norm.addEventListener("change", () =>
      change(
        hidden.map((x, i) =>
          i === k ? { width: x.width, act: x.act, ...(norm.value ? { norm: norm.value } : {}) } : x,
        ),
      ),
    );
    const remove = h(
      "button",
      {
        type: "button",
        class: "btn btn-icon",
        "aria-label": `remove hidden layer ${k + 1}`,
        onclick: () => change(hidden.filter((_, i) => i !== k)),
      },
      "✕",
    );
    return h(
      "li",
      { class: "layer-item" },
      h("span", { class: "idx" }, String(k + 1)),
      w,
      norm,
      act,
      h("span", { class: "grow" }),
      remove,
      h("div", { class: "field-error layer-err", role: "alert" }),
    );
  };

  return {
    hidden: () => hidden,
    encoded: () => encode(hidden),
    rowAt: (k) => /** @type {HTMLElement | undefined} */ (list.children[k]) ?? list,
    show: (shape) => {
      list.replaceChildren(...hidden.map(row));
      hint.textContent = shape;
    },
  };
}
