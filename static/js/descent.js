// Gradient-descent lab: contour of a typed f(x1, x2), several optimizers' paths on it, f and
// |grad f| per step, and the learning-rate limit 2/lambda_max.
import { post, isAbort, clearErrors, showErrors } from "./api.js";
import { readState, writeState, debounce } from "./urlstate.js";
import { DIVERGING, OPTIMIZER } from "./colors.js";
import { layout, react, num, sci, badge, gradcheckPass } from "./plots.js";

export const PRESETS = {
  valley: { title: "Narrow valley: 0.5·x1² + 10·x2²", expr: "0.5*x1**2 + 10*x2**2", start: [-4.5, 1.5], box: [-5, 5, -2.5, 2.5], lr: 0.09, steps: 100, opt: ["sgd", "momentum", "adam"], scale: "linear" },
  notebook: { title: "The notebook's: x1² + x2³ + 1", expr: "x1**2 + x2**3 + 1", start: [2, 3], box: [-3, 3, -1, 4], lr: 0.01, steps: 1000, opt: ["sgd"], scale: "linear" },
  rosenbrock: { title: "Rosenbrock", expr: "(1 - x1)**2 + 100*(x2 - x1**2)**2", start: [-1.5, 2], box: [-2, 2, -1, 3], lr: 0.0009, steps: 2000, opt: ["sgd", "momentum", "adam"], scale: "log" },
  himmelblau: { title: "Himmelblau (four minima)", expr: "(x1**2 + x2 - 11)**2 + (x1 + x2**2 - 7)**2", start: [0, 0], box: [-5, 5, -5, 5], lr: 0.01, steps: 200, opt: ["sgd", "momentum", "adam"], scale: "log" },
  beale: { title: "Beale", expr: "(1.5 - x1 + x1*x2)**2 + (2.25 - x1 + x1*x2**2)**2 + (2.625 - x1 + x1*x2**3)**2", start: [1, 1.5], box: [-4.5, 4.5, -4.5, 4.5], lr: 0.001, steps: 3000, opt: ["sgd", "rmsprop", "adam"], scale: "log" },
  saddle: { title: "Saddle: x1² − x2²", expr: "x1**2 - x2**2", start: [-2.5, 0.05], box: [-3, 3, -3, 3], lr: 0.05, steps: 60, opt: ["sgd", "momentum", "adam"], scale: "linear" },
};
// Hyper-parameters per optimizer and their defaults, rendered into the page by the server from
// DEFAULTS in app/engine/optimizers.py (PyTorch's). The API rejects an option the chosen optimizer
// does not take, so each request carries only its optimizer's options, and only those set.
const OPT_LIST = JSON.parse(document.body.dataset.optimizers); // [{name, defaults}] in order
export const OPT_DEFAULTS = Object.fromEntries(OPT_LIST.map((o) => [o.name, o.defaults]));
const OPTS = OPT_LIST.map((o) => o.name);
const HYPER = ["momentum", "rho", "beta1", "beta2", "eps"];
const SYMBOL = { momentum: "μ", rho: "ρ", beta1: "β1", beta2: "β2", eps: "ε" };
// 1e-6 rather than 0.000001, so a small ε fits its narrow input.
const short = (v) => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential().replace("e+", "e") : String(v));
const P0 = PRESETS.valley;
const DEFAULTS = {
  expr: P0.expr, x1min: P0.box[0], x1max: P0.box[1], x2min: P0.box[2], x2max: P0.box[3],
  start: P0.start, lr: P0.lr, steps: P0.steps, opt: P0.opt, scale: P0.scale,
  // Optimizer settings: null means the engine's default (and the field is not sent).
  momentum: null, rho: null, beta1: null, beta2: null, eps: null,
};
const GRID = 80;

const $ = (id) => document.getElementById(id);
const form = $("controls");
const gdC = $("plot-contour");
const state = readState(DEFAULTS);
for (const k of HYPER) {
  const v = state[k] === null ? NaN : Number(state[k]);
  state[k] = String(state[k] ?? "").trim() !== "" && Number.isFinite(v) ? v : null;
}
window.__bpx = { grid: null, runs: {} };
let grid = null;
let runs = {};

