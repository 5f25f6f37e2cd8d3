// Activations explorer: f, analytic f', numerical f' (overlaid, with the largest gap), and the
// backward pass upstream * f'(x), for one or several activations at once.
import { get, post, isAbort, clearErrors, showErrors } from "./api.js";
import { readState, writeState, debounce } from "./urlstate.js";
import { CURVE, activationColor } from "./colors.js";
import { layout, react, sci, num, badge, GRADCHECK } from "./plots.js";
import { renderTex } from "./common.js";

const DEFAULTS = { act: ["relu", "sigmoid"], xmin: -6, xmax: 6, up: 10, h: 1e-5 };
const NUM = 801;
const $ = (id) => document.getElementById(id);
const form = $("controls");
const state = readState(DEFAULTS);
window.__bpx = { curves: {} };

let catalog = [];        // [{name, formula, derivative, alpha}]
let curves = {};         // name -> last good curve response
const byName = (n) => catalog.find((a) => a.name === n);
const label = (n) => n.replace("_", " ");
// Activations that take an alpha (the catalog's `alpha` is their default) get their own input;
// the value the user set lives in state[`${name}_alpha`] (null: the API's default).
const PRETTY = { leaky_relu: "leaky ReLU", elu: "ELU" };
const takesAlpha = (a) => a && a.alpha !== null && a.alpha !== undefined;
const alphaKey = (n) => `${n}_alpha`;
const alphaOf = (n) => state[alphaKey(n)] ?? byName(n).alpha;

function colorsFor(name, i) {
  // One activation: the app-wide colours per curve kind. Several: one colour per activation,
  // with the curve kind told by the line style.
  if (state.act.length === 1) return { f: CURVE.f, df: CURVE.dfExact, num: CURVE.dfNumeric, back: CURVE.backward };
  const c = activationColor(name, i);
  return { f: c, df: c, num: CURVE.dfNumeric, back: c };
}

function buildChips() {
  const box = $("act-list");
  box.replaceChildren();
  catalog.forEach((a, i) => {
    const lab = document.createElement("label");
    lab.className = "chip";
    const cb = document.createElement("input");
    cb.type = "checkbox";
    cb.value = a.name;
    cb.id = `act-${a.name}`;
    cb.checked = state.act.includes(a.name);
    cb.addEventListener("change", () => {
      state.act = catalog.map((c) => c.name).filter((n) => $(`act-${n}`).checked);
      refresh();
    });
    const dot = document.createElement("span");
    dot.className = "dot";
    dot.style.background = activationColor(a.name, i);
    lab.append(cb, dot, document.createTextNode(label(a.name)));
    box.appendChild(lab);
  });
  box.removeAttribute("aria-busy");
}

function buildAlphaFields() {
  const box = $("alpha-fields");
  box.replaceChildren();
  const q = new URLSearchParams(location.search);
  for (const a of catalog.filter(takesAlpha)) {
    const key = alphaKey(a.name);
    const raw = q.get(key);
    const v = raw === null || raw.trim() === "" ? NaN : Number(raw);
    state[key] = Number.isFinite(v) ? v : null;
    const field = document.createElement("div");
    field.className = "field";
    field.id = `alpha-field-${a.name}`;
    const lab = document.createElement("label");
    lab.htmlFor = `alpha-${a.name}`;
    lab.textContent = `${PRETTY[a.name] || label(a.name)} α`;
    const input = document.createElement("input");
    input.type = "number";
    input.id = `alpha-${a.name}`;
    input.step = String(a.alpha > 0 && a.alpha < 1 ? a.alpha : 0.1);
    input.placeholder = String(a.alpha);
    input.dataset.field = key;
    input.value = String(alphaOf(a.name));
    input.title = `default ${a.alpha}; leave empty for the default`;
    input.addEventListener("input", () => {
      const text = input.value.trim();
      const val = Number(text);
      const err = field.querySelector(".field-error");
      if (input.validity.badInput || (text !== "" && !Number.isFinite(val))) {
        input.classList.add("invalid");
        input.setAttribute("aria-invalid", "true");
        err.textContent = "α must be a number (leave it empty for the default)";
        err.classList.add("shown");
        return;
      }
      state[key] = text === "" ? null : val;
      showFormulas();
      refreshSoon();
    });
    const err = document.createElement("div");
    err.className = "field-error";
    err.dataset.errorFor = key;
    err.setAttribute("role", "alert");
    field.append(lab, input, err);
    box.appendChild(field);
  }
}

/** Show (and enable) an α input only while its activation is selected. */
function syncAlphaFields() {
  for (const a of catalog.filter(takesAlpha)) {
    const on = state.act.includes(a.name);
    const field = $(`alpha-field-${a.name}`);
    field.hidden = !on;
    $(`alpha-${a.name}`).disabled = !on;
  }
}

