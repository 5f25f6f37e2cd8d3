// Errors shown where they happen: next to the input that the 422's `loc` names.
//
// An input that can be blamed carries data-field="<api name>" (several names separated by
// spaces); its message goes to the element with data-error-for="<first name>" (or the
// .field-error beside it). An error whose loc names no input goes to the scope's .form-error box,
// so nothing fails silently.
import { errorItems } from "./api.js";

/** @typedef {(path: (string | number)[]) => Element | null} Locate */
/** @typedef {{alias?: Record<string, string>, locate?: Locate}} Placement */

/** @param {ParentNode} scope */
export function clearErrors(scope) {
  scope.querySelectorAll(".invalid").forEach((el) => {
    el.classList.remove("invalid");
    el.removeAttribute("aria-invalid");
  });
  scope.querySelectorAll(".field-error, .form-error").forEach((el) => {
    el.textContent = "";
    el.classList.remove("shown");
  });
}

/**
 * Mark `target` invalid and put `msg` in its error box (appending to a message already shown).
 * @param {ParentNode} scope
 * @param {Element} target
 * @param {string} msg
 * @returns {boolean} whether a box for it was found
 */
export function markField(scope, target, msg) {
  // a field inside a closed section (the optimizer's settings) is shown, never marked unseen
  for (let d = target.closest("details"); d; d = d.parentElement?.closest("details") ?? null) d.open = true;
  target.classList.add("invalid");
  target.setAttribute("aria-invalid", "true");
  const name = (target instanceof HTMLElement && target.dataset.field ? target.dataset.field : "").split(" ")[0];
  const box =
    (name && scope.querySelector(`[data-error-for="${CSS.escape(name)}"]`)) ||
    target.parentElement?.querySelector(".field-error") ||
    null;
  if (!box) return false;
  box.textContent =
    box.classList.contains("shown") && !box.textContent?.includes(msg) ? `${box.textContent}; ${msg}` : msg;
  box.classList.add("shown");
  if (box.id) {
    const ids = new Set((target.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
    target.setAttribute("aria-describedby", [...ids.add(box.id)].join(" "));
  }
  return true;
}

/**
 * Show `err` (any thrown value) next to the input(s) it names inside `scope`.
 * `alias` maps an API field name to the data-field used on the page (e.g. {h_min: "h"});
 * `locate(path)` may return an element for paths a flat lookup cannot place
 * (e.g. ["layers", 2, "W"]). Returns the items shown.
 * @param {ParentNode} scope
 * @param {unknown} err
 * @param {Placement} [placement]
 */
export function showErrors(scope, err, { alias = {}, locate } = {}) {
  const items = errorItems(err);
  /** @type {string[]} */
  const unplaced = [];
  for (const { loc, msg } of items) {
    const path = loc[0] === "body" ? loc.slice(1) : loc;
    let target = locate ? locate(path) : null;
    if (!target && path.length) target = byField(scope, alias[String(path[0])] || String(path[0]));
    if (!target && !path.length) target = mentioned(scope, msg, alias);
    if (target && markField(scope, target, msg)) continue;
    unplaced.push(path.length ? `${path.join(".")}: ${msg}` : msg);
  }
  const box = scope.querySelector(".form-error");
  if (unplaced.length && box) {
    box.textContent = unplaced.join("\n");
    box.classList.add("shown");
  }
  return items;
}

/**
 * @param {ParentNode} scope
 * @param {string} name
 */
function byField(scope, name) {
  return scope.querySelector(`[data-field~="${CSS.escape(name)}"]`);
}

/**
 * A whole-body error ("targets has 3 entries but x has 4 rows") names its field in words.
 * @param {ParentNode} scope
 * @param {string} msg
 * @param {Record<string, string>} alias
 */
function mentioned(scope, msg, alias) {
  for (const w of new Set(msg.match(/[A-Za-z_][A-Za-z0-9_]*/g) || [])) {
    const el = w.length > 1 ? byField(scope, alias[w] || w) : null;
    if (el) return el;
  }
  return null;
}
