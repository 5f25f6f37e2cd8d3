// Derivative explorer: f(x), the tangent at x0 (follows the slider at once, computed in the
// browser from the curve's exact f'), the numerical vs exact derivative, and the step-size sweep.
import { post, isAbort, clearErrors, showErrors } from "./api.js";
import { readState, writeState, debounce } from "./urlstate.js";
import { CURVE, METHOD } from "./colors.js";
import { layout, react, sci, num, gradcheckPass, badge } from "./plots.js";
import { renderTex } from "./common.js";

const DEFAULTS = { expr: "x**2 + 5", x0: 1, h: 1e-5, method: "central", xmin: -5, xmax: 5 };
const NUM = 801;
const FORMULAS = {
  central: ["f'(x_0) \\approx \\frac{f(x_0+h)-f(x_0-h)}{2h}", "truncation error O(h²), rounding error O(ε/h)"],
  forward: ["f'(x_0) \\approx \\frac{f(x_0+h)-f(x_0)}{h}", "truncation error O(h), rounding error O(ε/h)"],
  backward: ["f'(x_0) \\approx \\frac{f(x_0)-f(x_0-h)}{h}", "truncation error O(h), rounding error O(ε/h)"],
};

const $ = (id) => document.getElementById(id);
const form = $("controls");
const gdF = $("plot-f");
const gdS = $("plot-sweep");
const state = readState(DEFAULTS);
// Page-side instrumentation read by the browser tests (slider -> tangent latency).
window.__bpx = { tangentLatency: [], lastDerivative: null, lastSweep: null };

let curve = null;   // {x, y, dy, tangent} of the last good response, for the instant tangent
let last = null;    // last good derivative response
let sweep = null;   // last good step-sweep response

// ---- controls <-> state --------------------------------------------------------------------------
function syncControls() {
  $("expr").value = state.expr;
  $("xmin").value = state.xmin;
  $("xmax").value = state.xmax;
  $("x0").min = state.xmin;
  $("x0").max = state.xmax;
  $("x0").value = state.x0;
  $("x0-num").value = state.x0;
  $("x0-pill").textContent = num(state.x0, 4);
  $("logh").value = Math.log10(state.h);
  $("h-pill").textContent = sci(state.h, 1);
  const m = form.querySelector(`input[name=method][value="${state.method}"]`) || form.querySelector("input[name=method]");
  m.checked = true;
  const [tex, order] = FORMULAS[state.method] || FORMULAS.central;
  $("method-name").textContent = state.method;
  $("method-formula").dataset.tex = tex;
  $("method-order").textContent = order;
  renderTex($("method-formula").parentElement);
}

// ---- drawing --------------------------------------------------------------------------------------
function yRange(y) {
  let lo = Infinity, hi = -Infinity;
  for (const v of y) if (v !== null && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!Number.isFinite(lo)) return [-1, 1];
  const pad = (hi - lo) * 0.08 || Math.max(1, Math.abs(hi)) * 0.1;
  return [lo - pad, hi + pad];
}

/** Linear interpolation of ys at x on the grid xs (nulls propagate). */
function interp(xs, ys, x) {
  const n = xs.length;
  if (x <= xs[0]) return ys[0];
  if (x >= xs[n - 1]) return ys[n - 1];
  const step = (xs[n - 1] - xs[0]) / (n - 1);
  const i = Math.min(n - 2, Math.max(0, Math.floor((x - xs[0]) / step)));
  const a = ys[i], b = ys[i + 1];
  if (a === null || b === null) return null;
  const t = (x - xs[i]) / (xs[i + 1] - xs[i]);
  return a + t * (b - a);
}

// The tangent and the point (x0, f(x0)) are layout shapes, not traces: moving a shape is a cheap
// relayout (about 1 ms), so the tangent follows the slider at once.
function tangentDecor(x0, y0, slope) {
  const xa = curve.x[0], xb = curve.x[curve.x.length - 1];
  return {
    shapes: [
      { type: "line", xref: "x", yref: "y", x0: xa, x1: xb, y0: y0 + slope * (xa - x0), y1: y0 + slope * (xb - x0),
        line: { color: CURVE.tangent, width: 2 }, layer: "above", name: "tangent" },
      { type: "circle", xref: "x", yref: "y", xsizemode: "pixel", ysizemode: "pixel", xanchor: x0, yanchor: y0,
        x0: -6, x1: 6, y0: -6, y1: 6, fillcolor: CURVE.point, line: { color: "#fff", width: 2 }, layer: "above", name: "x0" },
    ],
  };
}

