// One step of a lesson, rendered on the server: this module records the step as seen (in this
// browser only) and moves to the previous or next step with ← and →.
import { byId } from "../kit/dom.js";
import { start } from "../kit/page.js";
import { markSeen } from "../lessons/progress.js";

/** @param {KeyboardEvent} e */
const typing = (e) =>
  e.target instanceof HTMLElement && (e.target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName));

export function init() {
  const main = byId("lesson", HTMLElement);
  markSeen(localStorage, main.dataset.lesson || "", Number(main.dataset.step));
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || typing(e)) return;
    const link = e.key === "ArrowRight" ? "next" : e.key === "ArrowLeft" ? "prev" : null;
    const a = link && document.getElementById(link);
    if (a instanceof HTMLAnchorElement) {
      e.preventDefault();
      location.assign(a.href);
    }
  });
}

start(init);
