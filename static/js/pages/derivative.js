// Derivative explorer: f(x) with the tangent at x0 (it follows the slider at once, computed in
// the browser from the curve's exact f'), the numerical against the exact derivative with the
// verdict of both rules, and the error against the step size h.
import { start } from "../kit/page.js";
import { post } from "../kit/api.js";
import { CURVE, METHOD } from "../kit/colors.js";
import { interp, kinkAt } from "../kit/curves.js";
import { byId, logSlider, numberInput, paintSwatches, radios } from "../kit/dom.js";
import { num, sci } from "../kit/format.js";
import { Cycle, debounce } from "../kit/lifecycle.js";
import { draw, isDrawn, layout, line, relayout } from "../kit/plot.js";
import { UrlState, bool, num as numProp, oneOf, str } from "../kit/state.js";
import { setTex } from "../kit/tex.js";
import { meta, verdictBadge, warningList } from "../kit/verdict.js";
import { SlopeAndStep } from "../panels/predict.js";

/** @typedef {import("../types/kit").Schemas["DerivativeOut"]} Derivative */
/** @typedef {import("../types/kit").Schemas["StepSweepOut"]} Sweep */

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
const FORMULAS = {
  central: ["f'(x_0) \\approx \\frac{f(x_0+h)-f(x_0-h)}{2h}", "truncation error O(h²), rounding error O(ε/h)"],
  forward: ["f'(x_0) \\approx \\frac{f(x_0+h)-f(x_0)}{h}", "truncation error O(h), rounding error O(ε/h)"],
  backward: ["f'(x_0) \\approx \\frac{f(x_0)-f(x_0-h)}{h}", "truncation error O(h), rounding error O(ε/h)"],
};

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
  /** @type {{x: (number | null)[], y: (number | null)[], dy: (number | null)[]} | null} */
  let curve = null;
  /** @type {{d: Derivative, s: Sweep, flat: boolean} | null} the last good answers */
  let last = null;
  const predictBox = byId("pr-on", HTMLInputElement);
  const pred = new SlopeAndStep({
    question: () => ({ expr: state.expr, x0: state.x0, method: state.method }),
    onChange: () => {
      pred.sync(state.predict);
      if (!last) return;
      showNumbers(last.d, last.s);
      drawF(last.d);
      drawSweep(last.d, last.s, last.flat);
    },
    onGuess: () => {
      if (last && isDrawn(gdF))
        relayout(gdF, /** @type {any} */ (tangentShapes(state.x0, last.d.value, last.d.tangent.slope)));
    },
  });

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

  // The tangent and the point (x0, f(x0)) are layout shapes, not traces: moving a shape is a
  // cheap relayout, so the tangent follows the slider at once.
  /** @param {number} x0 @param {number} y0 @param {number} slope */
  function tangentShapes(x0, y0, slope) {
    const xa = curve?.x[0] ?? state.xmin;
    const xb = curve?.x[curve.x.length - 1] ?? state.xmax;
    /** @type {any[]} */
    const guess =
      state.predict && pred.slope !== null
        ? [
            {
              type: "line",
              xref: "x",
              yref: "y",
              x0: xa,
              x1: xb,
              y0: y0 + pred.slope * (xa - x0),
              y1: y0 + pred.slope * (xb - x0),
              line: { color: CURVE.point, width: 2, dash: "dash" },
              layer: "above",
              name: "your slope",
            },
          ]
        : [];
    return {
      shapes: [
        {
          type: "line",
          xref: "x",
          yref: "y",
          x0: xa,
          x1: xb,
          y0: y0 + slope * (xa - x0),
          y1: y0 + slope * (xb - x0),
          line: { color: CURVE.dfNumeric, width: 2 },
          layer: "above",
          name: "tangent",
          visible: !pred.hidesSlope(),
        },
        {
          type: "circle",
          xref: "x",
          yref: "y",
          xsizemode: "pixel",
          ysizemode: "pixel",
          xanchor: x0,
          yanchor: y0,
          x0: -6,
          x1: 6,
          y0: -6,
          y1: 6,
          fillcolor: CURVE.point,
          line: { color: "#fff", width: 2 },
          layer: "above",
          name: "x0",
        },
        ...guess,
      ],
    };
  }

  /** The tangent at state.x0 from the curve alone (no request): f(x0) + f'(x0)(x - x0). */
  function localTangent() {
    if (!curve || !isDrawn(gdF)) return;
    const y0 = interp(curve.x, curve.y, state.x0);
    const s = interp(curve.x, curve.dy, state.x0);
    if (y0 === null || s === null) return;
    relayout(gdF, /** @type {any} */ (tangentShapes(state.x0, y0, s)));
    text("n-value", num(y0, 8));
    text("n-tangent", `y = ${num(s, 6)}·x + ${num(y0 - s * state.x0, 6)}`);
    for (const id of ["n-num", "n-exact", "n-error", "n-badge"]) byId(id, HTMLElement).classList.add("stale");
  }

  /** @param {Derivative} d */
  function drawF(d) {
    const c = d.curve;
    const [lo, hi] = yRange(c.y);
    const traces = [
      line("f(x)", c.x, c.y, { color: CURVE.f, width: 2.5, hover: "x = %{x:.4g}<br>f(x) = %{y:.6g}<extra></extra>" }),
      {
        ...line("exact f′(x)", c.x, c.dy, {
          color: CURVE.dfExact,
          width: 1.5,
          dash: "dash",
          hover: "f′(x) = %{y:.6g}<extra></extra>",
        }),
        visible: pred.hidesSlope() ? false : (/** @type {any} */ (gdF).data?.[1]?.visible ?? "legendonly"),
      },
      // legend entry only; the line itself is the first layout shape
      line("tangent at x₀ (numerical slope)", [null], [null], { color: CURVE.dfNumeric }),
    ];
    const lay = layout(`f(x) = ${state.expr} and its tangent at x₀`, "x", "f(x)", {
      yaxis: { range: [lo, hi] },
      xaxis: { range: [c.x[0], c.x[c.x.length - 1]] },
      uirevision: `${state.expr}|${state.xmin}|${state.xmax}`,
      dragmode: pred.hidesSlope() ? false : "zoom", // before the reveal a drag turns the guess
      .../** @type {any} */ (tangentShapes(state.x0, d.value, d.tangent.slope)),
    });
    return draw(gdF, /** @type {any} */ (traces), lay);
  }

  /** @param {Derivative} d @param {Sweep} s @param {boolean} flat */
  function drawSweep(d, s, flat) {
    const line = (/** @type {"central" | "forward"} */ k) => ({
      type: "scatter",
      mode: "lines+markers",
      name: `${k} error`,
      x: s.h,
      y: s[`${k}_error`],
      line: { color: METHOD[k], width: 2 },
      marker: { size: 4 },
      hovertemplate: `h = %{x:.1e}<br>${k} error = %{y:.2e}<extra></extra>`,
    });
    /** @type {any[]} */
    const traces = [line("central"), line("forward")];
    const hidden = pred.hidesH();
    if (d.error > 0 && !hidden) {
      traces.push({
        type: "scatter",
        mode: "markers",
        name: `your h (${state.method})`,
        x: [state.h],
        y: [d.error],
        marker: { color: CURVE.point, size: 12, symbol: "diamond", line: { color: "#fff", width: 1.5 } },
        hovertemplate: "h = %{x:.1e}<br>error = %{y:.2e}<extra></extra>",
      });
    }
    // Each best h is a marker on its own curve, named in the legend: labels in the plot would
    // sit on each other (and on the title) whenever the two minima are close.
    for (const k of /** @type {const} */ (["central", "forward"])) {
      const bh = s.best_h[k];
      const e = bh ? s[`${k}_error`][s.h.indexOf(bh)] : null;
      if (bh && e && !hidden) {
        traces.push({
          type: "scatter",
          mode: "markers",
          name: `best ${k} h = ${sci(bh, 0)}`,
          x: [bh],
          y: [e],
          marker: { color: METHOD[k], size: 13, symbol: "star", line: { color: "#fff", width: 1 } },
          hovertemplate: `best ${k} h = %{x:.1e}<br>error = %{y:.2e}<extra></extra>`,
        });
      }
    }
    /** @type {any[]} */
    const annotations = [];
    if (flat) {
      annotations.push({
        xref: "paper",
        yref: "paper",
        x: 0.5,
        y: 0.5,
        showarrow: false,
        font: { size: 12, color: "#7a4700" },
        text: "Every error is exactly 0:<br>nothing to draw on a log axis (see the note at the left)",
      });
    }
    /** @type {any[]} */
    const guess = [];
    if (state.predict && pred.h !== null) {
      guess.push({
        type: "line",
        xref: "x",
        yref: "paper",
        x0: pred.h,
        x1: pred.h,
        y0: 0,
        y1: 1,
        line: { color: CURVE.dfNumeric, width: 2, dash: "dash" },
        name: "your best h",
      });
    }
    if (hidden) {
      for (const t of traces) t.visible = false;
      annotations.push({
        xref: "paper",
        yref: "paper",
        x: 0.5,
        y: 0.92,
        showarrow: false,
        font: { size: 12, color: "#0f2536" },
        text: "Predict: click where you expect the smallest error",
      });
    }
    const lay = layout(
      `Error against step size at x₀ = ${num(state.x0, 5)}`,
      "step h (log)",
      "|numerical − exact| (log)",
      {
        xaxis: { type: "log", exponentformat: "power", ...(hidden ? { range: [-16.2, -0.8] } : {}) },
        yaxis: { type: "log", exponentformat: "power", ...(hidden ? { range: [-17, 1] } : {}) },
        shapes: [
          {
            type: "line",
            xref: "x",
            yref: "paper",
            x0: state.h,
            x1: state.h,
            y0: 0,
            y1: 1,
            line: { color: CURVE.point, width: 1, dash: "dot" },
            visible: !hidden,
          },
          ...guess,
        ],
        annotations,
        uirevision: hidden ? "sweep-hidden" : "sweep",
      },
    );
    return draw(gdS, traces, lay);
  }

  /** @param {Derivative} d @param {Sweep} s */
  function showNumbers(d, s) {
    for (const id of ["n-num", "n-exact", "n-error", "n-badge"]) byId(id, HTMLElement).classList.remove("stale");
    if (d.latex) {
      setTex(byId("tex-f", HTMLElement), `f(x) = ${d.latex.f}`);
      setTex(byId("tex-df", HTMLElement), `f'(x) = ${d.latex.df}`);
    }
    const kink = kinkAt(d.curve.x, d.curve.dy, state.x0);
    text("n-value", num(d.value, 12));
    text("n-num", num(d.derivative, 15));
    text("n-tangent", `y = ${num(d.tangent.slope, 6)}·x + ${num(d.tangent.intercept, 6)}`);
    // The verdict is the server's (one rule for every page); the notes below only explain.
    byId("n-badge", HTMLElement).replaceChildren(verdictBadge(d.verdict));
    /** @type {string} */
    let note = "";
    if (kink) {
      text("n-exact", `undefined (kink): ${num(kink.left, 6)} left, ${num(kink.right, 6)} right`);
      text("n-error", "—");
      note =
        `f′ jumps at x₀ from ${num(kink.left, 6)} to ${num(kink.right, 6)}: f has a kink and no derivative there. ` +
        `The ${state.method} difference gives ${num(d.derivative, 6)}` +
        (state.method === "central" ? ", the mean of the one-sided slopes." : ", one one-sided slope.");
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

  const refresh = () => {
    STATE.write(state);
    return cycle.run(
      (signal) =>
        Promise.all([
          post(
            "/api/v1/numdiff/derivative",
            {
              expr: state.expr,
              x0: state.x0,
              h: state.h,
              method: state.method,
              x_min: state.xmin,
              x_max: state.xmax,
              num: NUM,
            },
            signal,
          ),
          post(
            "/api/v1/numdiff/step-sweep",
            { expr: state.expr, x0: state.x0, h_min: 1e-16, h_max: 1e-1, num: 61 },
            signal,
          ),
        ]),
      async ([d, s]) => {
        curve = d.curve;
        const flat = [...s.central_error, ...s.forward_error].every((e) => e === 0);
        last = { d, s, flat };
        pred.sync(state.predict);
        showNumbers(d, s);
        await Promise.all([drawF(d), drawSweep(d, s, flat)]);
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
  // Before the reveal, dragging on the f plot turns the guessed tangent about (x0, f(x0)).
  let turning = false;
  const guessAt = (/** @type {PointerEvent} */ ev) => {
    const full = /** @type {any} */ (gdF)._fullLayout;
    if (!last || !full?.xaxis || !full?.yaxis) return;
    const box = gdF.getBoundingClientRect();
    const x = full.xaxis.p2d(ev.clientX - box.left - full.xaxis._offset);
    const y = full.yaxis.p2d(ev.clientY - box.top - full.yaxis._offset);
    if (Math.abs(x - state.x0) > 1e-9 * Math.max(1, Math.abs(state.x0))) {
      pred.setSlope((y - last.d.value) / (x - state.x0));
    }
  };
  gdF.addEventListener("pointerdown", (ev) => {
    if (!pred.hidesSlope()) return;
    turning = true;
    guessAt(ev);
  });
  gdF.addEventListener("pointermove", (ev) => {
    if (turning && ev.buttons) guessAt(ev);
  });
  window.addEventListener("pointerup", () => (turning = false));
  // Before the reveal, a click on the step-size plot picks the learner's best h.
  gdS.addEventListener("click", (ev) => {
    if (!pred.hidesH()) return;
    const ax = /** @type {any} */ (gdS)._fullLayout?.xaxis;
    if (!ax) return;
    const px = ev.clientX - gdS.getBoundingClientRect().left - ax._offset;
    if (px < 0 || px > ax._length) return;
    pred.pickH(ax.p2d(px));
  });

  syncControls();
  await refresh();
}

/** @param {(number | null)[]} y */
function yRange(y) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of y) if (v !== null && Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  if (!Number.isFinite(lo)) return [-1, 1];
  const pad = (hi - lo) * 0.08 || Math.max(1, Math.abs(hi)) * 0.1;
  return [lo - pad, hi + pad];
}

start(init);