// ---- controls -----------------------------------------------------------------------------------
function buildControls() {
  const sel = $("preset");
  sel.replaceChildren(new Option("— choose a landscape —", ""));
  for (const [k, p] of Object.entries(PRESETS)) sel.appendChild(new Option(p.title, k));
  const box = $("opt-list");
  for (const o of OPTS) {
    const lab = document.createElement("label");
    lab.className = "chip";
    const cb = document.createElement("input");
    cb.type = "checkbox";
    cb.id = `opt-${o}`;
    cb.value = o;
    cb.addEventListener("change", () => {
      state.opt = OPTS.filter((n) => $(`opt-${n}`).checked);
      syncSettings();
      runSoon.flush();
    });
    const dot = document.createElement("span");
    dot.className = "dot";
    dot.style.background = OPTIMIZER[o];
    lab.append(cb, dot, document.createTextNode(o));
    box.appendChild(lab);
  }
}

/** Placeholders (and the ε hint) from the defaults, so the empty inputs show what is used. */
function fillPlaceholders() {
  for (const k of HYPER) {
    const per = OPTS.filter((o) => k in OPT_DEFAULTS[o]).map((o) => [o, OPT_DEFAULTS[o][k]]);
    const values = [...new Set(per.map(([, v]) => v))];
    const input = $(`hp-${k}`);
    input.placeholder = String(values[values.length - 1]);
    input.title = `default ${per.map(([o, v]) => `${o} ${v}`).join(", ")}`;
  }
  const eps = OPTS.filter((o) => "eps" in OPT_DEFAULTS[o]);
  const byValue = new Map();
  for (const o of eps) byValue.set(OPT_DEFAULTS[o].eps, [...(byValue.get(OPT_DEFAULTS[o].eps) || []), o]);
  $("hp-eps-hint").textContent = `default ${[...byValue].map(([v, os]) => `${v} for ${os.join(" and ")}`).join(", ")}`;
}

function syncControls() {
  $("expr").value = state.expr;
  for (const k of ["x1min", "x1max", "x2min", "x2max", "steps"]) $(k).value = state[k];
  $("s1").value = state.start[0];
  $("s2").value = state.start[1];
  $("lr").value = state.lr;
  $("loglr").value = Math.log10(state.lr);
  $("lr-pill").textContent = num(state.lr, 4);
  for (const o of OPTS) $(`opt-${o}`).checked = state.opt.includes(o);
  const sc = form.querySelector(`input[name=scale][value="${state.scale}"]`) || $("sc-linear");
  sc.checked = true;
  for (const k of HYPER) $(`hp-${k}`).value = state[k] === null ? "" : short(state[k]);
  syncSettings();
}

/** The options a request for optimizer `o` carries: those it takes that the user set. */
function optionsFor(o) {
  const out = {};
  for (const k of Object.keys(OPT_DEFAULTS[o])) if (state[k] !== null) out[k] = state[k];
  return out;
}

/** Dim the settings no chosen optimizer uses; list the ones set in the summary line. */
function syncSettings() {
  for (const k of HYPER) {
    const used = state.opt.some((o) => k in OPT_DEFAULTS[o]);
    $(`hp-${k}`).closest(".field").classList.toggle("unused", !used);
  }
  const set = HYPER.filter((k) => state[k] !== null).map((k) => `${SYMBOL[k]}=${short(state[k])}`);
  $("settings-summary").textContent = set.length ? set.join(" ") : "defaults";
}

// ---- drawing ------------------------------------------------------------------------------------
const symlog = (v) => (v === null ? null : Math.sign(v) * Math.log10(1 + Math.abs(v)));

