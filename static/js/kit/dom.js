// DOM helpers: typed element lookup, element building, number inputs with a guard, log sliders,
// chips and radio groups. Nothing here knows about a particular page.
import { fieldError } from "./api.js";

/**
 * The element with this id, checked to be of `type` (so the result is typed).
 * @template {Element} T
 * @param {string} id
 * @param {abstract new (...args: any[]) => T} type
 * @returns {T}
 */
export function byId(id, type) {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`#${id} is missing or not a ${type.name}`);
  return el;
}

/** @typedef {string | number | boolean | null | undefined | ((e: Event) => void) | Record<string, string>} PropValue */

/**
 * Build an element: h("button", {type: "button", class: "btn", onclick: fn}, "text").
 * `class`, `style` (an object), `dataset` (an object), `on<event>` handlers, `aria-*` and other
 * attributes; children are nodes or strings.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, PropValue>} [props]
 * @param {(Node | string | null | false)[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = String(v);
    else if (typeof v === "object" && (k === "style" || k === "dataset")) Object.assign(el[k], v);
    else if (k in el && !k.includes("-") && typeof v !== "object") /** @type {any} */ (el)[k] = v;
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== false) el.append(c);
  return el;
}

/**
 * The number an input holds, or an error for its field: empty (unless allowed), not a number,
 * not finite (1e400), or not whole. Ranges are left to the API, which names its limits, except
 * where the field is in other units than the API's (test % against test_fraction): there `min`
 * and `max`, in the field's units, say the range in the words the learner sees.
 * @param {HTMLInputElement} input
 * @param {{allowEmpty?: boolean, integer?: boolean, label?: string, min?: number, max?: number}} [opts]
 * @returns {{value: number | null, error: import("./api.js").ApiError | null}}
 */
export function readNumber(input, { allowEmpty = false, integer = false, label, min, max } = {}) {
  const text = input.value.trim();
  const name = label || input.labels?.[0]?.textContent?.trim() || input.getAttribute("aria-label") || input.id;
  const loc = [(input.dataset.field || input.id).split(" ")[0]];
  const v = Number(text);
  /** @param {string} msg */
  const bad = (msg) => ({ value: null, error: fieldError(loc, msg) });
  if (input.validity.badInput || (text !== "" && Number.isNaN(v))) return bad(`${name} must be a number`);
  if (text === "") return allowEmpty ? { value: null, error: null } : bad(`${name} is empty: type a number`);
  if (!Number.isFinite(v)) return bad(`${name} must be a finite number (${text} is beyond float64)`);
  if (integer && !Number.isInteger(v)) return bad(`${name} must be a whole number`);
  if ((min !== undefined && v < min) || (max !== undefined && v > max))
    return bad(`${name} must be between ${min ?? "−∞"} and ${max ?? "∞"}`);
  return { value: v, error: null };
}

/**
 * Guard a number input: on `event`, a good value goes to `onValue`; a bad one to `onError`
 * (typically a Cycle's fail, which shows it beside the input). The guard is also returned as a
 * check the Cycle runs before each request, so a bad value cannot hide behind a later change.
 * @param {HTMLInputElement} input
 * @param {{onValue: (v: number | null) => void, onError: (err: import("./api.js").ApiError) => void,
 *          event?: "change" | "input", allowEmpty?: boolean, integer?: boolean, label?: string,
 *          min?: number, max?: number}} opts
 * @returns {() => import("./api.js").ApiError | null}
 */
export function numberInput(input, { onValue, onError, event = "change", ...rules }) {
  input.addEventListener(event, () => {
    const { value, error } = readNumber(input, rules);
    if (error) onError(error);
    else onValue(value);
  });
  return () => readNumber(input, rules).error;
}

/**
 * A range input on a log10 scale: position p stands for 10^p, rounded to `digits` significant
 * digits. `pill` (optional) shows the value as text.
 * @param {HTMLInputElement} range
 * @param {{format: (v: number) => string, pill?: HTMLElement | null, digits?: number}} opts
 */