function syncControls() {
  $("xmin").value = state.xmin;
  $("xmax").value = state.xmax;
  $("upstream").value = state.up;
  $("up-pill").textContent = num(state.up, 4);
  const hs = [...$("h").options].map((o) => Number(o.value));
  if (!hs.includes(state.h)) {
    const o = document.createElement("option");
    o.value = String(state.h);
    o.textContent = sci(state.h, 1);
    $("h").appendChild(o);
  }
  $("h").value = [...$("h").options].find((o) => Number(o.value) === state.h).value;
}

function showFormulas() {
  const box = $("formulas");
  box.replaceChildren();
  state.act.forEach((n) => {
    const a = byName(n);
    if (!a) return;
    const d = document.createElement("div");
    d.className = "fm";
    d.style.borderLeftColor = activationColor(n, catalog.indexOf(a));
    // Activations with an alpha: the formulas with the value in use plugged in.
    const alpha = takesAlpha(a) ? alphaOf(n) : null;
    const plug = (tex) => (alpha === null ? tex : tex.replaceAll("\\alpha", `${texNumber(alpha)}\\,`));
    d.innerHTML = `<b></b><span class="tex"></span><br><span class="tex"></span>`;
    d.querySelector("b").textContent = label(n) + (alpha === null ? "" : ` (α = ${alpha})`);
    const [f, df] = d.querySelectorAll(".tex");
    f.dataset.tex = `f(x) = ${plug(a.formula)}`;
    df.dataset.tex = `f'(x) = ${plug(a.derivative)}`;
    box.appendChild(d);
  });
  renderTex(box);
}

/** A number as LaTeX: 1e-7 -> 1 \times 10^{-7}, negatives in parentheses. */
function texNumber(v) {
  const [m, e] = String(v).split("e");
  const t = e === undefined ? m : `${m} \\times 10^{${Number(e)}}`;
  return v < 0 ? `(${t})` : `{${t}}`;
}

function showTable() {
  const tb = $("errors-table").querySelector("tbody");
  tb.replaceChildren();
  for (const n of state.act) {
    const r = curves[n];
    if (!r) continue;
    const tr = document.createElement("tr");
    const td = (t) => { const c = document.createElement("td"); c.textContent = t; return c; };
    const b = document.createElement("td");
    // Kinks are excluded by the API; away from them the analytic f' must agree within atol.
    b.appendChild(badge(r.max_abs_error <= GRADCHECK.atol));
    tr.append(td(label(n)), td(sci(r.max_abs_error, 2)), b);
    tr.title = "pass when max |f′ − numerical f′| ≤ 1e-5 away from kinks";
    tb.appendChild(tr);
  }
}

function draw(only = null) {
  const names = state.act.filter((n) => curves[n]);
  const fT = [], dfT = [], backT = [], errT = [];
  names.forEach((n) => {
    const r = curves[n];
    const c = colorsFor(n, catalog.findIndex((a) => a.name === n));
    const nm = label(n);
    fT.push({ type: "scatter", mode: "lines", name: `${nm}: f`, x: r.x, y: r.y, line: { color: c.f, width: 2.5 },
      hovertemplate: `${nm}<br>x = %{x:.4g}<br>f = %{y:.6g}<extra></extra>` });
    dfT.push({ type: "scatter", mode: "lines", name: `${nm}: analytic f′`, x: r.x, y: r.dy, line: { color: c.df, width: 2.5 },
      hovertemplate: `${nm}<br>x = %{x:.4g}<br>f′ = %{y:.6g}<extra></extra>` });
    dfT.push({ type: "scatter", mode: "lines", name: `${nm}: numerical f′`, x: r.x, y: r.dy_numeric, line: { color: c.num, width: 2, dash: "dot" },
      hovertemplate: `${nm}<br>numerical f′ = %{y:.6g}<extra></extra>` });
    backT.push({ type: "scatter", mode: "lines", name: `${nm}: ${num(state.up, 4)}·f′`, x: r.x, y: r.backward, line: { color: c.back, width: 2.5 },
      hovertemplate: `${nm}<br>x = %{x:.4g}<br>∂L/∂x = %{y:.6g}<extra></extra>` });
    const e = r.dy.map((v, i) => (v === null || r.dy_numeric[i] === null ? null : Math.abs(v - r.dy_numeric[i]) || null));
    const kx = [], ky = [];
    e.forEach((v, i) => { if (v !== null && v > GRADCHECK.atol) { kx.push(r.x[i]); ky.push(v); } });
    if (kx.length) {
      errT.push({ type: "scatter", mode: "markers", name: `${nm}: kink (f′ undefined)`, x: kx, y: ky,
        marker: { color: activationColor(n, catalog.findIndex((a) => a.name === n)), size: 9, symbol: "x" },
        hovertemplate: `${nm}: kink at x = %{x:.4g}<br>|f′ − numerical| = %{y:.2e}<extra></extra>` });
    }
    errT.push({ type: "scatter", mode: "lines", name: `${nm}`, x: r.x, y: e, line: { color: activationColor(n, catalog.findIndex((a) => a.name === n)), width: 1.5 },
      hovertemplate: `${nm}<br>x = %{x:.4g}<br>|f′ − numerical| = %{y:.2e}<extra></extra>` });
  });
  const worst = Math.max(0, ...names.map((n) => curves[n].max_abs_error || 0));
  if (only === "back") {
    react($("plot-back"), backT, layout(`Backward pass: ∂L/∂x = ${num(state.up, 4)} · f′(x)`, "x", "∂L/∂x"));
    return;
  }
  react($("plot-f"), fT, layout("f(x): the activation", "x", "f(x)"));
  react($("plot-df"), dfT, layout(`f′(x): analytic vs numerical  (max error ${sci(worst, 1)})`, "x", "f′(x)"));
  react($("plot-back"), backT, layout(`Backward pass: ∂L/∂x = ${num(state.up, 4)} · f′(x)`, "x", "∂L/∂x"));
  react($("plot-err"), errT, layout(`|analytic − numerical f′| with h = ${sci(state.h, 0)}`, "x", "absolute error (log)", { yaxis: { type: "log", exponentformat: "power" } }));
  for (const id of ["plot-f", "plot-df", "plot-back", "plot-err"]) wireProbe($(id));
}

