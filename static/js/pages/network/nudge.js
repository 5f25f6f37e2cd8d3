// The nudge test: one weight moved by ±Δ over a sweep, the actual ΔL beside ∂L/∂w · Δ on log axes
// of |Δ| (one series per sign); the gap shrinks like Δ² where the loss is smooth, and not where a
// ReLU kink is crossed. The API's warnings are shown beside the chart.
import { post } from "../../kit/api.js";
import { byId, h } from "../../kit/dom.js";
import { Cycle } from "../../kit/lifecycle.js";
import { num } from "../../kit/format.js";
import { QUIET, draw, line } from "../../kit/plot.js";
import { num as numProp, str } from "../../kit/state.js";

/** The nudge's URL keys, spread into the Network page's state. */
export const NUDGE_STATE = {
  nw: str(""), // the weight nudged: "<layer>:<row>,<column>" of its W; empty: no nudge
  nlo: numProp(1e-6, { min: 0 }), // the smallest |Δ|
  nhi: numProp(0.1, { min: 0 }), // the largest |Δ|
};

/** @typedef {{index: number, entry: [number, number]}} Nudged */

/** @param {Nudged} n */
export const formatNudge = (n) => `${n.index}:${n.entry[0]},${n.entry[1]}`;

/**
 * The weight a link names ("0:1,2"), or null when it names none.
 * @param {string} text
 * @returns {Nudged | null}
 */
export function parseNudge(text) {
  const m = /^(\d+):(\d+),(\d+)$/.exec(text.trim());
  return m ? { index: Number(m[1]), entry: [Number(m[2]), Number(m[3])] } : null;
}

/** Nudges per sign. */
const PER_SIGN = 25;

/**
 * `count` values from `lo` to `hi`, evenly spaced on a log axis.
 * @param {number} lo
 * @param {number} hi
 * @param {number} count
 */
export const logspace = (lo, hi, count) =>
  Array.from(
    { length: count },
    (_, k) => 10 ** (Math.log10(lo) + ((Math.log10(hi) - Math.log10(lo)) * k) / (count - 1)),
  );

/** The nudge card's elements, by their ids in network.html. */
export function nudgeEls() {
  const card = byId("card-nudge", HTMLElement);
  return {
    card,
    gd: byId("hm-nudge", HTMLElement),
    note: byId("nudge-note", HTMLElement),
    title: byId("nudge-title", HTMLElement),
    warnings: byId("nudge-warnings", HTMLElement),
    noWarnings: byId("nudge-no-warnings", HTMLElement),
    min: byId("nudge-min", HTMLInputElement),
    max: byId("nudge-max", HTMLInputElement),
    cycle: new Cycle({ scope: card, cards: [card] }),
  };
}

/**
 * @typedef {object} Nudge
 * @property {(body: Record<string, unknown>, index: number, entry: [number, number]) => Promise<unknown>} pick
 *   test the entry W[i, j] of layer `index` on the run's inputs (`body`: its x, targets, layers, loss)
 * @property {(body: Record<string, unknown>) => void} resume the first run came: test the weight
 *   the link names, if any (once)
 */

/**
 * @param {{card: HTMLElement, gd: HTMLElement, note: HTMLElement, title: HTMLElement,
 *   warnings: HTMLElement, noWarnings: HTMLElement, min: HTMLInputElement, max: HTMLInputElement,
 *   cycle: import("../../kit/lifecycle.js").Cycle}} el
 * @param {{state: {nw: string, nlo: number, nhi: number}, save: () => void}} host the page's
 *   state (the weight and the range are kept in the link) and how to write it to the URL
 * @returns {Nudge}
 */
