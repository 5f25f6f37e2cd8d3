// The gradient check panel: one row per tensor with both verdicts (PyTorch's pass rule and the
// relative error's band), and the selected tensor's elementwise relative error as a heatmap.
import { h } from "../../kit/dom.js";
import { as2d, sci, shapeText } from "../../kit/format.js";
import { QUIET, draw, matrixLayout, purge } from "../../kit/plot.js";
import { ruleText, verdict, verdictBadges } from "../../kit/verdict.js";

/** @typedef {import("../../types/kit").FullNetworkOut} Result */
/** @typedef {import("../../types/kit").FullCheck} Check */
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

/**
 * @param {{table: HTMLTableElement, heat: HTMLElement, rule: HTMLElement}} el
 * @param {Result | null} result
 * @param {{key: string, enabled: boolean, meta: Meta, onPick: (key: string) => void}} o
 * @returns {Promise<unknown>} the key shown (the first row's if `key` names none)
 */
export function renderGradcheck(el, result, { key, enabled, meta, onPick }) {
  el.rule.textContent = `PyTorch's rule ${ruleText(meta)}`;
  const body = el.table.tBodies[0];
  const rows = result?.gradcheck ?? [];
  if (!rows.length) {
    body.replaceChildren(h("tr", {}, h("td", { colSpan: 4 }, enabled ? "—" : "gradient check is off")));
    el.heat.hidden = true;
    purge(el.heat);
    return Promise.resolve(key);
  }
  const shown = rows.find((g) => checkKey(g) === key) || rows[0];
  body.replaceChildren(
    ...rows.map((g) => {
      const pick = () => onPick(checkKey(g));
      const worst = worstCell(/** @type {Result} */ (result), g);
      const judged = h(
        "td",
        {},
        worst ? verdictBadges({ ...verdict(worst.a, worst.n, meta, g.max_rel_error ?? 0), pass: g.passed }, meta) : "",
      );
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
        h("td", {}, shapeText(g.numeric)),
        h("td", {}, sci(g.max_rel_error, 1)),
        judged,
      );
    }),
  );
  el.heat.hidden = false;
  const a = as2d(analyticOf(/** @type {Result} */ (result), shown));
  const n = as2d(shown.numeric);
  const rel = as2d(shown.rel_error);
  const z = rel.map((row) => row.map((v) => (v === null ? null : Math.log10(Math.max(v, 1e-16)))));
  const custom = rel.map((row, i) => row.map((v, j) => [a[i]?.[j], n[i]?.[j], v]));
  const name = shown.param === "x" ? "input" : `layer ${shown.index} ${shown.param}`;
  return draw(
    el.heat,
    [
      /** @type {any} */ ({
        type: "heatmap",
        z,
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
      `log₁₀ relative error |a−n| / max(${sci(meta.gradcheck.rel_floor, 0)}, |a|+|n|): ${name}`,
      "row",
      "column",
      z,
      { margin: { l: 40, r: 8, t: 26, b: 30 } },
    ),
    QUIET,
  );
}

/**
 * The analytic and numerical values of a check's worst cell.
 * @returns {{a: number, n: number} | null}
 * @param {Result} r
 * @param {Check} g
 */
function worstCell(r, g) {
  const a = as2d(analyticOf(r, g));
  const n = as2d(g.numeric);
  /** @type {{a: number, n: number} | null} */
  let best = null;
  let worst = -1;
  as2d(g.rel_error).forEach((row, i) =>
    row.forEach((v, j) => {
      const ai = a[i]?.[j];
      const ni = n[i]?.[j];
      if (v !== null && v > worst && ai !== null && ai !== undefined && ni !== null && ni !== undefined)
        [worst, best] = [v, { a: ai, n: ni }];
    }),
  );
  return best;
}