async function fetchOne(name) {
  const body = { activation: name, x_min: state.xmin, x_max: state.xmax, num: NUM, upstream: state.up, h: state.h };
  // alpha only for the activation that takes it, and only when the user set one.
  if (takesAlpha(byName(name)) && state[alphaKey(name)] !== null) body.alpha = state[alphaKey(name)];
  let r;
  try {
    r = await post("/api/v1/activations/curve", body, `curve-${name}`);
  } catch (err) {
    err.activation = name;  // so an error on "alpha" lands next to this activation's α input
    throw err;
  }
  curves[name] = r;
  window.__bpx.curves[name] = r;
  return r;
}

async function refresh() {
  writeState(state);
  syncAlphaFields();
  showFormulas();
  try {
    await Promise.all(state.act.map(fetchOne));
    clearErrors(form);
    if (!state.act.length) {
      const box = form.querySelector('[data-error-for="activation"]');
      box.textContent = "Pick at least one activation.";
      box.classList.add("shown");
    }
    draw();
    showTable();
  } catch (err) {
    if (isAbort(err)) return;
    clearErrors(form);
    const locate = (path) => (path[0] === "alpha" && err.activation ? $(`alpha-${err.activation}`) : null);
    showErrors(form, err, { locate });
  }
}
const refreshSoon = debounce(refresh, 120);

function wireProbe(gd) {
  if (gd.dataset.probe || !gd.on) return;
  gd.dataset.probe = "1";
  gd.on("plotly_click", (ev) => ev.points && ev.points.length && probe(ev.points[0].x));
}

// Click any plot: the numbers at that x, with the chain rule plugged in.
function probe(x) {
  const lines = [];
  for (const n of state.act) {
    const r = curves[n];
    if (!r) continue;
    const step = (r.x[r.x.length - 1] - r.x[0]) / (r.x.length - 1);
    const i = Math.max(0, Math.min(r.x.length - 1, Math.round((x - r.x[0]) / step)));
    lines.push(`<b>${label(n)}</b> at x = ${num(r.x[i], 5)}: f = ${num(r.y[i], 6)}, f′ = ${num(r.dy[i], 6)} ` +
      `(numerical ${num(r.dy_numeric[i], 6)}); ∂L/∂x = ${num(state.up, 4)} × ${num(r.dy[i], 6)} = ${num(r.backward[i], 6)}`);
  }
  $("probe").innerHTML = lines.join("<br>");
}

form.addEventListener("submit", (e) => e.preventDefault());
for (const id of ["xmin", "xmax"]) {
  $(id).addEventListener("change", (e) => {
    const v = Number(e.target.value);
    if (e.target.value.trim() === "" || !Number.isFinite(v)) return;
    state[id] = v;
    refresh();
  });
}
$("upstream").addEventListener("input", (e) => {
  state.up = Number(e.target.value);
  $("up-pill").textContent = num(state.up, 4);
  // The backward curve is upstream * f': redraw it at once from the curves we have, then confirm.
  for (const n of state.act) {
    const r = curves[n];
    if (r) r.backward = r.dy.map((v) => (v === null ? null : state.up * v));
  }
  draw("back");
  refreshSoon();
});
$("h").addEventListener("change", (e) => { state.h = Number(e.target.value); refresh(); });

async function init() {
  syncControls();
  try {
    catalog = await get("/api/v1/activations");
  } catch (err) {
    showErrors(form, err);
    return;
  }
  state.act = state.act.filter((n) => byName(n));
  buildChips();
  buildAlphaFields();
  await refresh();
}
init();
