// The run's settings in the sidebar: the loss, the gradient check and its step h.
import { byId } from "../../kit/dom.js";

/**
 * @typedef {object} Settings
 * @property {() => void} restore show the state's values (the first view)
 * @property {(loss: string) => void} setLoss choose a loss (a preset's, a hunt's)
 * @property {() => void} checkOn turn the gradient check on (a hunt needs it)
 */

/** The settings' elements, by their ids in network.html. */
export const settingsEls = () => ({
  loss: byId("loss", HTMLSelectElement),
  gc: byId("gc", HTMLInputElement),
  h: byId("h", HTMLSelectElement),
});

/**
 * @param {{loss: HTMLSelectElement, gc: HTMLInputElement, h: HTMLSelectElement}} el
 * @param {{state: {loss: string, gc: boolean, h: number}, changed: () => void}} host
 * @returns {Settings}
 */
export function settings(el, { state, changed }) {
  el.loss.addEventListener("change", () => {
    state.loss = el.loss.value;
    changed();
  });
  el.gc.addEventListener("change", () => {
    state.gc = el.gc.checked;
    changed();
  });
  el.h.addEventListener("change", () => {
    state.h = Number(el.h.value);
    changed();
  });
  return {
    restore() {
      el.loss.value = state.loss;
      el.gc.checked = state.gc;
      const option = [...el.h.options].find((o) => Number(o.value) === state.h);
      if (option) el.h.value = option.value;
    },
    setLoss(loss) {
      el.loss.value = state.loss = loss;
    },
    checkOn() {
      el.gc.checked = state.gc = true;
    },
  };
}
