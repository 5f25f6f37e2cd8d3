// Formulas: KaTeX, loaded once when a page first has one to show.
import { activity } from "./activity.js";
import { loadScript } from "./dom.js";

/**
 * Render every .tex[data-tex] inside `scope` that changed since it was last rendered.
 * @param {ParentNode} [scope]
 */
export async function renderTex(scope = document) {
  const todo = [...scope.querySelectorAll(".tex[data-tex]")].filter(
    (el) => el instanceof HTMLElement && el.dataset.rendered !== el.dataset.tex,
  );
  if (!todo.length) return;
  activity.inflight++;
  try {
    if (!window.katex) await loadScript(document.body.dataset.katex || "");
    for (const el of todo) {
      if (!(el instanceof HTMLElement)) continue;
      const tex = el.dataset.tex || "";
      try {
        window.katex?.render(tex, el, { throwOnError: false, displayMode: el.classList.contains("display") });
      } catch {
        el.textContent = tex;
      }
      el.dataset.rendered = tex;
    }
  } finally {
    activity.inflight--;
  }
}

/**
 * Set an element's formula and render it.
 * @param {HTMLElement} el
 * @param {string} tex
 */
export function setTex(el, tex) {
  el.classList.add("tex");
  el.dataset.tex = tex;
  return renderTex(el.parentElement || el);
}