export function logSlider(range, { format, pill = null, digits = 3 }) {
  const toValue = (/** @type {number} */ p) => Number((10 ** p).toPrecision(digits));
  return {
    /** The value the slider stands for now. */
    get value() {
      return toValue(Number(range.value));
    },
    /** Move the slider to `v` (> 0) and show it. */
    set value(v) {
      if (v > 0) range.value = String(Math.log10(v));
      if (pill) pill.textContent = format(v);
      range.setAttribute("aria-valuetext", format(v));
    },
    /** @param {(v: number) => void} fn called with the value while the slider moves */
    onInput(fn) {
      range.addEventListener("input", () => {
        const v = toValue(Number(range.value));
        if (pill) pill.textContent = format(v);
        range.setAttribute("aria-valuetext", format(v));
        fn(v);
      });
    },
  };
}

/**
 * Checkbox chips with a colour dot each, in `box`; `onChange` gets the checked values in order.
 * @param {HTMLElement} box
 * @param {{value: string, label: string, color: string}[]} items
 * @param {{checked: readonly string[], idPrefix: string, onChange: (values: string[]) => void}} opts
 */
export function chips(box, items, { checked, idPrefix, onChange }) {
  const inputs = items.map((it) =>
    h("input", {
      type: "checkbox",
      id: `${idPrefix}${it.value}`,
      value: it.value,
      checked: checked.includes(it.value),
    }),
  );
  box.replaceChildren(
    ...items.map((it, i) =>
      h(
        "label",
        { class: "chip" },
        inputs[i],
        h("span", { class: "dot", style: { background: it.color }, "aria-hidden": "true" }),
        it.label,
      ),
    ),
  );
  const values = () => inputs.filter((c) => c.checked).map((c) => c.value);
  for (const c of inputs) c.addEventListener("change", () => onChange(values()));
  box.removeAttribute("aria-busy");
  return {
    /** @param {readonly string[]} on */
    set(on) {
      for (const c of inputs) c.checked = on.includes(c.value);
    },
  };
}

/**
 * The radio buttons named `name` in `scope`: check one, and hear changes.
 * @param {ParentNode} scope
 * @param {string} name
 * @param {(value: string) => void} onChange
 */
export function radios(scope, name, onChange) {
  const all = [...scope.querySelectorAll(`input[type=radio][name="${CSS.escape(name)}"]`)].filter(
    (el) => el instanceof HTMLInputElement,
  );
  for (const r of all) r.addEventListener("change", () => r.checked && onChange(r.value));
  return {
    /** @param {string} value */
    set(value) {
      const r = all.find((x) => x.value === value) || all[0];
      if (r) r.checked = true;
    },
  };
}

/**
 * Paint every [data-swatch="<name>"] inside `scope` with `colors[name]`, so a legend swatch in
 * the HTML always has the colour its curve is drawn with.
 * @param {ParentNode} scope
 * @param {Record<string, string>} colors
 */
export function paintSwatches(scope, colors) {
  scope.querySelectorAll("[data-swatch]").forEach((el) => {
    const c = el instanceof HTMLElement ? colors[el.dataset.swatch || ""] : undefined;
    if (c && el instanceof HTMLElement) el.style.background = c;
  });
}

/** @type {Map<string, Promise<void>>} */
const scripts = new Map();

/**
 * Load a classic script once (the CSP allows scripts from this server only).
 * @param {string} src
 * @returns {Promise<void>}
 */
export function loadScript(src) {
  let p = scripts.get(src);
  if (!p) {
    p = new Promise((resolve, reject) => {
      const s = h("script", { src });
      s.addEventListener("load", () => resolve());
      s.addEventListener("error", () => reject(new Error(`could not load ${src}`)));
      document.head.append(s);
    });
    scripts.set(src, p);
  }
  return p;
}
