// The data the stack runs on: a preset's, or matrices pasted into the x and targets boxes (kept in
// the link as X and T, compacted against the preset rows they were started from).
import { byId } from "../../kit/dom.js";
import { debounce } from "../../kit/lifecycle.js";
import { decodeRows, encodeRows, matrixText, parseMatrix, parseTargets, shapeHint } from "./data.js";

/** @typedef {import("../../types/kit").Schemas["NetworkPreset"]} Preset */
/** @typedef {{x: number[][], targets: number[] | number[][]}} Data */
/** @typedef {{data: string, base: string, X: string, T: string, Xt: string}} DataState */
/**
 * @typedef {{select: HTMLSelectElement, custom: HTMLElement, x: HTMLTextAreaElement,
 *   t: HTMLTextAreaElement, linkNote: HTMLElement}} DataEls
 */
/**
 * @typedef {object} DataInput
 * @property {() => Data} current the data to run on (a pasted box that does not parse throws at it)
 * @property {() => Data | null} parsed the data if it parses, else null
 * @property {() => void} encode put the pasted boxes in the state (X, T, base) if they fit a link
 * @property {(prev: string) => void} paste open the boxes, filled from preset `prev` if empty
 * @property {(x: (number | null)[][], targets: (number | null)[][] | (number | null)[]) => void} fill
 * @property {() => void} restore the first view: the select and the boxes from the state
 * @property {() => string} shape what the shape hint says of the data ("x is 3 × 2; ")
 */

/** Pasted data longer than this (after the preset rows it reuses) is not put in the link. */
export const URL_DATA_MAX = 30000;

/** The data boxes' elements, by their ids in network.html. @returns {DataEls} */
export const dataEls = () => ({
  select: byId("data", HTMLSelectElement),
  custom: byId("custom-data", HTMLElement),
  x: byId("x-text", HTMLTextAreaElement),
  t: byId("t-text", HTMLTextAreaElement),
  linkNote: byId("link-note", HTMLElement),
});

/**
 * @param {DataEls} el
 * @param {{state: DataState, presets: Record<string, Preset>, indices: () => boolean,
 *   changed: () => void, chose: (p: Preset | null) => void}} host `indices`: whether the loss
 *   takes class indices; `chose(p)`: other data was chosen, a preset (its stack and loss replace
 *   the page's) or the pasted boxes (null)
 * @returns {DataInput}
 */
export function dataInput(el, { state, presets, indices, changed, chose }) {
  const current = () => {
    if (state.data !== "custom") {
      const p = presets[state.data];
      return /** @type {Data} */ ({ x: p.x, targets: p.targets });
    }
    return { x: parseMatrix(el.x.value, "x"), targets: parseTargets(el.t.value, indices()) };
  };
  for (const box of [el.x, el.t]) box.addEventListener("input", debounce(changed, 400));
  // the rows the Training page sent (Xt), said until the learner edits them
  const sentNote = byId("sent-note", HTMLElement);
  const showSent = () => {
    sentNote.hidden = !state.Xt;
    sentNote.textContent = state.Xt ? `x and targets: ${state.Xt} of the Training page's data.` : "";
  };
  for (const box of [el.x, el.t])
    box.addEventListener("input", () => {
      state.Xt = "";
      showSent();
    });
  showSent();
  /** @type {DataInput} */
  const input = {
    current,
    parsed() {
      try {
        return current();
      } catch {
        return null; // the run shows why, at its box
      }
    },
    encode() {
      const custom = state.data === "custom";
      const base = custom ? presets[state.base] : undefined;
      if (!base) state.base = "";
      const [X, T] = custom ? [encodeRows(el.x.value, base?.x), encodeRows(el.t.value, base?.targets)] : ["", ""];
      const fits = X.length + T.length <= URL_DATA_MAX;
      Object.assign(state, fits ? { X, T } : { X: "", T: "" });
      el.linkNote.textContent = fits ? "" : "This data is too long for the link: a copied link opens without it.";
    },
    paste(prev) {
      if (el.x.value.trim()) return;
      const src = presets[prev] && presets[prev].x.length <= 60 ? presets[prev] : presets.toy_2d;
      if (src) [el.x.value, el.t.value] = [matrixText(src.x), matrixText(src.targets)];
      state.base = src ? src.name : "";
    },
    fill(x, targets) {
      el.select.value = "custom";
      el.custom.hidden = false;
      [el.x.value, el.t.value] = [matrixText(x), matrixText(targets)];
    },
    restore() {
      el.select.value = state.data;
      el.custom.hidden = state.data !== "custom";
      if (state.data === "custom")
        [el.x.value, el.t.value] = [
          decodeRows(state.X, presets[state.base]?.x),
          decodeRows(state.T, presets[state.base]?.targets),
        ];
    },
    shape() {
      if (state.data === "custom") return shapeHint(el.x.value);
      const x = presets[state.data]?.x;
      return x ? `x is ${x.length} × ${x[0]?.length ?? 0}; ` : "";
    },
  };
  el.select.addEventListener("change", () => {
    const prev = state.data;
    state.data = el.select.value;
    el.custom.hidden = state.data !== "custom";
    if (state.data === "custom") input.paste(prev);
    chose(state.data === "custom" ? null : presets[state.data]);
    changed();
  });
  return input;
}