function drawF(x0, y0, slope) {
  if (!curve) return;
  const traces = [
    { type: "scatter", mode: "lines", name: "f(x)", x: curve.x, y: curve.y, line: { color: CURVE.f, width: 2.5 },
      hovertemplate: "x = %{x:.4g}<br>f(x) = %{y:.6g}<extra></extra>" },
    { type: "scatter", mode: "lines", name: "exact f′(x)", x: curve.x, y: curve.dy, line: { color: CURVE.dfExact, width: 1.5, dash: "dash" },
      visible: gdF.data && gdF.data[1] ? gdF.data[1].visible : "legendonly", hovertemplate: "f′(x) = %{y:.6g}<extra></extra>" },
    // legend entry only; the line itself is the first layout shape
    { type: "scatter", mode: "lines", name: "tangent at x₀ (numerical slope)", x: [null], y: [null], line: { color: CURVE.tangent, width: 2 }, hoverinfo: "skip" },
  ];
  const lay = layout(`f(x) = ${state.expr}  and its tangent at x₀`, "x", "f(x)", {
    yaxis: { range: yRange(curve.y) },
    xaxis: { range: [curve.x[0], curve.x[curve.x.length - 1]] },
    uirevision: `${state.expr}|${state.xmin}|${state.xmax}`,
    ...tangentDecor(x0, y0, slope),
  });
  return react(gdF, traces, lay);
}

/** The tangent at state.x0 from the curve alone (no request): f(x0) + f'(x0)(x - x0). */
function drawLocalTangent() {
  if (!curve || !curve.dy || !gdF.layout) return false;
  const x0 = state.x0;
  const y0 = interp(curve.x, curve.y, x0);
  const s = interp(curve.x, curve.dy, x0);
  if (y0 === null || s === null) return false;
  window.Plotly.relayout(gdF, tangentDecor(x0, y0, s));
  showNumbers({ value: y0, slope: s, local: true });
  return true;
}

function showNumbers(r) {
  if (r.local) {
    $("n-value").textContent = num(r.value, 8);
    $("n-tangent").textContent = `y = ${num(r.slope, 6)}·x + ${num(r.value - r.slope * state.x0, 6)}`;
    for (const id of ["n-num", "n-exact", "n-error", "n-badge"]) $(id).classList.add("stale");
    $("status").textContent = "…";
    return;
  }
  for (const id of ["n-num", "n-exact", "n-error", "n-badge"]) $(id).classList.remove("stale");
  if (r.latex) {
    // The exact derivative is symbolic: show it, as the server derived it.
    $("tex-f").dataset.tex = `f(x) = ${r.latex.f}`;
    $("tex-df").dataset.tex = `f'(x) = ${r.latex.df}`;
    renderTex($("fx-tex"));
  }
  $("n-value").textContent = num(r.value, 12);
  $("n-num").textContent = num(r.derivative, 15);
  $("n-exact").textContent = num(r.exact, 15);
  $("n-error").textContent = sci(r.error, 2);
  const b = $("n-badge");
  b.replaceChildren();
  if (Number.isFinite(r.exact)) b.appendChild(badge(gradcheckPass(r.derivative, r.exact)));
  b.title = "gradcheck rule: |numerical − exact| ≤ 1e-5 + 1e-3·|exact|";
  $("n-tangent").textContent = `y = ${num(r.tangent.slope, 6)}·x + ${num(r.tangent.intercept, 6)}`;
  $("status").textContent = "";
}

function drawSweep() {
  if (!sweep) return;
  const traces = [
    { type: "scatter", mode: "lines+markers", name: "central error", x: sweep.h, y: sweep.central_error,
      line: { color: METHOD.central, width: 2 }, marker: { size: 4 }, hovertemplate: "h = %{x:.1e}<br>central error = %{y:.2e}<extra></extra>" },
    { type: "scatter", mode: "lines+markers", name: "forward error", x: sweep.h, y: sweep.forward_error,
      line: { color: METHOD.forward, width: 2 }, marker: { size: 4 }, hovertemplate: "h = %{x:.1e}<br>forward error = %{y:.2e}<extra></extra>" },
  ];
  if (last && last.error > 0) {
    traces.push({ type: "scatter", mode: "markers", name: `your h (${state.method})`, x: [state.h], y: [last.error],
      marker: { color: CURVE.tangent, size: 12, symbol: "diamond", line: { color: "#fff", width: 1.5 } },
      hovertemplate: "h = %{x:.1e}<br>error = %{y:.2e}<extra></extra>" });
  }
  const shapes = [{ type: "line", xref: "x", yref: "paper", x0: state.h, x1: state.h, y0: 0, y1: 1, line: { color: CURVE.tangent, width: 1, dash: "dot" } }];
  const ann = [];
  for (const [k, color] of [["central", METHOD.central], ["forward", METHOD.forward]]) {
    const bh = sweep.best_h && sweep.best_h[k];
    if (bh) ann.push({ x: Math.log10(bh), y: 1, yref: "paper", yanchor: "bottom", text: `best ${k} ${sci(bh, 0)}`, showarrow: false, font: { color, size: 10 } });
  }
  const lay = layout(`Error vs step size at x₀ = ${num(state.x0, 5)}`, "step h (log)", "|numerical − exact| (log)", {
    xaxis: { type: "log", exponentformat: "power" },
    yaxis: { type: "log", exponentformat: "power" },
    shapes,
    annotations: ann,
    uirevision: "sweep",
  });
  react(gdS, traces, lay);
}

