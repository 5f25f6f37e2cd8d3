// The gradient check panel: one row per tensor with both verdicts (PyTorch's pass rule and the
// relative error's band), and, when its arrays were asked for, the selected tensor's elementwise
// relative error as a heatmap (a window of rows of a tall batch).
import { post } from "../../kit/api.js";
import { byId, h } from "../../kit/dom.js";
import { as2d, sci, shapeText } from "../../kit/format.js";
import { QUIET, draw, matrixLayout, purge } from "../../kit/plot.js";
import { verdictBadge } from "../../kit/verdict.js";
import { Cycle } from "../../kit/lifecycle.js";
import { rowWindow } from "./tensors.js";

/** @typedef {import("./result.js").Result} Result */
/** @typedef {import("./result.js").Check} Check */
/** @typedef {import("../../types/kit").Meta} Meta */

/** @param {Check} g */
export const checkKey = (g) => `${g.index}:${g.param}`;

/**
 * The analytic gradient a check row compares with.
 * @param {Result} r
 * @param {Check} g
 */
export const analyticOf = (r, g) =>
  g.param === "x" ? r.backward[0].grad_input : (r.backward[g.index]?.grads?.[g.param] ?? []);

/** Whether the run's checks carry their per-entry arrays. @param {Result | null} r */
export const hasArrays = (r) => Boolean(r?.gradcheck?.every((g) => g.numeric && g.rel_error));

/**
 * @param {{table: HTMLTableElement, heat: HTMLElement, rule: HTMLElement}} el
 * @param {Result | null} result
 * @param {{key: string, enabled: boolean, meta: Meta, onPick: (key: string) => void, start?: number}} o
 *   `start`: the first row of the heatmap's window for a tall batch
 * @returns {Promise<unknown>} the key shown (the first row's if `key` names none)
 */
export function renderGradcheck(el, result, { key, enabled, meta, onPick, start = 0 }) {
  el.rule.textContent = "each tensor's errors against its scale: the server's verdict";
  const body = el.table.tBodies[0];
  const checks = result?.gradcheck ?? [];
  if (!checks.length) {
    body.replaceChildren(h("tr", {}, h("td", { colSpan: 4 }, enabled ? "—" : "gradient check is off")));
    el.heat.hidden = true;
    purge(el.heat);
    return Promise.resolve(key);
  }
  const shown = checks.find((g) => checkKey(g) === key) || checks[0];
  body.replaceChildren(
    ...checks.map((g) => {
      const pick = () => onPick(checkKey(g));
      // The server's verdict (one rule: errors against the tensor's scale).
      const judged = h("td", {}, verdictBadge(g.verdict));
      return h(
        "tr",
        {
          tabIndex: 0,
          class: g === shown ? "selected" : "",
          dataset: { key: checkKey(g) },
          onclick: pick,
          onkeydown: (/** @type {Event} */ e) => {
            if (e instanceof KeyboardEvent && (e.key === "Enter" || e.key === " ")) {
              e.preventDefault();
              pick();
            }
          },
        },
        h("td", {}, g.param === "x" ? "∂L/∂x (input)" : `layer ${g.index} ∂L/∂${g.param}`),
        h("td", {}, shapeText(analyticOf(/** @type {Result} */ (result), g))),
        h("td", {}, sci(g.max_rel_error, 1)),
        judged,
      );
    }),
  );
  if (!shown.numeric || !shown.rel_error) {
    el.heat.hidden = true;
    purge(el.heat);
    return Promise.resolve(key);
  }
  el.heat.hidden = false;
  const a = as2d(analyticOf(/** @type {Result} */ (result), shown));
  const n = as2d(shown.numeric);
  const rel = as2d(shown.rel_error);
  const [lo, hi] = rowWindow(rel.length, start);
  const rows = rel.slice(lo, hi);
  const z = rows.map((row) => row.map((v) => (v === null ? null : Math.log10(Math.max(v, 1e-16)))));
  const custom = rows.map((row, i) => row.map((v, j) => [a[lo + i]?.[j], n[lo + i]?.[j], v]));
  const name = shown.param === "x" ? "input" : `layer ${shown.index} ${shown.param}`;
  const of = hi - lo < rel.length ? `, rows ${lo}–${hi - 1} of ${rel.length}` : "";
  return draw(
    el.heat,
    [
      /** @type {any} */ ({
        type: "heatmap",
        z,
        y: rows.map((_, i) => lo + i),
        customdata: custom,
        zmin: -12,
        zmax: 0,
        colorscale: [
          [0, "#e7f5ec"],
          [0.55, "#9bd3ae"],
          [0.75, "#f6c453"],
          [1, "#c62828"],
        ],
        colorbar: { title: { text: "log₁₀ rel", side: "right" }, thickness: 10, outlinewidth: 0 },
        hovertemplate:
          "[%{y}, %{x}]<br>analytic %{customdata[0]:.8g}<br>numerical %{customdata[1]:.8g}<br>rel. error %{customdata[2]:.2e}<extra></extra>",
      }),
    ],
    matrixLayout(
      `log₁₀ relative error |a−n| / max(${sci(meta.gradcheck.rel_floor, 0)}, |a|+|n|): ${name}${of}`,
      "row",
      "column",
      z,
      { margin: { l: 40, r: 8, t: 26, b: 30 } },
    ),
    QUIET,
  );
}

