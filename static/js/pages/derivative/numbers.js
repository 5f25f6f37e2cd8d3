// The numbers at x0: f(x0), the numerical and exact f′(x0), the error, the server's verdict and
// warnings, the tangent, and a note where f has a kink at x0.
import { kinkAt } from "../../kit/curves.js";
import { byId } from "../../kit/dom.js";
import { num, sci } from "../../kit/format.js";
import { setTex } from "../../kit/tex.js";
import { verdictBadge, warningList } from "../../kit/verdict.js";

/** The cells that go stale while x0 slides and no answer has come back yet. */
export const STALE = ["n-num", "n-exact", "n-error", "n-badge"];
const text = (/** @type {string} */ id, /** @type {string} */ t) => (byId(id, HTMLElement).textContent = t);

/**
 * @param {import("./fplot.js").Derivative} d
 * @param {import("../../types/kit").Schemas["StepSweepOut"]} s
 * @param {{x0: number, method: string}} v
 */
export function showNumbers(d, s, { x0, method }) {
  for (const id of STALE) byId(id, HTMLElement).classList.remove("stale");
  if (d.latex) {
    setTex(byId("tex-f", HTMLElement), `f(x) = ${d.latex.f}`);
    setTex(byId("tex-df", HTMLElement), `f'(x) = ${d.latex.df}`);
  }
  const kink = kinkAt(d.curve.x, d.curve.dy, x0);
  text("n-value", num(d.value, 12));
  text("n-num", num(d.derivative, 15));
  text("n-tangent", `y = ${num(d.tangent.slope, 6)}·x + ${num(d.tangent.intercept, 6)}`);
  // The verdict is the server's (one rule for every page); the notes below only explain.
  byId("n-badge", HTMLElement).replaceChildren(verdictBadge(d.verdict));
  let note = "";
  if (kink) {
    text("n-exact", `undefined (kink): ${num(kink.left, 6)} left, ${num(kink.right, 6)} right`);
    text("n-error", "—");
    note =
      `f′ jumps at x₀ from ${num(kink.left, 6)} to ${num(kink.right, 6)}: f has a kink and no derivative there. ` +
      `The ${method} difference gives ${num(d.derivative, 6)}` +
      (method === "central" ? ", the mean of the one-sided slopes." : ", one one-sided slope.");
  } else {
    text("n-exact", num(d.exact, 15));
    text("n-error", sci(d.error, 2));
  }
  // The server's warnings (kinks and poles within the step, cancellation), beside the numbers.
  const seen = new Set();
  const warnings = [...(d.warnings ?? []), ...(s.warnings ?? [])].filter((w) => !seen.has(w.msg) && seen.add(w.msg));
  byId("n-warnings", HTMLElement).replaceChildren(warningList(warnings));
  const w = byId("n-note", HTMLElement);
  w.textContent = note;
  w.classList.toggle("shown", note !== "");
  text("f-note", d.nonfinite ? `${d.nonfinite} points not finite (gaps)` : "");
}

/** While x0 slides: f(x0) and the tangent from the curve, the rest marked stale. */
export function showMoving(/** @type {number} */ x0, /** @type {{y0: number, slope: number}} */ t) {
  text("n-value", num(t.y0, 8));
  text("n-tangent", `y = ${num(t.slope, 6)}·x + ${num(t.y0 - t.slope * x0, 6)}`);
  for (const id of STALE) byId(id, HTMLElement).classList.add("stale");
}
