// The Run: one POST /network/run at a time through the form's request cycle (errors at their
// field, the last good cards kept and marked stale), the Run button and its status, and the
// automatic run a change starts when the batch is small enough.
import { post } from "../../kit/api.js";
import { byId } from "../../kit/dom.js";
import { Cycle, debounce } from "../../kit/lifecycle.js";

/** @typedef {import("./result.js").Result} Result */
/** @typedef {import("../../types/kit").Schemas["NetworkRequest"]} RunBody */
/**
 * @typedef {object} Runner
 * @property {Cycle} cycle the form's request cycle (a panel's input error goes through it)
 * @property {() => Promise<unknown>} run run now
 * @property {() => void} now run now, dropping a pending automatic run
 * @property {(rows: number, gc: boolean) => void} changed the inputs changed: mark the cards
 *   stale and run soon, or, for a batch of more than AUTO_RUN_MAX_ROWS rows, ask for the button
 */

/** Bigger batches wait for the Run button. */
export const AUTO_RUN_MAX_ROWS = 200;

/**
 * What the status says after a change: nothing (an automatic run follows) or to press Run.
 * @param {number} rows the batch's rows (0 when the data does not parse: the run says why)
 * @param {boolean} gc whether the gradient check is on
 * @returns {string | null} null: run automatically
 */
export const changedNote = (rows, gc) =>
  rows <= AUTO_RUN_MAX_ROWS ? null : `changed: press Run (${rows} samples${gc ? ", with gradient check" : ""})`;

/**
 * @template D
 * @param {{form: HTMLFormElement, status: HTMLElement, button: HTMLButtonElement, cards: HTMLElement[],
 *   layerList: HTMLOListElement}} el
 * @param {{request: () => {data: D, body: RunBody}, custom: () => boolean,
 *   done: (r: Result, data: D, body: RunBody) => Promise<unknown>}} host `request()` the data and
 *   the request (throws at a box that does not parse), `custom()` whether the data is pasted (the
 *   API's errors on x and targets then go to their boxes, else to the data select), `done` shows a run
 * @returns {Runner}
 */
export function runner(el, host) {
  const cycle = new Cycle({
    scope: el.form,
    cards: el.cards,
    placement: {
      locate: (path) =>
        path[0] === "layers" && typeof path[1] === "number" ? (el.layerList.children[path[1]] ?? null) : null,
    },
  });
  for (const card of cycle.cards)
    for (const label of [card, card.querySelector(":scope > .panel-title")])
      if (label instanceof HTMLElement) label.dataset.stale = "out of date — Run";
  const run = () => {
    cycle.placement.alias = host.custom() ? {} : { x: "data", targets: "data" };
    el.status.textContent = "running…";
    el.button.disabled = true;
    const t0 = performance.now();
    return cycle
      .run(
        async (signal) => {
          const { data, body } = host.request();
          // forward, backward, params and seed are always asked for: the answer has them.
          const r = /** @type {Result} */ (await post("/api/v1/network/run", body, signal));
          return { data, r, body };
        },
        ({ data, r, body }) => {
          el.status.textContent = `done in ${Math.round(performance.now() - t0)} ms`;
          return host.done(r, data, body);
        },
      )
      .finally(() => {
        el.button.disabled = false;
        if (el.status.textContent === "running…") el.status.textContent = "";
      });
  };
  const soon = debounce(run, 250);
  el.form.addEventListener("submit", (e) => {
    e.preventDefault();
    soon.flush();
  });
  return {
    cycle,
    run,
    now: () => soon.flush(),
    changed(rows, gc) {
      cycle.outdated();
      const note = changedNote(rows, gc);
      if (note === null) soon();
      else el.status.textContent = note;
    },
  };
}

/** The Run's elements, by their ids in network.html (the cards a run redraws included). */
export const runnerEls = () => ({
  form: byId("controls", HTMLFormElement),
  status: byId("status", HTMLElement),
  button: byId("run", HTMLButtonElement),
  cards: ["card-tensors", "card-gc", "card-jac", "card-seed", "graph"].map((id) => byId(id, HTMLElement)),
  layerList: byId("layers", HTMLOListElement),
});
