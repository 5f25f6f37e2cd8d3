// The numbers at the probe x, one column per activation shown, with the chain rule plugged in.
import { paletteColor } from "../../kit/colors.js";
import { kinkAt, nearest } from "../../kit/curves.js";
import { h } from "../../kit/dom.js";
import { num } from "../../kit/format.js";

/**
 * @param {HTMLElement} box
 * @param {number | null} probeX
 * @param {import("./view.js").View} v
 */
export function showProbe(box, probeX, v) {
  if (probeX === null) {
    box.textContent = "Click any plot, or type an x above, to read the numbers there.";
    return;
  }
  const x = probeX;
  const at = v.act
    .filter((n) => v.curves[n])
    .map((n) => {
      const r = v.curves[n];
      const i = nearest(r.x, x);
      const kink = (v.byName(n)?.nonsmooth ?? []).some(
        (k) => Math.abs(k - (r.x[i] ?? x)) <= 2 * v.h && kinkAt(r.x, r.dy, k),
      );
      return { n, r, i, dy: r.dy[i], dyn: r.dy_numeric[i], kink };
    });
  const first = at[0];
  // One column per activation, so that ten of them still fit one line each.
  const row = (/** @type {string} */ head, /** @type {(a: typeof at[number]) => Node | string} */ cell) =>
    h("tr", {}, h("th", { scope: "row" }, head), ...at.map((a) => h("td", {}, cell(a))));
  const dot = (/** @type {string} */ n) =>
    h("span", { class: "dot", style: { background: paletteColor(v.index(n)) }, "aria-hidden": "true" });
  box.replaceChildren(
    h(
      "table",
      { class: "numbers readout-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, `x = ${num(first?.r.x[first.i] ?? x, 6)}`),
          ...at.map((a) => h("th", { scope: "col" }, dot(a.n), v.label(a.n))),
        ),
      ),
      h(
        "tbody",
        {},
        row("f(x)", (a) => num(a.r.y[a.i], 6)),
        row("analytic f′(x)", (a) => (a.kink ? "undefined (kink)" : num(a.dy, 6))),
        row("numerical f′(x)", (a) => num(a.dyn, 6)),
        row(`∂L/∂x = ${num(v.up, 4)} · f′`, (a) => num(a.r.backward[a.i], 6)),
      ),
    ),
  );
}