/**
 * The run's checks as the table shows them while the heatmap is closed (verdicts only).
 * @param {Result} r
 */
export function withoutArrays(r) {
  return r.gradcheck?.map(({ numeric: _n, rel_error: _r, ...g }) => g) ?? null;
}

/** The gradient check card's elements, by their ids in network.html. */
export const gradcheckEls = () => ({
  table: byId("gc-table", HTMLTableElement),
  heat: byId("hm-rel", HTMLElement),
  rule: byId("gc-rule", HTMLElement),
  more: byId("gc-more", HTMLDetailsElement),
  card: byId("card-gc", HTMLElement),
});

/**
 * @typedef {object} GradcheckCard
 * @property {() => Promise<unknown>} show draw the table (and the heatmap while it is open)
 * @property {(r: Result) => void} arrived a run came: keep the row shown, or show its first
 * @property {(r: Result) => void} fetchIfOpen ask for the run's arrays if the heatmap is open
 */

/**
 * The gradient check card: its table, and the elementwise heatmap whose per-entry arrays are
 * asked for (a second run of the same request) only while it is open.
 * @param {{table: HTMLTableElement, heat: HTMLElement, rule: HTMLElement, more: HTMLDetailsElement,
 *   card: HTMLElement}} el
 * @param {{state: {gct: string, gc: boolean, gca: boolean}, meta: Meta, start: () => number,
 *   save: () => void, result: () => Result | null, request: () => Record<string, unknown> | null,
 *   redraw: (r: Result) => unknown}} host `redraw`: the tensor panel shows the arrays too
 * @returns {GradcheckCard}
 */
export function gradcheckCard(el, host) {
  const { state } = host;
  const cycle = new Cycle({ scope: el.card, cards: [el.heat] });
  const show = () => {
    const result = host.result();
    return renderGradcheck(el, el.more.open ? result : result && { ...result, gradcheck: withoutArrays(result) }, {
      key: state.gct,
      enabled: state.gc,
      meta: host.meta,
      start: host.start(),
      onPick: (key) => {
        state.gct = key;
        host.save();
        void show();
      },
    });
  };
  const fetchArrays = () => {
    const [r0, body] = [host.result(), host.request()];
    if (!r0 || !body?.gradcheck) return Promise.resolve(null);
    return cycle.run(
      (signal) => post("/api/v1/network/run", /** @type {any} */ ({ ...body, include: ["gradcheck_arrays"] }), signal),
      (a) => {
        if (host.result() !== r0 || !a.gradcheck) return null; // a newer run has come meanwhile
        r0.gradcheck = a.gradcheck;
        return Promise.all([show(), host.redraw(r0)]);
      },
    );
  };
  el.more.open = state.gca;
  el.more.addEventListener("toggle", () => {
    state.gca = el.more.open;
    host.save();
    const result = host.result();
    if (el.more.open && result && !hasArrays(result)) void fetchArrays();
    else void show();
  });
  return {
    show,
    arrived(r) {
      if (r.gradcheck?.length && !r.gradcheck.some((g) => checkKey(g) === state.gct))
        state.gct = checkKey(r.gradcheck[0]);
    },
    fetchIfOpen(r) {
      if (el.more.open && !hasArrays(r)) void fetchArrays();
    },
  };
}
