// The nudge test: one weight moved by Δ over a sweep, the actual ΔL beside ∂L/∂w · Δ on log axes;
// the gap shrinks like Δ² where the loss is smooth, and not where a ReLU kink is crossed.
import { post } from "../../kit/api.js";
import { num } from "../../kit/format.js";
import { QUIET, draw, line } from "../../kit/plot.js";

/**
 * @param {{card: HTMLElement, gd: HTMLElement, note: HTMLElement, title: HTMLElement,
 *   min: HTMLInputElement, max: HTMLInputElement, cycle: import("../../kit/lifecycle.js").Cycle}} el
 */
export function nudgeView(el) {
  /** @type {{body: Record<string, unknown>, index: number, entry: [number, number]} | null} */
  let target = null;
  const abs = (/** @type {number[]} */ v) => v.map((x) => Math.abs(x));
  const run = () => {
    if (!target) return Promise.resolve(null);
    const { body, index, entry } = target;
    el.card.hidden = false;
    el.title.textContent = `layer ${index} W[${entry[0]}, ${entry[1]}]`;
    const req = {
      ...body,
      index,
      param: "W",
      entry,
      delta_min: Number(el.min.value),
      delta_max: Number(el.max.value),
      num: 25,
    };
    return el.cycle.run(
      (signal) =>
        /** @type {Promise<any>} */ (
          post(/** @type {any} */ ("/api/v1/network/nudge"), /** @type {any} */ (req), signal)
        ),
      (/** @type {any} */ r) => {
        const kinked = r.deltas.filter((/** @type {number} */ _, /** @type {number} */ k) => r.crossed_kink[k]);
        el.note.dataset.order = String(r.order);
        el.note.dataset.kink = kinked.length ? "1" : "0";
        el.note.textContent =
          `∂L/∂w = ${num(r.grad, 8)}; fitted order of the gap: ${num(r.order, 3)} (2 where the loss is smooth)` +
          (kinked.length
            ? `. A ReLU kink is crossed for Δ ≥ ${num(kinked[0], 3)}: there the first-order prediction is not ` +
              "the change, and the gap no longer shrinks like Δ²."
            : "");
        const hover = "Δ = %{x:.3g}<br>%{y:.6g}<extra>%{fullData.name}</extra>";
        return draw(
          el.gd,
          [
            { ...line("|actual ΔL|", r.deltas, abs(r.actual), { color: "#1f5f99", hover }), mode: "lines+markers" },
            line("|predicted ∂L/∂w·Δ|", r.deltas, abs(r.predicted), { color: "#e08a1e", dash: "dash", hover }),
            { ...line("gap", r.deltas, abs(r.gap), { color: "#c62828", hover }), mode: "lines+markers" },
          ],
          /** @type {any} */ ({
            margin: { l: 56, r: 8, t: 8, b: 36 },
            xaxis: { type: "log", title: { text: "Δ" } },
            yaxis: { type: "log", title: { text: "|ΔL|" }, exponentformat: "power" },
            legend: { orientation: "h", y: 1.12 },
          }),
          QUIET,
        );
      },
    );
  };
  el.min.addEventListener("change", () => void run());
  el.max.addEventListener("change", () => void run());
  return {
    /**
     * Test the entry W[i, j] of layer `index` on the run's inputs.
     * @param {Record<string, unknown>} body the run's x, targets, layers, loss
     * @param {number} index
     * @param {[number, number]} entry
     */
    pick(body, index, entry) {
      target = { body, index, entry };
      return run();
    },
    run,
  };
}
