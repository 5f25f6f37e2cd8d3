// The side panels: each activation's largest f′ error with the server's verdict, and the formulas
// of f and f′ with α plugged in.
import { paletteColor } from "../../kit/colors.js";
import { h } from "../../kit/dom.js";
import { num, sci, texNumber } from "../../kit/format.js";
import { renderTex } from "../../kit/tex.js";
import { verdictBadge } from "../../kit/verdict.js";
import { awayFromKinks, takesAlpha, worstAt } from "./logic.js";

/** @param {HTMLTableElement} table @param {import("./view.js").View} v */
export function showTable(table, v) {
  const rows = v.act
    .filter((n) => v.curves[n])
    .map((n) => {
      const r = v.curves[n];
      const worst = worstAt(r, awayFromKinks(r.x, v.byName(n)?.nonsmooth ?? [], v.h));
      // The verdict is the server's, on the whole curve (one rule for every page).
      return h(
        "tr",
        { title: `worst at x = ${num(r.x[worst], 5)}, away from kinks` },
        h("td", {}, v.label(n)),
        h("td", {}, sci(r.max_abs_error, 2)),
        h("td", {}, verdictBadge(r.verdict)),
      );
    });
  table.tBodies[0].replaceChildren(...rows);
}

/**
 * @param {HTMLElement} box
 * @param {import("./view.js").View} v
 * @param {(a: import("./logic.js").Activation) => number | null} alphaOf the α in use
 */
export function showFormulas(box, v, alphaOf) {
  box.replaceChildren(
    ...v.act.map((n) => {
      const a = /** @type {import("./logic.js").Activation} */ (v.byName(n));
      const alpha = takesAlpha(a) ? alphaOf(a) : null;
      const plug = (/** @type {string} */ tex) =>
        alpha === null ? tex : tex.replaceAll("\\alpha", `${texNumber(alpha)}\\,`);
      return h(
        "div",
        { class: "fm", style: { borderLeftColor: paletteColor(v.index(n)) } },
        h("b", {}, v.label(n) + (alpha === null ? "" : ` (α = ${alpha})`)),
        h("span", { class: "tex", dataset: { tex: `f(x) = ${plug(a.formula)}` } }),
        h("br"),
        h("span", { class: "tex", dataset: { tex: `f'(x) = ${plug(a.derivative)}` } }),
      );
    }),
  );
  return renderTex(box);
}
