// The training page's keyboard shortcuts, as the graph page's: Space or k play/pause, → or s
// one epoch, Home or r reset; ignored while the focus is in a form control (the keys are the
// field's then) or with a modifier, and a focused button keeps Space and Enter for itself.

/** @typedef {"toggle" | "step" | "reset"} Action */

/** The keys and what they do. */
export const KEYS = /** @type {Record<string, Action>} */ ({
  " ": "toggle",
  k: "toggle",
  ArrowRight: "step",
  s: "step",
  Home: "reset",
  r: "reset",
});

const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

/**
 * The action of a key press, or null: none while typing, with a modifier, or Space/Enter on a
 * focused button.
 * @param {{key: string, ctrlKey?: boolean, metaKey?: boolean, altKey?: boolean}} e
 * @param {{tagName: string, isContentEditable?: boolean} | null} focus the element the key goes to
 * @returns {Action | null}
 */
export function actionOf(e, focus) {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (focus && (TYPING.has(focus.tagName) || focus.isContentEditable)) return null;
  if (focus && focus.tagName === "BUTTON" && (e.key === " " || e.key === "Enter")) return null;
  return KEYS[e.key] ?? null;
}

/**
 * Bind the shortcuts on `target` (the document).
 * @param {EventTarget} target
 * @param {Record<Action, () => void>} actions
 */
export function bindKeys(target, actions) {
  target.addEventListener("keydown", (e) => {
    if (!(e instanceof KeyboardEvent)) return;
    const action = actionOf(e, e.target instanceof HTMLElement ? e.target : null);
    if (!action) return;
    e.preventDefault();
    actions[action]();
  });
}
