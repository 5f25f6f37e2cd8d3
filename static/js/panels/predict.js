// "Predict first" on the derivative page: before the tangent appears the learner sets its slope
// (drag the line on the plot or the angle slider, arrow keys, or type f′(x0) as a number, a
// fraction or a small sum; Enter submits), and before the step-size curve appears they pick the
// h they expect to give the smallest error (click the plot, or the slider).
// POST /api/v1/exercises/predict judges each one and sends the truth back; this panel shows the
// verdict (aria-live) and then reveals.
//
// slopeOfAngle(), angleOfSlope() and verdictText() are pure (tests/js/predict.test.js).
import { post } from "../kit/api.js";
import { byId } from "../kit/dom.js";
import { num, sci } from "../kit/format.js";

/** @typedef {import("../types/kit").PostOk<"/api/v1/exercises/predict">} PredictOut */
/** @typedef {{expr: string, x0: number, method: string}} Question */

/**
 * The slope of a line at `deg` degrees (the slider drags an angle, so a steep slope is as easy to
 * set as a flat one).
 * @param {number} deg
 */
export const slopeOfAngle = (deg) => Math.tan((deg * Math.PI) / 180);

/** @param {number} slope */
export const angleOfSlope = (slope) => (Math.atan(slope) * 180) / Math.PI;

/**
 * The verdict in words, with the truth and the error.
 * @param {PredictOut} r
 * @param {"slope" | "best_h"} kind
 */
export function verdictText(r, kind) {
  const expected = /** @type {number} */ (r.expected);
  const score = `score ${Math.round(r.score * 100)}%`;
  if (kind === "slope") {
    const kink = r.kink ? ` (a kink: any slope from ${num(r.kink.left, 4)} to ${num(r.kink.right, 4)} is right)` : "";
    return `${r.verdict}: your slope ${num(r.answer ?? NaN, 4)}, the true f′(x₀) = ${num(expected, 6)}${kink}; ${score}.`;
  }
  const decades = num(r.error, 2);
  return (
    `${r.verdict}: your h = ${sci(r.answer ?? NaN, 1)}, the best h = ${sci(expected, 1)} ` +
    `(${decades} decades off; rule of thumb ${sci(r.rule_of_thumb ?? NaN, 1)}); ${score}.`
  );
}

export class SlopeAndStep {
  /**
   * @param {{question: () => Question, onChange: () => void, onGuess: () => void}} opts
   *   `onChange`: redraw (a truth was revealed, a step size picked); `onGuess`: the slope moved
   */
  constructor({ question, onChange, onGuess }) {
    this.question = question;
    this.onChange = onChange;
    this.onGuess = onGuess;
    this.on = false;
    /** @type {number | null} the slope the learner set, shown as a line before the reveal */
    this.slope = null;
    /** @type {number | null} the step size the learner picked */
    this.h = null;
    this.slopeShown = false;
    this.hShown = false;
    this.dragged = false;
    this.key = "";
    this.angle = byId("pr-angle", HTMLInputElement);
    this.typed = byId("pr-slope", HTMLInputElement);
    this.hRange = byId("pr-h", HTMLInputElement);
    this.out = byId("pr-verdict", HTMLElement);
    this.hOut = byId("pr-h-verdict", HTMLElement);
    this.hPill = byId("pr-h-pill", HTMLElement);
    this.slopePill = byId("pr-slope-pill", HTMLElement);
    this.angle.addEventListener("input", () => this.setSlope(slopeOfAngle(Number(this.angle.value)), false));
    this.typed.addEventListener("input", () => {
      this.dragged = false;
      const v = Number(this.typed.value);
      if (this.typed.value.trim() !== "" && Number.isFinite(v)) {
        this.slope = v;
        this.angle.value = String(angleOfSlope(v));
        this.slopePill.textContent = num(v, 3);
        this.onGuess();
      }
    });
    for (const el of [this.angle, this.typed]) {
      el.addEventListener("keydown", (ev) => {
        if (ev.key !== "Enter") return;
        ev.preventDefault();
        this.submitSlope();
      });
    }
    this.hRange.addEventListener("input", () => this.pickH(10 ** Number(this.hRange.value)));
    this.hRange.addEventListener("keydown", (ev) => {
      if (ev.key !== "Enter") return;
      ev.preventDefault();
      this.submitH();
    });
    byId("pr-slope-go", HTMLButtonElement).addEventListener("click", () => this.submitSlope());
    byId("pr-h-go", HTMLButtonElement).addEventListener("click", () => this.submitH());
  }

