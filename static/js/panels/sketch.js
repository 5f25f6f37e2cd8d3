// "Sketch f′" on the activations page: the learner draws the derivative of an activation over f
// (mouse, finger or pen; or the keyboard: ← → pick a point, ↑ ↓ move it, Shift for bigger steps,
// Enter checks), then POST /api/v1/exercises/predict judges the sketch and the true f′ is drawn
// over it with the score and the point where the sketch is furthest off (aria-live).
//
// linspace(), paint() and the Frame mapping are pure (tests/js/sketch.test.js).
import { post } from "../kit/api.js";
import { CURVE } from "../kit/colors.js";
import { num } from "../kit/format.js";

/** @typedef {import("../types/kit").PostOk<"/api/v1/exercises/predict">} PredictOut */
/** @typedef {{x: (number | null)[], y: (number | null)[], dy: (number | null)[]}} Curve */

const SVG = "http://www.w3.org/2000/svg";
export const POINTS = 41;
export const Y_RANGE = /** @type {const} */ ([-1, 2]); // the sketch's axis: every f′ here fits
const W = 600;
const H = 300;
const PAD = { left: 36, right: 10, top: 10, bottom: 24 };

/**
 * @param {number} a
 * @param {number} b
 * @param {number} n
 */
export function linspace(a, b, n) {
  return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

/**
 * Set the points from index i0 to i1 on the straight line from y0 to y1 (a quick stroke skips
 * points; the line between two pointer events fills them). Returns a new array.
 * @param {number[]} ys
 * @param {number} i0
 * @param {number} y0
 * @param {number} i1
 * @param {number} y1
 */
export function paint(ys, i0, y0, i1, y1) {
  const out = [...ys];
  const [a, b] = i0 <= i1 ? [i0, i1] : [i1, i0];
  for (let i = a; i <= b; i++) out[i] = i1 === i0 ? y1 : y0 + ((y1 - y0) * (i - i0)) / (i1 - i0);
  return out;
}

/** Data ↔ SVG units for a sketch over [x0, x1] × Y_RANGE. */
export class Frame {
  /**
   * @param {number} x0
   * @param {number} x1
   */
  constructor(x0, x1) {
    this.x0 = x0;
    this.x1 = x1;
  }
  /** @param {number} x */
  px(x) {
    return PAD.left + ((x - this.x0) / (this.x1 - this.x0)) * (W - PAD.left - PAD.right);
  }
  /** @param {number} y */
  py(y) {
    const [lo, hi] = Y_RANGE;
    return PAD.top + ((hi - Math.max(lo, Math.min(hi, y))) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  }
  /** @param {number} py */
  y(py) {
    const [lo, hi] = Y_RANGE;
    const v = hi - ((py - PAD.top) / (H - PAD.top - PAD.bottom)) * (hi - lo);
    return Math.max(lo, Math.min(hi, v));
  }
  /**
   * The index of the sketch point nearest the SVG x `px`.
   * @param {number} px
   * @param {number} n
   */
  index(px, n) {
    const t = (px - PAD.left) / (W - PAD.left - PAD.right);
    return Math.max(0, Math.min(n - 1, Math.round(t * (n - 1))));
  }
}

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attrs
 * @param {Element} parent
 */
function el(tag, attrs, parent) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent.append(e);
  return e;
}

export class Sketch {
  /**
   * @param {{svg: SVGSVGElement, out: HTMLElement, button: HTMLButtonElement, reset: HTMLButtonElement,
   *          onChange: () => void}} els `onChange`: the sketch was checked or started again
   */
  constructor({ svg, out, button, reset, onChange }) {
    this.svg = svg;
    this.onChange = onChange;
    this.out = out;
    this.key = "";
    this.name = "";
    /** @type {number | null} */
    this.alpha = null;
    /** @type {Curve | null} */
    this.curve = null;
    this.frame = new Frame(-1, 1);
    /** @type {number[]} */
    this.xs = [];
    /** @type {number[]} */
    this.ys = [];
    this.selected = Math.floor(POINTS / 2);
    /** @type {PredictOut | null} */
    this.result = null;
    /** @type {{i: number, y: number} | null} */
    this.last = null;
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.setAttribute("tabindex", "0");
    svg.setAttribute("role", "slider");
    svg.setAttribute("aria-valuemin", String(Y_RANGE[0]));
    svg.setAttribute("aria-valuemax", String(Y_RANGE[1]));
    svg.addEventListener("pointerdown", (ev) => {
      svg.setPointerCapture?.(ev.pointerId);
      this.last = null;
      this.stroke(ev);
    });
    svg.addEventListener("pointermove", (ev) => {
      if (ev.buttons) this.stroke(ev);
    });
    svg.addEventListener("pointerup", () => (this.last = null));
    svg.addEventListener("keydown", (ev) => this.key_(ev));
    button.addEventListener("click", () => this.submit());
    reset.addEventListener("click", () => {
      this.key = "";
      if (this.curve) this.set(this.curve, this.name, this.alpha);
      this.onChange();
      this.svg.focus();
    });
  }

  /**
   * A curve of the page (its f, to sketch over): a new sketch if the activation or range changed.
   * @param {Curve} curve
   * @param {string} name
   * @param {number | null} alpha
   */
  set(curve, name, alpha) {
    const x = /** @type {number[]} */ (curve.x);
    const key = `${name}|${alpha}|${x[0]}|${x[x.length - 1]}`;
    this.curve = curve;
    if (key !== this.key) {
      this.key = key;
      this.name = name;
      this.alpha = alpha;
      this.frame = new Frame(x[0], x[x.length - 1]);
      this.xs = linspace(x[0], x[x.length - 1], POINTS);
      this.ys = this.xs.map(() => 0);
      this.result = null;
      this.out.textContent = "";
      delete this.out.dataset.verdict;
    }
    this.svg.setAttribute("aria-label", `Your sketch of ${name}′(x): ← → pick a point, ↑ ↓ move it, Enter checks`);
    this.draw();
  }

  /** @param {PointerEvent} ev */
  stroke(ev) {
    if (this.result) return; // checked: "Sketch again" starts a new one
    const r = this.svg.getBoundingClientRect();
    const sx = ((ev.clientX - r.left) / r.width) * W;
    const sy = ((ev.clientY - r.top) / r.height) * H;
    const i = this.frame.index(sx, POINTS);
    const y = this.frame.y(sy);
    this.ys = this.last ? paint(this.ys, this.last.i, this.last.y, i, y) : paint(this.ys, i, y, i, y);
    this.last = { i, y };
    this.selected = i;
    this.draw();
  }

  /** @param {KeyboardEvent} ev */
  key_(ev) {
    const step = ev.shiftKey ? 0.25 : 0.05;
    const moves = /** @type {Record<string, () => void>} */ ({
      ArrowLeft: () => (this.selected = Math.max(0, this.selected - 1)),
      ArrowRight: () => (this.selected = Math.min(POINTS - 1, this.selected + 1)),
      Home: () => (this.selected = 0),
      End: () => (this.selected = POINTS - 1),
      ArrowUp: () => this.nudge(step),
      ArrowDown: () => this.nudge(-step),
      Enter: () => this.submit(),
    });
    const move = moves[ev.key];
    if (!move) return;
    ev.preventDefault();
    move();
    this.draw();
  }

  /** @param {number} dy */
  nudge(dy) {
    if (this.result) return;
    const [lo, hi] = Y_RANGE;
    const y = Math.round((this.ys[this.selected] + dy) * 100) / 100;
    this.ys = paint(this.ys, this.selected, 0, this.selected, Math.max(lo, Math.min(hi, y)));
  }

  async submit() {
    if (!this.name) return;
    /** @type {PredictOut} */
    let r;
    try {
      r = await post("/api/v1/exercises/predict", {
        kind: "sketch",
        activation: this.name,
        x: this.xs,
        y: this.ys,
        ...(this.alpha !== null ? { alpha: this.alpha } : {}),
      });
    } catch (err) {
      const items = /** @type {{items?: {msg: string}[]}} */ (err).items;
      this.out.textContent = items ? items.map((i) => i.msg).join("; ") : String(err);
      this.out.dataset.verdict = "error";
      return;
    }
    this.result = r;
    this.out.dataset.verdict = r.verdict;
    this.out.textContent =
      `${r.verdict}: score ${Math.round(r.score * 100)}% (mean error ${num(r.error, 2)} of the range; close ≤ ` +
      `${r.thresholds.close}, near ≤ ${r.thresholds.near}). Furthest off at x = ${num(r.worst_x ?? NaN, 3)}` +
      ` (by ${num(r.worst_error ?? NaN, 2)})${r.kinks?.length ? `; a kink at ${r.kinks.map((k) => num(k, 3)).join(", ")}` : ""}.`;
    this.draw();
    this.onChange();
  }

  draw() {
    const svg = this.svg;
    const f = this.frame;
    svg.replaceChildren();
    const curve = this.curve;
    if (!curve) return;
    // axes: y = 0 and y = 1 grid lines, x = 0
    for (const y of [-1, 0, 1, 2]) {
      el(
        "line",
        { x1: f.px(f.x0), x2: f.px(f.x1), y1: f.py(y), y2: f.py(y), class: y === 0 ? "sk-axis" : "sk-grid" },
        svg,
      );
      el("text", { x: 4, y: f.py(y) + 4, class: "sk-tick" }, svg).textContent = String(y);
    }
    if (f.x0 < 0 && f.x1 > 0)
      el("line", { x1: f.px(0), x2: f.px(0), y1: f.py(2), y2: f.py(-1), class: "sk-axis" }, svg);
    for (const x of [f.x0, 0, f.x1]) {
      if (x < f.x0 || x > f.x1) continue;
      el("text", { x: f.px(x), y: H - 6, class: "sk-tick", "text-anchor": "middle" }, svg).textContent = num(x, 3);
    }
    // f itself, faint, scaled into the frame (its shape is the hint)
    const ys = /** @type {number[]} */ (curve.y.filter((v) => v !== null && Number.isFinite(v)));
    const lo = Math.min(...ys);
    const hi = Math.max(...ys);
    const scale = (/** @type {number} */ v) => -0.8 + ((v - lo) / (hi - lo || 1)) * 2.6;
    el(
      "path",
      {
        d: pathOf(
          curve.x,
          curve.y.map((v) => (v === null ? null : scale(v))),
          f,
        ),
        class: "sk-f",
      },
      svg,
    );
    if (this.result) {
      el("path", { d: pathOf(curve.x, curve.dy, f), class: "sk-true", stroke: CURVE.dfExact }, svg);
    }
    el("path", { d: pathOf(this.xs, this.ys, f), class: "sk-mine", stroke: CURVE.point }, svg);
    this.xs.forEach((x, i) => {
      el(
        "circle",
        {
          cx: f.px(x),
          cy: f.py(this.ys[i]),
          r: i === this.selected ? 5 : 2.5,
          class: i === this.selected ? "sk-sel" : "sk-pt",
        },
        svg,
      );
    });
    if (this.result && this.result.worst_x !== null && this.result.worst_x !== undefined) {
      const wx = f.px(this.result.worst_x);
      el("line", { x1: wx, x2: wx, y1: f.py(2), y2: f.py(-1), class: "sk-worst" }, svg);
    }
    const x = this.xs[this.selected];
    svg.setAttribute("aria-valuenow", String(this.ys[this.selected]));
    svg.setAttribute("aria-valuetext", `at x = ${num(x, 3)}, your f′ = ${num(this.ys[this.selected], 3)}`);
  }
}

/**
 * @param {(number | null)[]} xs
 * @param {(number | null)[]} ys
 * @param {Frame} f
 */
function pathOf(xs, ys, f) {
  let d = "";
  let pen = false;
  xs.forEach((x, i) => {
    const y = ys[i];
    if (x === null || y === null || !Number.isFinite(y)) {
      pen = false;
      return;
    }
    d += `${pen ? "L" : "M"}${f.px(x).toFixed(1)},${f.py(y).toFixed(1)}`;
    pen = true;
  });
  return d;
}