function drawContour() {
  if (!grid) return;
  const logc = state.scale === "log";
  const z = logc ? grid.z.map((row) => row.map(symlog)) : grid.z;
  const contour = {
    type: "contour", name: "f", x: grid.x1, y: grid.x2, z,
    colorscale: DIVERGING, zmid: 0, ncontours: 28,
    contours: { coloring: "heatmap", showlines: true },
    line: { color: "rgba(30,41,59,0.18)", width: 0.7 },
    colorbar: { title: { text: logc ? "sign·log₁₀(1+|f|)" : "f", side: "right" }, thickness: 10, outlinewidth: 0 },
    hovertemplate: logc ? "x1 = %{x:.3g}, x2 = %{y:.3g}<br>sign·log₁₀(1+|f|) = %{z:.3g}<extra></extra>"
      : "x1 = %{x:.3g}, x2 = %{y:.3g}<br>f = %{z:.5g}<extra></extra>",
  };
  const traces = [contour];
  for (const o of state.opt) {
    const r = runs[o];
    if (!r) continue;
    traces.push({
      type: "scatter", mode: r.path.length <= 300 ? "lines+markers" : "lines", name: o,
      x: r.path.map((p) => p[0]), y: r.path.map((p) => p[1]),
      line: { color: OPTIMIZER[o], width: 2.2 }, marker: { size: 3.5, color: OPTIMIZER[o] },
      hovertemplate: `${o}<br>step %{pointNumber}<br>(%{x:.4g}, %{y:.4g})<extra></extra>`,
    });
  }
  traces.push({ type: "scatter", mode: "markers", name: "start", x: [state.start[0]], y: [state.start[1]],
    marker: { symbol: "star", size: 15, color: "#fff", line: { color: "#1e293b", width: 1.5 } },
    hovertemplate: "start (%{x:.4g}, %{y:.4g})<extra></extra>" });
  const lay = layout(`f(x1, x2) = ${state.expr}`, "x1", "x2", {
    xaxis: { range: [state.x1min, state.x1max], zeroline: false, showgrid: false },
    yaxis: { range: [state.x2min, state.x2max], zeroline: false, showgrid: false },
    uirevision: `${state.expr}|${state.x1min}|${state.x1max}|${state.x2min}|${state.x2max}`,
    legend: { orientation: "h", x: 0, y: -0.12, yanchor: "top" },
    margin: { l: 50, r: 10, t: 34, b: 40 },
  });
  react(gdC, traces, lay);
  if (!gdC.dataset.wired) {
    gdC.dataset.wired = "1";
    gdC.on("plotly_click", onContourClick);
  }
}

function drawCurves() {
  const vals = [], norms = [];
  let allPositive = true;
  for (const o of state.opt) {
    const r = runs[o];
    if (!r) continue;
    const steps = r.values.map((_, i) => i);
    if (r.values.some((v) => v !== null && v <= 0)) allPositive = false;
    vals.push({ type: "scatter", mode: "lines", name: o, x: steps, y: r.values, line: { color: OPTIMIZER[o], width: 2 },
      hovertemplate: `${o}<br>step %{x}<br>f = %{y:.6g}<extra></extra>` });
    norms.push({ type: "scatter", mode: "lines", name: o, x: steps, y: r.grad_norms, line: { color: OPTIMIZER[o], width: 2 },
      hovertemplate: `${o}<br>step %{x}<br>|∇f| = %{y:.3e}<extra></extra>`, showlegend: false });
  }
  const ytype = allPositive ? "log" : "linear";
  react($("plot-values"), vals, layout(`f(x_t) per step${ytype === "log" ? " (log)" : ""}`, "step t", "f(x_t)",
    { yaxis: { type: ytype, exponentformat: "power" }, legend: { orientation: "v", x: 1, xanchor: "right", y: 1 }, margin: { l: 56, r: 10, t: 30, b: 36 } }));
  react($("plot-gnorm"), norms, layout("gradient norm |∇f(x_t)| (log)", "step t", "|∇f|",
    { yaxis: { type: "log", exponentformat: "power" }, margin: { l: 56, r: 10, t: 30, b: 36 } }));
}