  /**
   * A new question (f or x0 changed): everything hidden again.
   * @param {boolean} on
   */
  sync(on) {
    const q = this.question();
    const key = `${q.expr}|${q.x0}`;
    this.on = on;
    if (key !== this.key) {
      this.key = key;
      this.slopeShown = this.hShown = false;
      this.slope = this.h = null;
      this.typed.value = "";
      this.slopePill.textContent = "";
      this.hPill.textContent = "";
      this.out.textContent = "";
      this.hOut.textContent = "";
    }
    document.body.classList.toggle("predicting-slope", on && !this.slopeShown);
    document.body.classList.toggle("predicting-h", on && !this.hShown);
  }

  /**
   * The learner's slope, set by the angle slider or by dragging the line on the plot.
   * @param {number} slope
   * @param {boolean} [moveSlider]
   */
  setSlope(slope, moveSlider = true) {
    if (!Number.isFinite(slope) || this.slopeShown) return;
    this.slope = slope;
    if (moveSlider) this.angle.value = String(angleOfSlope(slope));
    this.typed.value = num(slope, 3);
    this.dragged = true; // the box shows the slope rounded: send the slope itself
    this.slopePill.textContent = num(slope, 3);
    this.onGuess();
  }

  /** Whether the tangent (and the numbers that give it away) stay hidden. */
  hidesSlope() {
    return this.on && !this.slopeShown;
  }

  /** Whether the step-size curve stays hidden. */
  hidesH() {
    return this.on && !this.hShown;
  }

  /** @param {number} h */
  pickH(h) {
    if (!(h > 0)) return;
    this.h = Math.min(0.1, Math.max(1e-16, h));
    this.hRange.value = String(Math.log10(this.h));
    this.hPill.textContent = sci(this.h, 1);
    this.onChange();
  }

  async submitSlope() {
    const typed = this.typed.value.trim();
    if (!typed && this.slope === null) {
      this.out.textContent = "Set a slope first: drag the angle, use the arrow keys, or type f′(x₀).";
      return;
    }
    const q = this.question();
    const answer = this.dragged || !typed ? String(this.slope) : typed;
    const r = await this.judge({ kind: "slope", expr: q.expr, x0: q.x0, answer });
    if (!r) return;
    this.slope = r.answer ?? this.slope;
    this.slopeShown = true;
    this.out.textContent = verdictText(r, "slope");
    this.out.dataset.verdict = r.verdict;
    this.onChange();
  }

  async submitH() {
    if (this.h === null) {
      this.hOut.textContent = "Pick an h first: click the step-size plot where you expect the smallest error.";
      return;
    }
    const q = this.question();
    const method = q.method === "forward" ? "forward" : "central";
    const r = await this.judge({ kind: "best_h", expr: q.expr, x0: q.x0, method, answer: this.h }, this.hOut);
    if (!r) return;
    this.hShown = true;
    this.hOut.textContent = verdictText(r, "best_h");
    this.hOut.dataset.verdict = r.verdict;
    this.onChange();
  }

  /**
   * @param {import("../types/kit").PostBody<"/api/v1/exercises/predict">} body
   * @param {HTMLElement} [out] where an error is told
   * @returns {Promise<PredictOut | null>}
   */
  async judge(body, out = this.out) {
    try {
      return await post("/api/v1/exercises/predict", body);
    } catch (err) {
      const items = /** @type {{items?: {msg: string}[]}} */ (err).items;
      out.textContent = items ? items.map((i) => i.msg).join("; ") : String(err);
      out.dataset.verdict = "error";
      return null;
    }
  }
}
