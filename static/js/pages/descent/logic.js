// The descent page's pure logic: where a run's drawing stops, the grid's lowest point, what a
// run's stop means, and the warnings shown under the plots. No DOM: unit-tested under node.
import { num, sci } from "../../kit/format.js";

/** @typedef {import("../../types/kit").Schemas["DescentOut"]} Run */
/** @typedef {import("../../types/kit").Schemas["GridOut"]} Grid */
/** @typedef {{x1: number, x2: number, f: number, edge: boolean}} Lowest */

/** 1e-6 rather than 0.000001, so a small ε fits its narrow input. */
export const short = (/** @type {number} */ v) =>
  v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential().replace("e+", "e") : String(v);

/** sign·log₁₀(1 + |v|): a log-like scale that keeps the sign (null stays null). */
export const symlog = (/** @type {number | null} */ v) =>
  v === null ? null : Math.sign(v) * Math.log10(1 + Math.abs(v));

/**
 * How many steps of a run to draw: a run that ends outside the view (diverged, or running down a
 * function unbounded below) is cut at the step where it leaves the view for good, so that its
 * huge values neither flatten the other curves nor spoil the log scale; an excursion that comes
 * back is kept. A non-finite value ends the drawing too. The contour draws one step more, to show
 * where the path goes.
 * @param {Run} r
 * @param {number[]} box [x1min, x1max, x2min, x2max]
 */
export function cutAt(r, box) {
  const [a, b, c, d] = box;
  const inside = (/** @type {(number | null)[]} */ p) =>
    p[0] !== null && p[1] !== null && p[0] >= a && p[0] <= b && p[1] >= c && p[1] <= d;
  const nulls = r.values.findIndex((v) => v === null);
  const end = nulls >= 0 ? nulls : r.path.length;
  if (end === r.path.length && inside(r.path[end - 1] ?? [])) return end;
  let last = -1;
  for (let i = 0; i < end; i++) if (inside(r.path[i])) last = i;
  return Math.max(1, Math.min(end, last + 1));
}

/**
 * The grid's lowest point, and whether it lies on the edge of the view (no minimum inside).
 * @param {Pick<Grid, "x1" | "x2" | "z">} g
 * @returns {Lowest}
 */
export function lowest(g) {
  let best = { i: -1, j: -1, v: Infinity };
  g.z.forEach((row, i) => row.forEach((v, j) => v !== null && v < best.v && (best = { i, j, v })));
  const n = g.z.length;
  const edge = best.i <= 0 || best.j <= 0 || best.i >= n - 1 || best.j >= (g.z[0]?.length ?? 0) - 1;
  return { x1: g.x1[best.j] ?? 0, x2: g.x2[best.i] ?? 0, f: best.v, edge };
}

/** What each way a run stops means: badge class, its word, its explanation. */
export const STOPPED = {
  max_steps: ["warn", "ran all", "used every step without converging"],
  converged: ["pass", "converged", "gradient norm fell below tol"],
  diverged: ["fail", "diverged", "a value became too large or not finite"],
};

/**
 * The warnings under the plots, most important first.
 * @param {{runs: Record<string, Run>, opt: string[], box: number[], low: Lowest}} v
 * @returns {string[]}
 */
export function warningsFor({ runs, opt, box, low }) {
  /** @type {string[]} */
  const warn = [];
  if (low.edge) {
    warn.push(
      `f has no minimum inside this view: its lowest grid value, ${num(low.f, 4)}, lies on the edge at (${num(low.x1, 3)}, ${num(low.x2, 3)}).`,
    );
  }
  const shown = opt.filter((o) => runs[o]);
  const lastOf = (/** @type {Run} */ r) => r.values.filter((v) => v !== null).at(-1) ?? null;
  const cut = shown.filter((o) => cutAt(runs[o], box) < runs[o].path.length);
  const falling = shown.filter((o) => {
    const last = lastOf(runs[o]);
    return (
      (cut.includes(o) || runs[o].stopped === "diverged") &&
      last !== null &&
      last < Math.min(low.f, runs[o].values[0] ?? 0)
    );
  });
  if (falling.length) {
    const least = Math.min(...falling.map((o) => /** @type {number} */ (lastOf(runs[o]))));
    warn.push(
      `f falls without bound along the path of ${falling.join(", ")} (to ${sci(least, 1)}): f is unbounded below there, so there is no minimum to find.`,
    );
  }
  const diverged = shown.filter((o) => runs[o].stopped === "diverged" && !falling.includes(o));
  if (diverged.length) warn.push(`${diverged.join(", ")} diverged: the steps grew without bound.`);
  if (cut.length) warn.push(`The curves of ${cut.join(", ")} stop where the path leaves the view for good.`);
  const advice = opt.map((o) => runs[o]?.warning).find(Boolean);
  if (advice) warn.push(advice);
  // The server's other warnings about each path (its gradients' steps straddling a kink).
  for (const o of shown)
    for (const x of runs[o].warnings ?? [])
      if (x.code !== "lr_above_stability_bound" && !warn.includes(`${o}: ${x.msg}`)) warn.push(`${o}: ${x.msg}`);
  return warn;
}

/**
 * Whether the f(x_t) plot needs a sign·log axis: some run reaches f ≤ 0, which a log axis cannot
 * show (its curve would stop near the last positive value, as if the run had settled there).
 * @param {Record<string, Run>} runs
 * @param {string[]} opt
 */
export const needsSymlog = (runs, opt) => opt.some((o) => runs[o]?.values.some((v) => v !== null && v <= 0));

const SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹";
/** 10^k as text: 1, 10, 100, 1000, then 10⁴, 10⁵, … */
const power = (/** @type {number} */ k) =>
  k <= 3 ? String(10 ** k) : `10${[...String(k)].map((d) => SUP[Number(d)]).join("")}`;

/**
 * Ticks of a sign·log₁₀(1+|f|) axis spanning [lo, hi] (in transformed units), labelled with the
 * values of f they stand for: 0 and ±10^k, at most about six on each side.
 * @param {number} lo
 * @param {number} hi
 * @returns {{tickvals: number[], ticktext: string[]}}
 */
export function symlogTicks(lo, hi) {
  /** @type {[number, string][]} */
  const ticks = [[0, "0"]];
  for (const [sign, end] of /** @type {const} */ ([
    [1, hi],
    [-1, lo],
  ])) {
    const reach = Math.abs(end); // each side has its own spacing: f may fall far, rise little
    const every = Math.max(1, Math.ceil(reach / 5));
    for (let k = 0; k <= Math.ceil(reach); k += every) {
      const y = /** @type {number} */ (symlog(10 ** k));
      if (y <= reach + 0.5) ticks.push([sign * y, `${sign < 0 ? "−" : ""}${power(k)}`]);
    }
  }
  ticks.sort((a, b) => a[0] - b[0]);
  return { tickvals: ticks.map((t) => t[0]), ticktext: ticks.map((t) => t[1]) };
}

/**
 * The preset whose function is `expr` (its known minima and its note), or null for a typed one.
 * @template {{expr: string}} P
 * @param {P[]} presets
 * @param {string} expr
 * @returns {P | null}
 */
export const presetOf = (presets, expr) => presets.find((p) => p.expr === expr) ?? null;