function showResults() {
  const tb = $("results").querySelector("tbody");
  tb.replaceChildren();
  let warning = null, limit = null;
  for (const o of state.opt) {
    const r = runs[o];
    if (!r) continue;
    if (r.warning && !warning) warning = r.warning;
    if (r.lr_limit !== null && r.lr_limit !== undefined) limit = r.lr_limit;
    const tr = document.createElement("tr");
    const cell = (t, cls) => { const c = document.createElement("td"); c.textContent = t; if (cls) c.className = cls; return c; };
    const name = cell("");
    name.innerHTML = `<span class="swatch-line"></span>`;
    name.firstChild.style.background = OPTIMIZER[o];
    name.append(o);
    const last = r.values[r.values.length - 1];
    const end = document.createElement("td");
    const b = document.createElement("span");
    b.className = `badge ${r.stopped === "converged" ? "pass" : r.stopped === "diverged" ? "fail" : "warn"}`;
    b.textContent = r.stopped === "max_steps" ? "ran all" : r.stopped;
    b.title = { max_steps: "used every step without converging", converged: "gradient norm fell below tol", diverged: "value became too large" }[r.stopped] || "";
    end.appendChild(b);
    tr.append(name, cell(num(last, 4)), cell(String(r.steps_taken ?? r.path.length - 1)), end);
    tr.title = `final point (${r.final.map((v) => num(v, 6)).join(", ")})`;
    tb.appendChild(tr);
  }
  const w = $("lr-warning");
  const limitText = limit !== null ? `2/λmax at the start = ${num(limit, 4)}; η = ${num(state.lr, 4)}.` : "";
  if (warning || (limit !== null && state.lr > limit)) {
    w.textContent = `⚠ ${warning || `The learning rate is beyond 2/λmax: plain gradient descent oscillates and diverges near here. ${limitText}`}`;
    w.classList.add("shown");
  } else if (limit !== null) {
    w.textContent = `η is within the stability limit: ${limitText}`;
    w.classList.remove("shown");
  } else {
    w.classList.remove("shown");
  }
}

// ---- requests -----------------------------------------------------------------------------------
async function fetchGrid() {
  const body = { expr: state.expr, x1_min: state.x1min, x1_max: state.x1max, x2_min: state.x2min, x2_max: state.x2max, num: GRID };
  grid = await post("/api/v1/numdiff/grid", body, "grid");
  window.__bpx.grid = grid;
  $("grid-note").textContent = grid.nonfinite ? `${grid.nonfinite} grid points not finite (blank)` : "";
}

async function fetchRuns() {
  const results = await Promise.all(state.opt.map((o) => post("/api/v1/numdiff/descent",
    { expr: state.expr, start: state.start, lr: state.lr, steps: state.steps, optimizer: o, h: 1e-5, ...optionsFor(o) },
    `descent-${o}`)));
  runs = {};
  state.opt.forEach((o, i) => { runs[o] = results[i]; });
  window.__bpx.runs = runs;
}

async function fetchGradient() {
  const r = await post("/api/v1/numdiff/gradient", { expr: state.expr, point: state.start, h: 1e-5 }, "gradient");
  const fmt = (v) => `(${v.map((x) => num(x, 6)).join(", ")})`;
  $("g-num").textContent = fmt(r.gradient);
  $("g-exact").textContent = r.exact ? fmt(r.exact) : "—";
  const b = $("g-badge");
  b.replaceChildren();
  if (r.exact) {
    $("g-err").textContent = sci(Math.max(...r.gradient.map((g, i) => Math.abs(g - r.exact[i]))), 2);
    b.appendChild(badge(r.gradient.every((g, i) => gradcheckPass(g, r.exact[i]))));
  }
}

async function refresh({ withGrid = false } = {}) {
  writeState(state);
  try {
    if (withGrid || !grid) await fetchGrid();
    await Promise.all([fetchRuns(), fetchGradient()]);
    clearErrors(form);
    drawContour();
    drawCurves();
    showResults();
  } catch (err) {
    if (isAbort(err)) return;
    clearErrors(form);
    showErrors(form, err, { alias: { optimizer: "optimizer" } });
    // An error on a hyper-parameter must not hide inside the closed settings section.
    if ($("settings").querySelector(".invalid")) $("settings").open = true;
    if (withGrid && grid) drawContour();
  }
}
const runSoon = debounce(() => refresh(), 150);
const gridSoon = debounce(() => refresh({ withGrid: true }), 350);

