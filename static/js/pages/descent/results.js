// The results table (each optimizer's final f, steps and how it stopped), the warnings under the
// plots, and the gradient at the start (numerical against exact, with the server's verdict).
import { h } from "../../kit/dom.js";
import { num, sci } from "../../kit/format.js";
import { verdictBadge, warningList } from "../../kit/verdict.js";
import { STOPPED, lowest, warningsFor } from "./logic.js";

/**
 * @param {{table: HTMLTableElement, warnings: HTMLElement}} where
 * @param {import("./logic.js").Grid} g
 * @param {import("./contour.js").View & {lr: number}} v
 */
export function showResults({ table, warnings }, g, v) {
  const rows = v.opt
    .filter((o) => v.runs[o])
    .map((o) => {
      const r = v.runs[o];
      const what = STOPPED[r.stopped];
      return h(
        "tr",
        { title: `final point (${r.final.map((x) => num(x, 6)).join(", ")})` },
        h("td", {}, h("span", { class: "swatch-line", style: { background: v.colorOf(o) } }), o),
        h("td", {}, num(r.values[r.values.length - 1], 4)),
        h("td", {}, String(r.steps_taken)),
        h("td", {}, h("span", { class: `badge ${what[0]}`, title: what[2] }, what[1])),
      );
    });
  table.tBodies[0].replaceChildren(...rows);
  const warn = warningsFor({ runs: v.runs, opt: v.opt, box: v.box, low: lowest(g) });
  const limit = v.runs[v.opt[0]]?.lr_limit ?? null;
  const limitText = limit !== null ? `2/λmax at the start = ${num(limit, 4)}; η = ${num(v.lr, 4)}.` : "";
  if (warn.length) {
    warnings.replaceChildren(...warn.map((t) => h("p", {}, `⚠ ${t}`)));
    warnings.classList.add("shown");
  } else {
    warnings.textContent =
      limit !== null ? `η is below the stability limit of plain descent at the start: ${limitText}` : "";
    warnings.classList.remove("shown");
  }
}

/**
 * @param {{num: HTMLElement, exact: HTMLElement, err: HTMLElement, badge: HTMLElement, warnings: HTMLElement}} where
 * @param {import("../../types/kit").Schemas["GradientOut"]} r
 */
export function showGradient(where, r) {
  const fmt = (/** @type {number[]} */ v) => `(${v.map((x) => num(x, 6)).join(", ")})`;
  where.num.textContent = fmt(r.gradient);
  where.exact.textContent = fmt(r.exact);
  const gaps = r.gradient.map((g, i) => Math.abs(g - r.exact[i]));
  where.err.textContent = sci(Math.max(...gaps), 2);
  // The server's verdict and warnings (a kink or pole within ±h of the start, cancellation).
  where.badge.replaceChildren(verdictBadge(r.verdict));
  where.warnings.replaceChildren(warningList(r.warnings));
}