// ---- requests -------------------------------------------------------------------------------------
function derivativeBody() {
  return { expr: state.expr, x0: state.x0, h: state.h, method: state.method, x_min: state.xmin, x_max: state.xmax, num: NUM };
}

async function fetchDerivative() {
  writeState(state);
  try {
    const r = await post("/api/v1/numdiff/derivative", derivativeBody(), "derivative");
    clearErrors(form);
    last = r;
    curve = r.curve;
    window.__bpx.lastDerivative = r;
    drawF(state.x0, r.value, r.tangent.slope);
    showNumbers(r);
    $("f-note").textContent = r.curve.nonfinite ? `${r.curve.nonfinite} points not finite (gaps)` : (r.nonfinite ? `${r.nonfinite} points not finite (gaps)` : "");
    await fetchSweep();
  } catch (err) {
    if (isAbort(err)) return;
    clearErrors(form);
    showErrors(form, err);
    $("status").textContent = "Showing the last good result.";
  }
}

async function fetchSweep() {
  try {
    const r = await post("/api/v1/numdiff/step-sweep", { expr: state.expr, x0: state.x0, h_min: 1e-16, h_max: 1e-1, num: 61 }, "sweep");
    sweep = r;
    window.__bpx.lastSweep = r;
    drawSweep();
  } catch (err) {
    if (isAbort(err)) return;
    showErrors(form, err, { alias: { h_min: "h", h_max: "h" } });
  }
}

const fetchSoon = debounce(fetchDerivative, 90);
const fetchTyped = debounce(fetchDerivative, 300);

function changed({ typed = false, instant = false } = {}) {
  writeState(state);
  syncControls();
  if (instant) drawLocalTangent();
  (typed ? fetchTyped : fetchSoon)();
}

// ---- events ---------------------------------------------------------------------------------------
form.addEventListener("submit", (e) => { e.preventDefault(); fetchSoon.flush(); });
$("expr").addEventListener("input", () => { state.expr = $("expr").value; writeState(state); fetchTyped(); });
$("x0").addEventListener("input", (e) => {
  const t0 = performance.now();
  state.x0 = Number(e.target.value);
  $("x0-num").value = state.x0;
  $("x0-pill").textContent = num(state.x0, 4);
  if (drawLocalTangent()) window.__bpx.tangentLatency.push(performance.now() - t0);
  fetchSoon();  // fetchDerivative writes the URL
});
$("x0-num").addEventListener("change", (e) => {
  const v = Number(e.target.value);
  if (e.target.value.trim() === "" || !Number.isFinite(v)) return;
  state.x0 = v;
  changed({ instant: true });
});
for (const id of ["xmin", "xmax"]) {
  $(id).addEventListener("change", (e) => {
    const v = Number(e.target.value);
    if (e.target.value.trim() === "" || !Number.isFinite(v)) return;
    state[id] = v;
    changed();
  });
}
$("logh").addEventListener("input", (e) => {
  state.h = Number(Math.pow(10, Number(e.target.value)).toPrecision(3));
  $("h-pill").textContent = sci(state.h, 1);
  writeState(state);
  fetchSoon();
});
form.querySelectorAll("input[name=method]").forEach((el) => el.addEventListener("change", () => {
  state.method = el.value;
  changed();
}));
$("preset").addEventListener("change", (e) => {
  if (!e.target.value) return;
  const [expr, x0, xmin, xmax] = e.target.value.split("|");
  Object.assign(state, { expr, x0: Number(x0), xmin: Number(xmin), xmax: Number(xmax) });
  e.target.value = "";
  changed();
  fetchSoon.flush();
});

syncControls();
writeState(state);
fetchDerivative();
