// Derivative explorer: f(x) with the tangent at x0 (it follows the slider at once, computed in
// the browser from the curve's exact f'), the numerical against the exact derivative with the
// server's verdict, and the error against the step size h. This module wires the panels:
// fplot.js (f and its tangent), sweep.js (error against h), numbers.js, guess.js (predict first
// on the plots) and panels/predict.js; logic.js holds the pure parts.
import { start } from "../../kit/page.js";
import { post } from "../../kit/api.js";
import { CURVE } from "../../kit/colors.js";
import { byId, logSlider, numberInput, paintSwatches, radios } from "../../kit/dom.js";
import { num, sci } from "../../kit/format.js";
import { Cycle, debounce } from "../../kit/lifecycle.js";
import { UrlState, bool, num as numProp, oneOf, str } from "../../kit/state.js";
import { setTex } from "../../kit/tex.js";
import { meta } from "../../kit/verdict.js";
import { SlopeAndStep } from "../../panels/predict.js";
import { FPlot } from "./fplot.js";
import { wireGuess } from "./guess.js";
import { FORMULAS } from "./logic.js";
import { showMoving, showNumbers } from "./numbers.js";
import { drawSweep } from "./sweep.js";

/** @typedef {import("./fplot.js").Derivative} Derivative */
/** @typedef {import("../../types/kit").Schemas["StepSweepOut"]} Sweep */

const METHODS = /** @type {const} */ (["central", "forward", "backward"]);
const STATE = new UrlState({
  expr: str("x**2 + 5"),
  x0: numProp(1),
  h: numProp(1e-5, { min: 1e-300 }),
  method: oneOf("central", METHODS),
  xmin: numProp(-5),
  xmax: numProp(5),
  predict: bool(false), // predict the slope and the best h before they are shown (panels/predict.js)
});
const NUM = 801;

