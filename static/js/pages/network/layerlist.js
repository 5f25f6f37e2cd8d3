// The editable layer list: type, width, init and seed of each layer, move up/down, remove.
import { fieldError } from "../../kit/api.js";
import { byId, h } from "../../kit/dom.js";
import { seeded, widths } from "./stack.js";

/** @typedef {import("./stack.js").Layer} Layer */

/**
 * Render `layers` into the list `ol`; every edit goes through `onChange(newLayers)`, a value
 * that is not a whole number to `onError` (shown on that layer).
 * @param {HTMLOListElement} ol
 * @param {Layer[]} layers
 * @param {{width: number, types: string[], inits: readonly string[],
 *          onChange: (layers: Layer[]) => void, onError: (err: unknown) => void,
 *          given?: (ref: string) => string}} o `given` says what a preset's W and b are
 */
export function renderLayers(
  ol,
  layers,
  { width, types, inits, onChange, onError, given = () => "the preset's W and b" },
) {
  const { inputs } = widths(layers, width);
  const change = (/** @type {(copy: Layer[]) => void} */ edit) => {
    const copy = layers.map((l) => ({ ...l }));
    edit(copy);
    onChange(copy);
  };
  /** @param {string} text @param {string} label @param {() => void} fn @param {boolean} [disabled] */
  const btn = (text, label, fn, disabled = false) =>
    h(
      "button",
      { type: "button", class: "btn btn-icon", "aria-label": label, title: label, disabled, onclick: fn },
      text,
    );
  /**
   * A whole number >= min typed into a layer's input, else an error on that layer.
   * @param {HTMLInputElement} input @param {number} i @param {string} what @param {number} min
   * @param {(layer: Layer, v: number) => void} set on the edited copy of the layer
   */
  const whole = (input, i, what, min, set) =>
    input.addEventListener("change", () => {
      const v = Number(input.value);
      if (input.value.trim() === "" || !Number.isInteger(v) || v < min) {
        onError(fieldError(["layers", i, what], `layer ${i}: ${what} must be a whole number of at least ${min}`));
      } else change((c) => set(c[i], v));
    });
  ol.replaceChildren(
    ...layers.map((l, i) => {
      const type = h(
        "select",
        { "aria-label": `type of layer ${i}` },
        ...types.map((t) => new Option(t, t, false, t === (l.kind === "plain" ? l.type : "affine"))),
      );
      type.addEventListener("change", () =>
        change((c) => (c[i] = type.value === "affine" ? seeded(i) : { kind: "plain", type: type.value })),
      );
      // Line 1: index, type, move and remove; line 2 (.cfg, after them also for the tab order):
      // the affine layer's width, init and seed, or its preset weights.
      /** @type {Node | null} */
      let cfg = null;
      if (l.kind === "given") {
        const out = l.W[0]?.length ?? 0;
        cfg = h(
          "span",
          { class: "cfg" },
          h("span", { class: "given" }, `${inputs[i]}→${out}, ${given(l.ref)}`),
          btn("re-init", `re-init layer ${i}: replace the preset's W and b by a seeded initialisation`, () =>
            change((c) => (c[i] = seeded(0, out))),
          ),
        );
      } else if (l.kind === "seeded") {
        const out = h("input", {
          type: "number",
          min: "1",
          max: "256",
          value: String(l.out),
          "aria-label": `output width of layer ${i}`,
        });
        const init = h(
          "select",
          { "aria-label": `initialisation of layer ${i}` },
          ...inits.map((k) => new Option(k, k, false, k === l.init)),
        );
        const seed = h("input", {
          type: "number",
          min: "0",
          value: String(l.seed),
          class: "seed",
          "aria-label": `random seed of layer ${i}`,
          title: "seed",
        });
        whole(out, i, "out", 1, (c, v) => Object.assign(c, { out: v }));
        // wide enough for its digits (a hunt's seeds have ten), never narrower than before
        const fit = () => (seed.style.width = `max(40px, calc(${seed.value.length}ch + 24px))`);
        fit();
        seed.addEventListener("input", fit);
        whole(seed, i, "seed", 0, (c, v) => Object.assign(c, { seed: v }));
        init.addEventListener("change", () => change((c) => Object.assign(c[i], { init: init.value })));
        cfg = h(
          "span",
          { class: "cfg" },
          h("span", { class: "given" }, `${inputs[i]}→`),
          out,
          h("span", { class: "given" }, "init"),
          init,
          h("span", { class: "given" }, "seed"),
          seed,
        );
      }
      return h(
        "li",
        { class: "layer-item", dataset: { field: `layer-${i}` } },
        h("span", { class: "idx" }, String(i)),
        type,
        h("span", { class: "grow" }),
        btn("↑", `move layer ${i} up`, () => change((c) => ([c[i - 1], c[i]] = [c[i], c[i - 1]])), i === 0),
        btn(
          "↓",
          `move layer ${i} down`,
          () => change((c) => ([c[i + 1], c[i]] = [c[i], c[i + 1]])),
          i === layers.length - 1,
        ),
        btn("✕", `remove layer ${i}`, () => change((c) => c.splice(i, 1))),
        cfg,
        h("div", { class: "field-error layer-err", role: "alert", dataset: { errorFor: `layer-${i}` } }),
      );
    }),
  );
}

/**
 * @typedef {object} StackEditor
 * @property {() => Layer[]} layers the stack as edited
 * @property {(layers: Layer[]) => void} set replace the stack (a preset's, a hunt's), without `changed`
 * @property {() => void} show draw the list and the shape hint again (the data's width may have changed)
 */

/**
 * The layer list with its "+ add layer" row and the shape hint above it.
 * @param {{list: HTMLOListElement, addType: HTMLSelectElement, add: HTMLButtonElement, hint: HTMLElement}} el
 * @param {{types: string[], inits: readonly string[], width: () => number, shape: () => string,
 *   onError: (err: unknown) => void, changed: () => void, given?: (ref: string) => string}} host
 *   `width()` the data's columns, `shape()` what the hint says of the data, `given(ref)` what a
 *   preset's W and b are (the Training page's: "W and b trained … to epoch N")
 * @param {Layer[]} start
 * @returns {StackEditor}
 */
export function stackEditor(el, host, start) {
  let layers = start;
  const show = () => {
    renderLayers(el.list, layers, {
      width: host.width(),
      types: host.types,
      inits: host.inits,
      onError: host.onError,
      ...(host.given ? { given: host.given } : {}),
      onChange: (next) => {
        layers = next;
        host.changed();
      },
    });
    el.addType.replaceChildren(...host.types.map((t) => new Option(t, t)));
    el.hint.textContent = `${host.shape()}output width ${widths(layers, host.width()).out}`;
  };
  el.add.addEventListener("click", () => {
    const t = el.addType.value;
    layers = [...layers, t === "affine" ? seeded(layers.length) : { kind: "plain", type: t }];
    host.changed();
  });
  return {
    layers: () => layers,
    set: (next) => void (layers = next),
    show,
  };
}

/** The stack editor's elements, by their ids in network.html. */
export const stackEls = () => ({
  list: byId("layers", HTMLOListElement),
  addType: byId("add-type", HTMLSelectElement),
  add: byId("add-layer", HTMLButtonElement),
  hint: byId("shape-hint", HTMLElement),
});