// Click the contour: start there. Plotly reports the nearest grid cell; take the exact mouse
// position from the axes instead.
function onContourClick(ev) {
  const fl = gdC._fullLayout;
  const drag = gdC.querySelector(".nsewdrag");
  if (!fl || !drag || !ev.event) return;
  const rect = drag.getBoundingClientRect();
  const x1 = fl.xaxis.p2l(ev.event.clientX - rect.left);
  const x2 = fl.yaxis.p2l(ev.event.clientY - rect.top);
  if (!Number.isFinite(x1) || !Number.isFinite(x2)) return;
  state.start = [Number(x1.toPrecision(4)), Number(x2.toPrecision(4))];
  syncControls();
  runSoon.flush();
}

// ---- events -------------------------------------------------------------------------------------
form.addEventListener("submit", (e) => e.preventDefault());
$("expr").addEventListener("input", () => { state.expr = $("expr").value; gridSoon(); });
for (const k of ["x1min", "x1max", "x2min", "x2max"]) {
  $(k).addEventListener("change", (e) => {
    const v = Number(e.target.value);
    if (e.target.value.trim() === "" || !Number.isFinite(v)) return;
    state[k] = v;
    gridSoon.flush();
  });
}
for (const [i, id] of [[0, "s1"], [1, "s2"]]) {
  $(id).addEventListener("change", (e) => {
    const v = Number(e.target.value);
    if (e.target.value.trim() === "" || !Number.isFinite(v)) return;
    state.start = i === 0 ? [v, state.start[1]] : [state.start[0], v];
    runSoon.flush();
  });
}
$("loglr").addEventListener("input", (e) => {
  state.lr = Number(Math.pow(10, Number(e.target.value)).toPrecision(3));
  $("lr").value = state.lr;
  $("lr-pill").textContent = num(state.lr, 4);
  runSoon();
});
$("lr").addEventListener("change", (e) => {
  const v = Number(e.target.value);
  if (e.target.value.trim() === "" || !Number.isFinite(v)) return;
  state.lr = v;
  $("lr-pill").textContent = num(v, 4);
  if (v > 0) $("loglr").value = Math.log10(v);
  runSoon.flush();
});
$("steps").addEventListener("change", (e) => {
  const v = Number(e.target.value);
  if (!Number.isFinite(v)) return;
  state.steps = v;
  runSoon.flush();
});
for (const k of HYPER) {
  const input = $(`hp-${k}`);
  input.addEventListener("input", () => {
    const text = input.value.trim();
    const v = Number(text);
    if (input.validity.badInput || (text !== "" && !Number.isFinite(v))) return;  // wait for a number
    state[k] = text === "" ? null : v;  // empty: the engine's default
    syncSettings();
    runSoon();
  });
}
form.querySelectorAll("input[name=scale]").forEach((el) => el.addEventListener("change", () => {
  state.scale = el.value;
  writeState(state);
  drawContour();
}));
$("preset").addEventListener("change", (e) => {
  const p = PRESETS[e.target.value];
  if (!p) return;
  Object.assign(state, { expr: p.expr, start: [...p.start], x1min: p.box[0], x1max: p.box[1], x2min: p.box[2], x2max: p.box[3],
    lr: p.lr, steps: p.steps, opt: [...p.opt], scale: p.scale });
  e.target.value = "";
  syncControls();
  gridSoon.flush();
});

buildControls();
fillPlaceholders();
if (state.start.length !== 2) state.start = [...DEFAULTS.start];
syncControls();
if (HYPER.some((k) => state[k] !== null)) $("settings").open = true;  // a shared link shows its settings
refresh({ withGrid: true });
