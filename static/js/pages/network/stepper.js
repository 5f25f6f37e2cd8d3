// The step bar: ← back, step →, ▶ play, reset, with the keys → ← space r. It owns the position
// (-1 is the all-at-once view) and writes the current step's chain rule; what a step shows in the
// graph and the tensor panel is the page's (host.show).
import { byId, h } from "../../kit/dom.js";
import { num } from "../../kit/state.js";

/** @typedef {import("./step.js").Step} Step */
/**
 * @typedef {{text: HTMLElement, back: HTMLButtonElement, next: HTMLButtonElement, play: HTMLButtonElement,
 *   speed: HTMLSelectElement, reset: HTMLButtonElement, graph: HTMLElement}} StepperEls
 */
/**
 * @typedef {object} StepperHost
 * @property {{step: number}} state the page's state: the position is kept in the link
 * @property {() => Step[] | null} steps the run's steps, or null while there is no run
 * @property {(step: Step | null) => void} show show a step's node (null: the all-at-once view);
 *   it writes the state to the URL
 */

/** The step bar's URL key, spread into the Network page's state. */
export const STEP_STATE = {
  step: num(-1, { min: -1, integer: true }), // the step shown; -1: all at once
};
/**
 * @typedef {object} Stepper
 * @property {() => number} at the position: a step's index, or -1 for the all-at-once view
 * @property {() => void} show show the position again (after a new run)
 * @property {() => void} write write the current step's equations again (another cell chosen)
 * @property {() => void} sync enable the buttons for the run's steps (after a new run)
 */

/**
 * The position after moving by `d` from `at` among `count` steps: within -1 … count − 1.
 * @param {number} at
 * @param {number} d
 * @param {number} count
 */
export const moveStep = (at, d, count) => Math.max(-1, Math.min(count - 1, at + d));

/** The step bar's elements, by their ids in network.html. @returns {StepperEls} */
export const stepperEls = () => ({
  text: byId("step-text", HTMLElement),
  back: byId("step-back", HTMLButtonElement),
  next: byId("step-next", HTMLButtonElement),
  play: byId("step-play", HTMLButtonElement),
  speed: byId("step-speed", HTMLSelectElement),
  reset: byId("step-reset", HTMLButtonElement),
  graph: byId("graph", HTMLElement),
});

/**
 * @param {StepperEls} el
 * @param {StepperHost} host
 * @returns {Stepper}
 */
export function stepper(el, host) {
  let at = host.state.step;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let playing = null;
  const stop = () => {
    if (playing !== null) clearTimeout(playing);
    playing = null;
    el.play.textContent = "▶ play";
  };
  const write = () => {
    const steps = host.steps() ?? [];
    const s = steps[at];
    if (!s) return;
    Object.assign(el.text.dataset, { step: String(at), phase: s.phase });
    el.text.replaceChildren(
      h(
        "div",
        { class: "step-head" },
        `step ${at + 1} of ${steps.length}, ${s.head}`,
        h("span", { class: "step-cell" }, ` · the outlined cell's numbers (click another cell to choose it)`),
      ),
      ...s.eqs.map((e) =>
        h("div", { class: "eq", dataset: { name: e.name, value: String(e.value), api: String(e.api) } }, e.text),
      ),
    );
  };
  /** Disable what would move past an end: back in the all-at-once view, step → at the last step. */
  const sync = () => {
    const count = host.steps()?.length ?? 0;
    el.back.disabled = at < 0;
    el.next.disabled = at >= count - 1;
  };
  const show = () => {
    const steps = host.steps();
    if (!steps) return;
    at = Math.min(at, steps.length - 1);
    host.state.step = at;
    sync();
    el.graph.querySelectorAll(".node.current").forEach((b) => b.classList.remove("current"));
    if (at < 0) {
      el.text.replaceChildren();
      delete el.text.dataset.step;
      delete el.text.dataset.phase;
      host.show(null);
      return;
    }
    const s = steps[at];
    write();
    host.show(s);
  };
  const by = (/** @type {number} */ d) => {
    const steps = host.steps();
    if (!steps) return false;
    at = moveStep(at, d, steps.length);
    show();
    return at < steps.length - 1;
  };
  const play = () => {
    if (playing !== null) return stop();
    el.play.textContent = "❚❚ pause";
    const tick = () => {
      playing = by(1) ? setTimeout(tick, Number(el.speed.value)) : null;
      if (playing === null) stop();
    };
    tick();
  };
  const reset = () => {
    stop();
    at = -1;
    show();
  };
  el.next.addEventListener("click", () => by(1));
  el.back.addEventListener("click", () => by(-1));
  el.play.addEventListener("click", play);
  el.reset.addEventListener("click", reset);
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    const typing =
      t instanceof HTMLInputElement ||
      t instanceof HTMLTextAreaElement ||
      t instanceof HTMLSelectElement ||
      (t instanceof HTMLElement && t.isContentEditable) ||
      // space on a button or a focusable row is its own click
      (e.key === " " && t instanceof HTMLElement && t.closest("button, [tabindex]") !== null);
    if (typing || e.altKey || e.ctrlKey || e.metaKey) return;
    const act = { ArrowRight: () => by(1), ArrowLeft: () => by(-1), " ": play, r: reset }[e.key];
    if (!act) return;
    e.preventDefault();
    act();
  });
  return { at: () => at, show, write, sync };
}
