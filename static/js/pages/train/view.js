// The stage: the four plots and the status line, drawn from the run at most once per animation
// frame however many lines arrive before it.
import { activity } from "../../kit/api.js";
import { byId } from "../../kit/dom.js";
import { warningList } from "../../kit/verdict.js";
import { HEALTHY, drawBoundary, drawLosses, drawPerLayer } from "./charts.js";
import { statusText } from "./progress.js";

/** @typedef {import("./progress.js").Run} Run */

const WAITING = "the update ratios start after the first epoch";

/**
 * @typedef {object} View
 * @property {HTMLElement[]} cards the plots' cards (kept, marked stale, on an error)
 * @property {() => void} render draw now
 * @property {() => void} redraw draw at the next frame (once for any number of calls before it)
 * @property {(text: string) => void} say put a note in the status line
 */

/**
 * @param {{run: Run, loss: () => string, layerNames: () => string[], onRender: () => void}} deps
 *   `onRender` runs after each render (what else shows the run's epoch)
 * @returns {View}
 */
export function trainView({ run, loss, layerNames, onRender }) {
  const el = {
    status: byId("status", HTMLElement),
    warnings: byId("train-warnings", HTMLElement),
    boundary: byId("plot-boundary", HTMLElement),
    losses: byId("plot-loss", HTMLElement),
    grads: byId("plot-grads", HTMLElement),
    ratios: byId("plot-ratios", HTMLElement),
  };
  let frame = 0;
  const render = () => {
    frame = 0;
    run.renders++;
    const d = run.data;
    if (!d) return;
    const names = layerNames();
    void drawBoundary(el.boundary, d, run.boundary, run.curve, run.epoch);
    void drawLosses(el.losses, run.history, loss());
    const h = run.history;
    void drawPerLayer(el.grads, h.epoch, h.grads, names, "gradient norm ‖∂L/∂W‖ per layer", "‖∂L/∂W‖");
    void drawPerLayer(
      el.ratios,
      h.epoch,
      h.ratios,
      names,
      "update / weight ‖ΔW‖/‖W‖ per layer",
      "ratio",
      HEALTHY,
      WAITING,
    );
    el.status.textContent = statusText(run.last, d.regression);
    const warnings = Object.values(run.warnings);
    if (warnings.length || el.warnings.childElementCount) el.warnings.replaceChildren(warningList(warnings));
    onRender();
  };
  return {
    cards: [el.boundary, el.losses, el.grads, el.ratios].map((gd) => /** @type {HTMLElement} */ (gd.parentElement)),
    render,
    redraw: () => {
      if (frame) return;
      activity.pending++;
      frame = requestAnimationFrame(() => {
        activity.pending--;
        render();
      });
    },
    say: (text) => {
      el.status.textContent = text;
    },
  };
}