export function nudgeView(el, { state, save }) {
  /** @type {{body: Record<string, unknown>, index: number, entry: [number, number]} | null} */
  let target = null;
  let resumed = false;
  [el.min.value, el.max.value] = [String(state.nlo), String(state.nhi)];
  const run = () => {
    if (!target) return Promise.resolve(null);
    const { body, index, entry } = target;
    el.card.hidden = false;
    el.title.textContent = `layer ${index} W[${entry[0]}, ${entry[1]}]`;
    const lo = Number(el.min.value);
    const hi = Number(el.max.value);
    // Both directions in one batched call: +Δ then −Δ (the API's delta_min/max check the range).
    const up = lo > 0 && hi > lo ? logspace(lo, hi, PER_SIGN) : [];
    const req = {
      ...body,
      index,
      param: "W",
      entry,
      delta_min: lo,
      delta_max: hi,
      deltas: up.length ? [...up, ...up.map((d) => -d)] : null,
    };
    return el.cycle.run(
      (signal) => post("/api/v1/network/nudge", /** @type {any} */ (req), signal),
      (r) => {
        const deltas = /** @type {number[]} */ (r.deltas);
        const series = (/** @type {(number | null)[]} */ v, /** @type {1 | -1} */ sign) => {
          const k = deltas.flatMap((d, i) => (Math.sign(d) === sign ? [i] : []));
          return { x: k.map((i) => Math.abs(deltas[i])), y: k.map((i) => Math.abs(v[i] ?? NaN)) };
        };
        const crossed = (/** @type {1 | -1} */ sign) =>
          deltas.filter((d, i) => Math.sign(d) === sign && r.crossed_kink[i]).map((d) => Math.abs(d));
        const [kinkUp, kinkDown] = [crossed(1), crossed(-1)];
        const where = [
          kinkUp.length ? `Δ ≥ ${num(Math.min(...kinkUp), 3)}` : "",
          kinkDown.length ? `Δ ≤ −${num(Math.min(...kinkDown), 3)}` : "",
        ].filter(Boolean);
        el.note.dataset.order = String(r.order);
        el.note.dataset.kink = where.length ? "1" : "0";
        el.note.textContent =
          `∂L/∂w = ${num(r.grad, 8)}; fitted order of the gap: ${num(r.order, 3)} (2 where the loss is smooth)` +
          (where.length
            ? `. A ReLU kink is crossed for ${where.join(" and for ")}: there the first-order prediction is not ` +
              "the change, and the gap no longer shrinks like Δ²."
            : "");
        el.noWarnings.hidden = r.warnings.length > 0;
        el.warnings.replaceChildren(
          ...r.warnings.map((w) => h("li", { class: "field-note warn-note", dataset: { warn: w.code } }, w.msg)),
        );
        const hover = "|Δ| = %{x:.3g}<br>%{y:.6g}<extra>%{fullData.name}</extra>";
        const mark = (/** @type {object} */ t) => ({ ...t, mode: "lines+markers", marker: { size: 4 } });
        const pred = series(r.predicted, 1);
        return draw(
          el.gd,
          [
            mark(line("|actual ΔL|, +Δ", ...xy(series(r.actual, 1)), { color: "#1f5f99", hover })),
            mark(line("|actual ΔL|, −Δ", ...xy(series(r.actual, -1)), { color: "#1f5f99", dash: "dot", hover })),
            line("|predicted ∂L/∂w·Δ|", pred.x, pred.y, { color: "#e08a1e", dash: "dash", hover }),
            mark(line("gap, +Δ", ...xy(series(r.gap, 1)), { color: "#c62828", hover })),
            mark(line("gap, −Δ", ...xy(series(r.gap, -1)), { color: "#c62828", dash: "dot", hover })),
          ],
          /** @type {any} */ ({
            margin: { l: 56, r: 8, t: 8, b: 36 },
            xaxis: { type: "log", title: { text: "|Δ| (both signs)" } },
            yaxis: { type: "log", title: { text: "|ΔL|" }, exponentformat: "power" },
            legend: { orientation: "h", y: 1.14 },
          }),
          QUIET,
        );
      },
    );
  };
  for (const [input, key] of /** @type {const} */ ([
    [el.min, "nlo"],
    [el.max, "nhi"],
  ]))
    input.addEventListener("change", () => {
      const v = Number(input.value);
      // a value the API refuses is shown at its input, and the link keeps the last good one
      if (input.value.trim() !== "" && Number.isFinite(v) && v > 0) state[key] = v;
      save();
      void run();
    });
  /** @type {Nudge["pick"]} */
  const pick = (body, index, entry) => {
    target = { body, index, entry };
    resumed = true;
    state.nw = formatNudge({ index, entry });
    save();
    return run();
  };
  return {
    pick,
    resume(body) {
      if (resumed) return;
      resumed = true;
      const n = parseNudge(state.nw);
      if (n) void pick(body, n.index, n.entry);
    },
  };
}

/** @param {{x: number[], y: number[]}} s @returns {[number[], number[]]} */
const xy = (s) => [s.x, s.y];
