// Formulas: KaTeX, loaded once. Until start() (boot.js calls it once the page's first plots are
// drawn, so KaTeX does not compete with plotly.js for the first paint) formulas only wait, as
// data-tex attributes; start() renders them all.
import { activity } from "./api.js";
import { loadScript } from "./dom.js";

let started = false;

/** Render every formula from now on, and those waiting. */
export function start() {
  started = true;
  return renderTex();
}

/**
 * Render every .tex[data-tex] inside `scope` that changed since it was last rendered.
 * @param {ParentNode} [scope]
 */
export async function renderTex(scope = document) {
  const todo = [...scope.querySelectorAll(".tex[data-tex]")].filter(
    (el) => el instanceof HTMLElement && el.dataset.rendered !== el.dataset.tex,
  );
  if (!started || !todo.length) return;
  activity.inflight++;
  try {
    if (!window.katex) await loadScript(document.body.dataset.katex || "");
    for (const el of todo) {
      if (!(el instanceof HTMLElement)) continue;
      const tex = el.dataset.tex || "";
      try {
        window.katex?.render(tex, el, {
          throwOnError: false,
          trust: false, // \href{javascript:...} and \includegraphics stay text
          displayMode: el.classList.contains("display"),
        });
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