export async function init() {
  const state = STATE.read();
  const form = byId("controls", HTMLFormElement);
  const gdF = byId("plot-f", HTMLDivElement);
  const gdS = byId("plot-sweep", HTMLDivElement);
  const x0Range = byId("x0", HTMLInputElement);
  const x0Num = byId("x0-num", HTMLInputElement);
  const expr = byId("expr", HTMLInputElement);
  const hSlider = logSlider(byId("logh", HTMLInputElement), {
    format: (v) => sci(v, 1),
    pill: byId("h-pill", HTMLElement),
  });
  const text = (/** @type {string} */ id, /** @type {string} */ t) => (byId(id, HTMLElement).textContent = t);
  const cycle = new Cycle({
    scope: form,
    cards: [byId("card-f", HTMLElement), byId("card-sweep", HTMLElement)],
    status: byId("status", HTMLElement),
    placement: { alias: { h_min: "h", h_max: "h" } },
  });
  const methods = radios(form, "method", (v) => {
    state.method = /** @type {typeof state.method} */ (v);
    changed();
  });
  paintSwatches(document, CURVE);
  /** @type {{d: Derivative, s: Sweep, flat: boolean} | null} the last good answers */
  let last = null;
  const predictBox = byId("pr-on", HTMLInputElement);
  const pred = new SlopeAndStep({
    question: () => ({ expr: state.expr, x0: state.x0, method: state.method }),
    onChange: () => {
      pred.sync(state.predict);
      if (last) void redraw(last);
    },
    onGuess: () => last && fplot.reshape(last.d),
  });
  const fplot = new FPlot(gdF, pred, () => state);
  /** @param {{d: Derivative, s: Sweep, flat: boolean}} r */
  const redraw = (r) => {
    showNumbers(r.d, r.s, state);
    const guess = state.predict ? pred.h : null;
    return Promise.all([fplot.draw(r.d), drawSweep(gdS, r, { ...state, guess, hidden: pred.hidesH() })]);
  };
  wireGuess({ gdF, gdS, pred, point: () => last && { x0: state.x0, y0: last.d.value } });

  function syncControls() {
    expr.value = state.expr;
    predictBox.checked = state.predict;
    byId("xmin", HTMLInputElement).value = String(state.xmin);
    byId("xmax", HTMLInputElement).value = String(state.xmax);
    x0Range.min = String(state.xmin);
    x0Range.max = String(state.xmax);
    x0Range.value = String(state.x0);
    x0Num.value = String(state.x0);
    text("x0-pill", num(state.x0, 4));
    hSlider.value = state.h;
    methods.set(state.method);
    const [tex, order] = FORMULAS[state.method];
    text("method-name", state.method);
    text("method-order", order);
    setTex(byId("method-formula", HTMLElement), tex);
    const outside = state.x0 < state.xmin || state.x0 > state.xmax;
    text(
      "x0-note",
      outside
        ? `x₀ = ${num(state.x0, 6)} is outside the plotted range [${num(state.xmin, 6)}, ${num(state.xmax, 6)}]: widen the range to see it.`
        : "",
    );
  }

  /** The tangent at state.x0 from the curve alone (no request). */
  function localTangent() {
    const t = fplot.moveTo(state.x0);
    if (t) showMoving(state.x0, t);
  }

  const refresh = () => {
    STATE.write(state);
    const { expr: e, x0, h, method, xmin: x_min, xmax: x_max } = state;
    return cycle.run(
      (signal) =>
        Promise.all([
          post("/api/v1/numdiff/derivative", { expr: e, x0, h, method, x_min, x_max, num: NUM }, signal),
          post("/api/v1/numdiff/step-sweep", { expr: e, x0, h_min: 1e-16, h_max: 1e-1, num: 61 }, signal),
        ]),
      async ([d, s]) => {
        const flat = [...s.central_error, ...s.forward_error].every((err) => err === 0);
        last = { d, s, flat };
        pred.sync(state.predict);
        await redraw(last);
      },
    );
  };
  const refreshSoon = debounce(refresh, 90);
  const refreshTyped = debounce(refresh, 300);
  const changed = () => {
    STATE.write(state);
    syncControls();
    refreshSoon();
  };
  const onError = (/** @type {unknown} */ err) => cycle.fail(err);

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    refreshSoon.flush();
  });
  expr.addEventListener("input", () => {
    state.expr = expr.value;
    STATE.write(state);
    refreshTyped();
  });
  x0Range.addEventListener("input", () => {
    state.x0 = Number(x0Range.value);
    x0Num.value = String(state.x0);
    text("x0-pill", num(state.x0, 4));
    localTangent();
    refreshSoon();
  });
  cycle.checks.add(
    numberInput(x0Num, {
      onValue: (v) => {
        state.x0 = v ?? state.x0;
        localTangent();
        changed();
      },
      onError,
      label: "x₀",
    }),
  );
  for (const [id, key, label] of /** @type {const} */ ([
    ["xmin", "xmin", "x from"],
    ["xmax", "xmax", "x to"],
  ])) {
    cycle.checks.add(
      numberInput(byId(id, HTMLInputElement), {
        onValue: (v) => {
          state[key] = v ?? state[key];
          changed();
        },
        onError,
        label,
      }),
    );
  }
  hSlider.onInput((v) => {
    state.h = v;
    STATE.write(state);
    refreshSoon();
  });
  // The examples are the engine's records (/meta presets.derivative).
  const presets = (await meta()).presets.derivative;
  const presetBox = byId("preset", HTMLSelectElement);
  presetBox.replaceChildren(
    new Option("— choose an example —", ""),
    ...presets.map((p) => new Option(p.title, p.name)),
  );
  presetBox.addEventListener("change", () => {
    const p = presets.find((q) => q.name === presetBox.value);
    if (!p) return;
    Object.assign(state, { expr: p.expr, x0: p.x0, xmin: p.x_min, xmax: p.x_max });
    presetBox.value = "";
    changed();
    refreshSoon.flush();
  });
  predictBox.addEventListener("change", () => {
    state.predict = predictBox.checked;
    STATE.write(state);
    pred.onChange();
  });

  syncControls();
  await refresh();
}

start(init);
