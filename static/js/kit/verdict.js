// Judging a numerical value against an analytic one, with the engine's own constants (from
// GET /api/v1/meta, never copied here): PyTorch gradcheck's pass rule, and the band the
// relative error falls in (CS231n's: good, ok only near a kink, suspicious, wrong).
import { get } from "./api.js";
import { h } from "./dom.js";
import { sci } from "./format.js";

/** @typedef {import("../types/kit").Meta} Meta */
/** @typedef {import("../types/kit").Schemas["Tolerances"]} Tolerances */
/** @typedef {import("../types/kit").Schemas["ErrorBand"]} ErrorBand */
/** @typedef {{pass: boolean, rel: number, band: ErrorBand}} Verdict */

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

/**
 * PyTorch gradcheck's rule |a − n| ≤ atol + rtol·|n|.
 * @param {number} a analytic
 * @param {number} n numerical
 * @param {Tolerances} tol
 */
export const passes = (a, n, tol) => Math.abs(a - n) <= tol.atol + tol.rtol * Math.abs(n);

/**
 * The gradient check's relative error |a − n| / max(floor, |a| + |n|).
 * @param {number} a
 * @param {number} n
 * @param {Tolerances} tol
 */
export const relError = (a, n, tol) => Math.abs(a - n) / Math.max(tol.rel_floor, Math.abs(a) + Math.abs(n));

/**
 * @param {number} rel
 * @param {ErrorBand[]} bands ordered from good to wrong
 */
export function band(rel, bands) {
  return bands.find((b) => b.below === null || rel < b.below) || bands[bands.length - 1];
}

/**
 * @param {number} analytic
 * @param {number} numeric
 * @param {Meta} m
 * @param {number} [rel] the relative error if the API computed it
 * @returns {Verdict}
 */
export function verdict(analytic, numeric, m, rel = relError(analytic, numeric, m.gradcheck)) {
  return { pass: passes(analytic, numeric, m.gradcheck), rel, band: band(rel, m.rel_error_bands) };
}

/** The pass rule in words, e.g. "|a − n| ≤ 1e-5 + 1e-3·|n|". @param {Meta} m */
export const ruleText = (m) => `|a − n| ≤ ${sci(m.gradcheck.atol, 0)} + ${sci(m.gradcheck.rtol, 0)}·|n|`;

/**
 * @param {"pass" | "fail" | "warn" | `band-${string}`} kind
 * @param {string} text
 * @param {string} [title]
 */
export const badge = (kind, text, title) => h("span", { class: `badge ${kind}`, title }, text);

/**
 * Two badges: the pass rule's verdict, and the relative error's band.
 * @param {Verdict} v
 * @param {Meta} m
 */
export function verdictBadges(v, m) {
  const frag = document.createDocumentFragment();
  frag.append(
    badge(v.pass ? "pass" : "fail", v.pass ? "pass" : "fail", `PyTorch's rule ${ruleText(m)}`),
    " ",
    badge(`band-${v.band.name}`, `rel ${sci(v.rel, 0)}: ${v.band.label}`, v.band.meaning),
  );
  return frag;
}
