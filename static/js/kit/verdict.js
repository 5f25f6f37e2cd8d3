// The server's verdicts and warnings, shown: a page never judges a number itself. The engine
// decides every verdict by one rule (good, acceptable, kink, suspicious, wrong: GET
// /api/v1/meta `verdict_rules`); this module only maps a verdict to a label and a colour, and
// lists a response's warnings beside the number they qualify.
import { get } from "./api.js";
import { h } from "./dom.js";

/** @typedef {import("../types/kit").Meta} Meta */
/** @typedef {import("../types/kit").Schemas["GradcheckItem"]["verdict"]} Verdict */
/** @typedef {import("../types/kit").Schemas["WarningItem"]} Warning */

/** @type {Promise<Meta> | null} */
let cached = null;

/** The engine's constants, fetched once per page (and cached by the browser for a while). */
export function meta() {
  cached ||= get("/api/v1/meta").catch((err) => {
    cached = null;
    throw err;
  });
  return cached;
}

/** @type {Record<Verdict, {kind: "pass" | "fail" | "warn", label: string, meaning: string}>} */
export const VERDICT_LOOK = {
  good: { kind: "pass", label: "good", meaning: "the analytic gradient agrees to what the step resolves" },
  acceptable: { kind: "pass", label: "acceptable", meaning: "agrees to what this dtype and step can resolve" },
  kink: {
    kind: "warn",
    label: "kink within ±h",
    meaning: "disagrees only where a kink or pole lies within ±h: the finite difference is no derivative there",
  },
  suspicious: { kind: "fail", label: "suspicious", meaning: "disagrees by more than rounding explains" },
  wrong: { kind: "fail", label: "wrong", meaning: "disagrees by more than 1% of the scale" },
};

/**
 * @param {"pass" | "fail" | "warn" | `band-${string}`} kind
 * @param {string} text
 * @param {string} [title]
 */
export const badge = (kind, text, title) => h("span", { class: `badge ${kind}`, title }, text);

/**
 * The server's verdict as a badge: its label, coloured, its meaning in the tooltip.
 * @param {Verdict} v
 */
export function verdictBadge(v) {
  const look = VERDICT_LOOK[v];
  return h(
    "span",
    { class: `badge ${look.kind}`, title: `the server's verdict: ${look.meaning}`, dataset: { verdict: v } },
    look.label,
  );
}

/**
 * A response's warnings as a small list, announced (or nothing when there are none).
 * @param {Warning[] | undefined} warnings
 * @returns {HTMLElement}
 */
export function warningList(warnings) {
  const list = h("ul", { class: "warnings", role: "status", "aria-live": "polite" });
  for (const w of warnings ?? [])
    list.append(h("li", { class: "field-note warn-note", dataset: { warn: w.code } }, w.msg));
  return list;
}
