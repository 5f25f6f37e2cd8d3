// Network explorer: build a layer stack, run forward + backward (+ gradient check) on the API, and
// look at every tensor as a heatmap: values, the gradient flowing back, parameter gradients.
import { get, post, isAbort, clearErrors, showErrors } from "./api.js";
import { readState, writeState, debounce } from "./urlstate.js";
import { react, heatmap, matrixLayout, sci, num, shapeOf, shapeText, as2d, gradcheckPass, badge } from "./plots.js";
import { renderTex } from "./common.js";

const DEFAULTS = { data: "notebook", L: "", loss: "cross_entropy", gc: true, h: 1e-5, sel: 0, gct: "", sample: 0, X: "", T: "" };
const AUTO_RUN_MAX_ROWS = 200;   // bigger batches wait for the Run button
const URL_DATA_MAX = 1500;       // pasted data longer than this is not put in the link
const INITS = ["he", "xavier", "normal"];

const $ = (id) => document.getElementById(id);
const form = $("controls");
const state = readState(DEFAULTS);
window.__bpx = { result: null, jacobian: null, body: null };

let presets = {};     // name -> preset
let catalog = [];     // activations
let layers = [];      // [{type, out, init, seed, given}] given = "preset.index" of a layer with fixed W, b
let data = null;      // {x, targets}
let result = null;    // last good /network/run response

// ---- layers <-> URL -----------------------------------------------------------------------------
function encodeLayers() {
  return layers.map((l) => {
    if (l.type !== "affine") return l.type;
    if (givenLayer(l)) return `affine:=${l.given}`;
    return `affine:${l.out}:${l.init}:${l.seed}`;
  }).join("~");
}
function decodeLayers(s) {
  return s.split("~").filter(Boolean).map((tok) => {
    const [type, a, b, c] = tok.split(":");
    if (type !== "affine") return { type };
    if (a && a.startsWith("=")) return { type, given: a.slice(1), out: 4, init: "he", seed: 0 };
    return { type, out: Math.max(1, Number(a) || 4), init: INITS.includes(b) ? b : "he", seed: Number(c) || 0, given: null };
  });
}
/** The preset layer whose fixed W and b an affine layer uses, or null. */
function givenLayer(l) {
  if (!l.given) return null;
  const [name, idx] = String(l.given).split(".");
  const src = presets[name] && presets[name].layers[Number(idx)];
  return src && src.W ? src : null;
}
function layersFromPreset(p) {
  return p.layers.map((l, i) => {
    if (l.type !== "affine") return { type: l.type };
    if (l.W) return { type: "affine", given: `${p.name}.${i}`, out: l.W[0].length, init: "he", seed: 0 };
    return { type: "affine", out: l.out, init: l.init || "he", seed: l.seed ?? 0, given: null };
  });
}

// ---- data ---------------------------------------------------------------------------------------
function parseMatrix(text, what) {
  const rows = text.split(/\n|;/).map((r) => r.trim()).filter(Boolean);
  return rows.map((r, i) => r.split(/[\s,]+/).filter(Boolean).map((tok) => {
    const v = Number(tok);
    if (!Number.isFinite(v)) throw { status: 422, detail: [{ loc: ["body", what], msg: `line ${i + 1}: '${tok.slice(0, 12)}' is not a number` }] };
    return v;
  }));
}
const matrixText = (m, rowSep = "\n", colSep = ", ") => m.map((r) => (Array.isArray(r) ? r.join(colSep) : String(r))).join(rowSep);

function currentData() {
  if (state.data !== "custom") {
    const p = presets[state.data];
    return p ? { x: p.x, targets: p.targets } : null;
  }
  const x = parseMatrix($("x-text").value, "x");
  const t = parseMatrix($("t-text").value, "targets");
  const targets = t.every((r) => r.length === 1 && Number.isInteger(r[0])) ? t.map((r) => r[0]) : t;
  return { x, targets };
}

function widths() {
  // Input width of every layer and the output width of the stack.
  const w = [];
  let cur = data && data.x.length ? data.x[0].length : 2;
  for (const l of layers) {
    w.push(cur);
    if (l.type === "affine") cur = givenLayer(l) ? givenLayer(l).W[0].length : l.out;
  }
  return { inputs: w, out: cur };
}

function requestBody() {
  const { inputs } = widths();
  const ls = layers.map((l, i) => {
    if (l.type !== "affine") return { type: l.type };
    const g = givenLayer(l);
    if (g) return { type: "affine", W: g.W, b: g.b };
    return { type: "affine", in: inputs[i], out: l.out, init: l.init, seed: l.seed };
  });
  return { x: data.x, targets: data.targets, layers: ls, loss: state.loss, gradcheck: state.gc, h: state.h };
}

// ---- layer list UI ------------------------------------------------------------------------------
function typeOptions(sel, value) {
  sel.replaceChildren();
  for (const t of ["affine", ...catalog.map((a) => a.name), "softmax"]) sel.appendChild(new Option(t, t, false, t === value));
}

function renderLayers() {
  const ol = $("layers");
  ol.replaceChildren();
  const { inputs } = widths();
  layers.forEach((l, i) => {
    const li = document.createElement("li");
    li.className = "layer-item";
    li.dataset.field = `layer-${i}`;
    const idx = document.createElement("span");
    idx.className = "idx";
    idx.textContent = String(i);
    const type = document.createElement("select");
    type.setAttribute("aria-label", `type of layer ${i}`);
    typeOptions(type, l.type);
    type.addEventListener("change", () => {
      layers[i] = type.value === "affine" ? { type: "affine", out: 4, init: "he", seed: i, given: null } : { type: type.value };
      changed();
    });
    li.append(idx, type);
    if (l.type === "affine") {
      const given = givenLayer(l);
      if (given) {
        const g = document.createElement("span");
        g.className = "given grow";
        g.textContent = `${inputs[i]}→${given.W[0].length}, preset W`;
        const re = document.createElement("button");
        re.type = "button";
        re.className = "btn btn-icon";
        re.textContent = "re-init";
        re.title = "Replace the preset's W and b by a seeded initialisation";
        re.addEventListener("click", () => { layers[i] = { type: "affine", out: given.W[0].length, init: "he", seed: 0, given: null }; changed(); });
        li.append(g, re);
      } else {
        const inw = document.createElement("span");
        inw.className = "given";
        inw.textContent = `${inputs[i]}→`;
        const out = document.createElement("input");
        out.type = "number"; out.min = "1"; out.max = "256"; out.value = l.out;
        out.setAttribute("aria-label", `output width of layer ${i}`);
        out.addEventListener("change", () => { l.out = Math.max(1, Math.round(Number(out.value) || 1)); changed(); });
        const init = document.createElement("select");
        init.setAttribute("aria-label", `initialisation of layer ${i}`);
        for (const k of INITS) init.appendChild(new Option(k, k, false, k === l.init));
        init.addEventListener("change", () => { l.init = init.value; changed(); });
        const seed = document.createElement("input");
        seed.type = "number"; seed.min = "0"; seed.value = l.seed; seed.style.width = "40px";
        seed.setAttribute("aria-label", `random seed of layer ${i}`);
        seed.title = "seed";
        seed.addEventListener("change", () => { l.seed = Math.max(0, Math.round(Number(seed.value) || 0)); changed(); });
        const cfg = document.createElement("span");
        cfg.className = "cfg";
        const lab = (t) => { const e = document.createElement("span"); e.className = "given"; e.textContent = t; return e; };
        cfg.append(inw, out, lab("init"), init, lab("seed"), seed);
        const grow = document.createElement("span");
        grow.className = "grow";
        li.append(grow, cfg);
      }
    } else {
      const grow = document.createElement("span");
      grow.className = "grow";
      li.append(grow);
    }
    const btn = (txt, label, fn, disabled = false) => {
      const b = document.createElement("button");
      b.type = "button"; b.className = "btn btn-icon"; b.textContent = txt;
      b.setAttribute("aria-label", label); b.title = label; b.disabled = disabled;
      b.addEventListener("click", fn);
      return b;
    };
    li.append(
      btn("↑", `move layer ${i} up`, () => { [layers[i - 1], layers[i]] = [layers[i], layers[i - 1]]; changed(); }, i === 0),
      btn("↓", `move layer ${i} down`, () => { [layers[i + 1], layers[i]] = [layers[i], layers[i + 1]]; changed(); }, i === layers.length - 1),
      btn("✕", `remove layer ${i}`, () => { layers.splice(i, 1); changed(); }),
    );
    const err = document.createElement("div");
    err.className = "field-error layer-err";
    err.dataset.errorFor = `layer-${i}`;
    err.setAttribute("role", "alert");
    li.appendChild(err);
    ol.appendChild(li);
  });
  const w = widths();
  $("shape-hint").textContent = data ? `x is ${data.x.length} × ${data.x[0] ? data.x[0].length : 0}; output width ${w.out}` : "";
}

// ---- graph --------------------------------------------------------------------------------------
function gcStatus(index) {
  if (!result || !result.gradcheck) return null;
  const rows = result.gradcheck.filter((g) => (index === -1 ? g.param === "x" : g.index === index && g.param !== "x"));
  if (!rows.length) return null;
  return rows.every((g) => g.passed) ? "pass" : "fail";
}

function renderGraph() {
  const g = $("graph");
  g.replaceChildren();
  if (!result) return;
  const n = result.forward.length;
  const node = (sel, label, sub) => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "node";
    b.dataset.node = String(sel);
    b.setAttribute("aria-pressed", String(state.sel === sel));
    b.textContent = label;
    const s = document.createElement("span");
    s.className = "nsub";
    s.textContent = sub;
    b.appendChild(s);
    const st = gcStatus(sel === n ? -99 : sel);
    if (st) { b.classList.add(st); b.title = `gradient check: ${st}`; }
    b.addEventListener("click", () => select(sel));
    return b;
  };
  const edge = (shape) => {
    const e = document.createElement("div");
    e.className = "edge";
    e.innerHTML = `<span class="fwd"></span><span class="arrow"></span><span class="back"></span>`;
    e.querySelector(".fwd").textContent = shape;
    e.querySelector(".back").textContent = "← grad";
    return e;
  };
  g.appendChild(node(-1, "x", "input"));
  g.appendChild(edge(shapeText(data.x)));
  result.forward.forEach((f, i) => {
    const hasParams = result.backward[i] && result.backward[i].grads && Object.keys(result.backward[i].grads).length;
    g.appendChild(node(i, f.type, hasParams ? "W, b" : `layer ${i}`));
    g.appendChild(edge(shapeText(f.output)));
  });
  g.appendChild(node(n, "Loss", `${state.loss} = ${num(result.loss, 5)}`));
}

/** Integer ticks on small matrices (no "0.5" row labels). */
function ticks(z) {
  const [r, c] = shapeOf(as2d(z));
  return { xaxis: c <= 16 ? { tickmode: "linear", dtick: 1 } : {}, yaxis: r <= 16 ? { tickmode: "linear", dtick: 1 } : {} };
}

// ---- selected node: heatmaps --------------------------------------------------------------------
const SLOTS = ["hm-a", "hm-b", "hm-c", "hm-d"];
function drawSlots(specs) {
  SLOTS.forEach((id, k) => {
    const el = $(id);
    const s = specs[k];
    if (!s) { el.style.visibility = "hidden"; if (el.data) window.Plotly.purge(el); return; }
    el.style.visibility = "visible";
    const tr = heatmap(s.z, { name: s.name, other: s.other, otherName: s.otherName });
    react(el, [tr], matrixLayout(`${s.title} ${shapeText(s.z)}`, s.rows ?? "sample n", s.cols ?? "unit j", ticks(s.z)));
    el.dataset.title = s.title;
    if (!el.dataset.wired) {
      el.dataset.wired = "1";
      el.on("plotly_click", (ev) => onCellClick(el, ev));
    }
    el._spec = s;
  });
}

function onCellClick(el, ev) {
  const s = el._spec;
  if (!s || !ev.points || !ev.points.length) return;
  const pt = ev.points[0];
  const i = pt.y, j = pt.x;
  const z = as2d(s.z), o = s.other ? as2d(s.other) : null;
  let text = `${s.name}[${i}, ${j}] = ${num(z[i][j], 8)}`;
  if (o) text += `;  ${s.otherName}[${i}, ${j}] = ${num(o[i][j], 8)}`;
  if (s.gc) {
    const numeric = as2d(s.gc.numeric)[i][j];
    const rel = as2d(s.gc.rel_error)[i][j];
    text += `;  numerical ${num(numeric, 8)}, rel. error ${sci(rel, 1)} (${gradcheckPass(z[i][j], numeric) ? "pass" : "fail"})`;
  }
  if (s.explain) text += `  —  ${s.explain(i, j)}`;
  $("sel-formula").textContent = text;
}

function gcFor(index, param) {
  return result.gradcheck ? result.gradcheck.find((g) => g.index === index && g.param === param) : null;
}

function inputOf(i) { return i === 0 ? data.x : result.forward[i - 1].output; }
function gradOfOutput(i) {
  // dL/dy_i is the gradient of the next layer's input; the last layer's comes from the loss.
  return i + 1 < result.backward.length ? result.backward[i + 1].grad_input : null;
}

function formulaFor(sel) {
  const n = result.forward.length;
  if (sel === -1) return "x \\in \\mathbb{R}^{N\\times d}:\\ \\text{one sample per row}";
  if (sel === n) {
    return {
      cross_entropy: "L = -\\tfrac{1}{N}\\sum_n \\log y_{n,t_n},\\quad \\tfrac{\\partial L}{\\partial y} = -\\tfrac{t}{N\\,y}",
      softmax_cross_entropy: "L = -\\tfrac{1}{N}\\sum_n \\log \\operatorname{softmax}(z)_{n,t_n},\\quad \\tfrac{\\partial L}{\\partial z} = \\tfrac{y - t}{N}",
      mse: "L = \\tfrac{1}{2N}\\sum (y - t)^2,\\quad \\tfrac{\\partial L}{\\partial y} = \\tfrac{y - t}{N}",
    }[state.loss] || "";
  }
  const t = result.forward[sel].type;
  if (t === "affine") return "y = xW + b,\\quad \\tfrac{\\partial L}{\\partial W} = x^\\top\\delta,\\quad \\tfrac{\\partial L}{\\partial b} = \\textstyle\\sum_n \\delta_n,\\quad \\tfrac{\\partial L}{\\partial x} = \\delta W^\\top";
  if (t === "softmax") return "y_k = \\tfrac{e^{x_k}}{\\sum_j e^{x_j}},\\quad \\tfrac{\\partial L}{\\partial x} = y \\odot \\bigl(\\delta - \\textstyle\\sum_k \\delta_k y_k\\bigr)";
  const a = catalog.find((c) => c.name === t);
  return a ? `y = ${a.formula},\\quad \\tfrac{\\partial L}{\\partial x} = \\delta \\odot f'(x),\\ f'(x) = ${a.derivative}` : "";
}

function renderSelected() {
  if (!result) return;
  const n = result.forward.length;
  if (state.sel < -1 || state.sel > n) state.sel = 0;
  const sel = state.sel;
  const specs = [];
  let title = "", sub = "";
  if (sel === -1) {
    title = "Input x";
    sub = `shape ${shapeText(data.x)}`;
    const dx = result.backward[0].grad_input;
    specs.push({ title: "x", name: "x", z: data.x, other: dx, otherName: "∂L/∂x", cols: "feature" });
    specs.push({ title: "∂L/∂x", name: "∂L/∂x", z: dx, other: data.x, otherName: "x", cols: "feature", gc: gcFor(0, "x") });
  } else if (sel === n) {
    title = `Loss: ${state.loss}`;
    sub = `L = ${num(result.loss, 10)}`;
    const y = result.forward[n - 1].output;
    const k = shapeOf(y)[1] || 1;
    const t = Array.isArray(data.targets[0]) ? data.targets : data.targets.map((c) => Array.from({ length: k }, (_, j) => (j === c ? 1 : 0)));
    specs.push({ title: "network output y", name: "y", z: y, other: t, otherName: "target t" });
    specs.push({ title: "targets t", name: "t", z: t, other: y, otherName: "y" });
  } else {
    const f = result.forward[sel];
    const b = result.backward[sel];
    title = `Layer ${sel}: ${f.type}`;
    sub = `${shapeText(inputOf(sel))} → ${shapeText(f.output)}`;
    const dy = gradOfOutput(sel);
    specs.push({ title: `output y${sel}`, name: "y", z: f.output, other: dy, otherName: "∂L/∂y" });
    specs.push({ title: "∂L/∂x flowing back", name: "∂L/∂x", z: b.grad_input, other: inputOf(sel), otherName: "x",
      gc: sel === 0 ? gcFor(0, "x") : null });
    const params = result.params.find((p) => p.index === sel);
    if (b.grads && b.grads.W) {
      const W = params ? params.W : null;
      specs.push({ title: "∂L/∂W", name: "∂L/∂W", z: b.grads.W, other: W, otherName: "W", rows: "input i", cols: "unit j", gc: gcFor(sel, "W"),
        explain: dy ? (i, j) => {
          const x = inputOf(sel);
          const s = x.reduce((acc, row, r) => acc + row[i] * dy[r][j], 0);
          return `Σₙ x[n,${i}]·δ[n,${j}] = ${num(s, 8)}`;
        } : null });
      specs.push({ title: "∂L/∂b", name: "∂L/∂b", z: [b.grads.b], other: params ? [params.b] : null, otherName: "b", rows: "", cols: "unit j", gc: gcFor(sel, "b") && { ...gcFor(sel, "b"), numeric: [gcFor(sel, "b").numeric], rel_error: [gcFor(sel, "b").rel_error] } });
    } else {
      specs.push({ title: `input x${sel}`, name: "x", z: inputOf(sel), other: b.grad_input, otherName: "∂L/∂x" });
      if (dy) specs.push({ title: "∂L/∂y from above", name: "∂L/∂y", z: dy, other: f.output, otherName: "y" });
    }
  }
  $("sel-title").textContent = title;
  $("sel-sub").textContent = sub;
  const fm = $("sel-formula");
  fm.innerHTML = '<span class="tex"></span>';
  fm.firstChild.dataset.tex = formulaFor(sel);
  renderTex(fm);
  drawSlots(specs);
  $("graph").querySelectorAll(".node").forEach((b) => b.setAttribute("aria-pressed", String(Number(b.dataset.node) === sel)));
}

function select(sel) {
  state.sel = sel;
  writeState(state);
  renderSelected();
}

// ---- gradient check panel -----------------------------------------------------------------------
const gcKey = (g) => `${g.index}:${g.param}`;
function analyticFor(g) {
  if (g.param === "x") return result.backward[0].grad_input;
  return result.backward[g.index].grads[g.param];
}

function renderGradcheck() {
  const tb = $("gc-table").querySelector("tbody");
  tb.replaceChildren();
  const rel = $("hm-rel");
  if (!result || !result.gradcheck || !result.gradcheck.length) {
    const tr = document.createElement("tr");
    tr.innerHTML = `<td colspan="4">${state.gc ? "—" : "gradient check is off"}</td>`;
    tb.appendChild(tr);
    rel.style.visibility = "hidden";
    return;
  }
  if (!result.gradcheck.some((g) => gcKey(g) === state.gct)) state.gct = gcKey(result.gradcheck[0]);
  for (const g of result.gradcheck) {
    const tr = document.createElement("tr");
    tr.tabIndex = 0;
    tr.dataset.key = gcKey(g);
    if (gcKey(g) === state.gct) tr.classList.add("selected");
    const name = g.param === "x" ? "∂L/∂x (input)" : `layer ${g.index} ∂L/∂${g.param}`;
    const cells = [name, shapeText(g.numeric), sci(g.max_rel_error, 1)].map((t) => { const td = document.createElement("td"); td.textContent = t; return td; });
    const b = document.createElement("td");
    b.appendChild(badge(g.passed));
    tr.append(...cells, b);
    const pick = () => { state.gct = gcKey(g); writeState(state); renderGradcheck(); };
    tr.addEventListener("click", pick);
    tr.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); } });
    tb.appendChild(tr);
  }
  const g = result.gradcheck.find((r) => gcKey(r) === state.gct);
  const a = as2d(analyticFor(g));
  const nm = as2d(g.numeric);
  const re = as2d(g.rel_error);
  const z = re.map((row) => row.map((v) => (v === null ? null : Math.log10(Math.max(v, 1e-16)))));
  const custom = re.map((row, i) => row.map((v, j) => [a[i][j], nm[i][j], v, gradcheckPass(a[i][j], nm[i][j]) ? "pass" : "FAIL"]));
  rel.style.visibility = "visible";
  react(rel, [{
    type: "heatmap", z, customdata: custom, zmin: -12, zmax: 0,
    colorscale: [[0, "#e7f5ec"], [0.55, "#9bd3ae"], [0.75, "#f6c453"], [1, "#c62828"]],
    colorbar: { title: { text: "log₁₀ rel", side: "right" }, thickness: 10, outlinewidth: 0 },
    hovertemplate: "[%{y}, %{x}]<br>analytic %{customdata[0]:.8g}<br>numerical %{customdata[1]:.8g}<br>rel. error %{customdata[2]:.2e}<br>%{customdata[3]}<extra></extra>",
  }], matrixLayout(`relative error |a−n| / max(1e-8, |a|+|n|): ${g.param === "x" ? "input" : `layer ${g.index} ${g.param}`}`, "", "", { margin: { l: 40, r: 8, t: 26, b: 26 }, ...ticks(z) }));
}

// ---- softmax Jacobian ---------------------------------------------------------------------------
function softmaxInput() {
  if (!result) return null;
  const s = result.forward.findIndex((f) => f.type === "softmax");
  if (s >= 0) return { rows: inputOf(s), where: `input of layer ${s} (softmax)` };
  if (state.loss === "softmax_cross_entropy") return { rows: result.forward[result.forward.length - 1].output, where: "logits fed to the fused softmax" };
  return null;
}

async function renderJacobian() {
  const el = $("hm-jac");
  const src = softmaxInput();
  if (!src) {
    if (el.data) window.Plotly.purge(el);
    el.textContent = "No softmax in this stack.";
    return;
  }
  const n = src.rows.length;
  $("sample").max = String(n - 1);
  const k = Math.min(Math.max(0, Math.round(state.sample)), n - 1);
  try {
    const r = await post("/api/v1/softmax/jacobian", { x: src.rows[k] }, "jacobian");
    clearErrors($("sample").closest(".plot-card"));
    window.__bpx.jacobian = r;
    if (!el.data) el.textContent = "";
    const tr = heatmap(r.jacobian, { name: "∂y_i/∂x_j" });
    tr.hovertemplate = `∂y[%{y}]/∂x[%{x}] = %{z:.6g}<extra></extra>`;
    react(el, [tr], matrixLayout(`sample ${k}: y = (${r.y.map((v) => num(v, 3)).join(", ")})`, "i", "j", { margin: { l: 34, r: 8, t: 26, b: 30 }, ...ticks(r.jacobian) }));
  } catch (err) {
    if (isAbort(err)) return;
    showErrors($("sample").closest(".plot-card"), err, { alias: { x: "sample" } });
  }
}

// ---- run ----------------------------------------------------------------------------------------
async function run() {
  writeState(stateForUrl());
  clearErrors(form);
  let body;
  try {
    data = currentData();
    body = requestBody();
  } catch (err) {
    showErrors(form, err);
    return;
  }
  $("status").textContent = "running…";
  $("run").disabled = true;
  const t0 = performance.now();
  try {
    const r = await post("/api/v1/network/run", body, "run");
    result = r;
    window.__bpx.result = r;
    window.__bpx.body = body;
    $("status").textContent = `done in ${Math.round(performance.now() - t0)} ms`;
    renderGraph();
    renderSelected();
    renderGradcheck();
    await renderJacobian();
  } catch (err) {
    if (isAbort(err)) return;
    $("status").textContent = "";
    showErrors(form, err, { locate: locateError, alias: state.data === "custom" ? {} : { x: "data", targets: "data" } });
  } finally {
    $("run").disabled = false;
  }
}
const runSoon = debounce(run, 250);

function locateError(path) {
  if (path[0] === "layers" && Number.isInteger(path[1])) return $("layers").children[path[1]] || null;
  return null;
}

function stateForUrl() {
  const s = { ...state, L: encodeLayers() };
  if (state.data === "custom") {
    const X = $("x-text").value.trim().replace(/\n+/g, ";").replace(/\s*,\s*|\s+/g, ",").replace(/,?;,?/g, ";");
    const T = $("t-text").value.trim().replace(/\n+/g, ";").replace(/\s*,\s*|\s+/g, ",").replace(/,?;,?/g, ";");
    if (X.length + T.length <= URL_DATA_MAX) { s.X = X; s.T = T; } else { s.X = ""; s.T = ""; }
  } else {
    s.X = ""; s.T = "";
  }
  return s;
}

function changed() {
  try { data = currentData(); } catch { /* shown on run */ }
  renderLayers();
  writeState(stateForUrl());
  const rows = data ? data.x.length : 0;
  if (rows <= AUTO_RUN_MAX_ROWS) runSoon();
  else $("status").textContent = `changed: press Run (${rows} samples${state.gc ? ", with gradient check" : ""})`;
}

// ---- events -------------------------------------------------------------------------------------
form.addEventListener("submit", (e) => { e.preventDefault(); runSoon.flush(); });
$("data").addEventListener("change", (e) => {
  const prev = state.data;
  state.data = e.target.value;
  $("custom-data").hidden = state.data !== "custom";
  if (state.data === "custom") {
    if (!$("x-text").value.trim()) {
      const src = presets[prev] && presets[prev].x.length <= 60 ? presets[prev] : presets.toy_2d;
      if (src) { $("x-text").value = matrixText(src.x); $("t-text").value = matrixText(src.targets); }
    }
  } else {
    layers = layersFromPreset(presets[state.data]);
    state.loss = presets[state.data].loss;
    $("loss").value = state.loss;
  }
  state.sel = 0;
  changed();
});
for (const id of ["x-text", "t-text"]) $(id).addEventListener("input", debounce(() => changed(), 400));
$("loss").addEventListener("change", (e) => { state.loss = e.target.value; changed(); });
$("gc").addEventListener("change", (e) => { state.gc = e.target.checked; changed(); });
$("h").addEventListener("change", (e) => { state.h = Number(e.target.value); changed(); });
$("add-layer").addEventListener("click", () => {
  const t = $("add-type").value;
  layers.push(t === "affine" ? { type: "affine", out: 4, init: "he", seed: layers.length, given: null } : { type: t });
  changed();
});
$("sample").addEventListener("change", (e) => {
  state.sample = Math.max(0, Math.round(Number(e.target.value) || 0));
  writeState(stateForUrl());
  renderJacobian();
});

async function init() {
  try {
    const [pr, acts] = await Promise.all([get("/api/v1/network/presets"), get("/api/v1/activations")]);
    for (const p of pr.presets) presets[p.name] = p;
    catalog = acts;
  } catch (err) {
    showErrors(form, err);
    return;
  }
  typeOptions($("add-type"), "affine");
  if (!["notebook", "toy_2d", "custom"].includes(state.data)) state.data = "notebook";
  if (state.data !== "custom" && !presets[state.data]) state.data = Object.keys(presets)[0];
  $("data").value = state.data;
  $("custom-data").hidden = state.data !== "custom";
  if (state.data === "custom") {
    $("x-text").value = state.X.split(";").join("\n");
    $("t-text").value = state.T.split(";").join("\n");
  }
  const base = presets[state.data] || presets.toy_2d;
  layers = state.L ? decodeLayers(state.L) : layersFromPreset(base);
  if (!state.L && state.data !== "custom") state.loss = base.loss;
  $("loss").value = state.loss;
  $("gc").checked = state.gc;
  const hOpt = [...$("h").options].find((o) => Number(o.value) === state.h);
  if (hOpt) $("h").value = hOpt.value;
  $("sample").value = state.sample;
  try { data = currentData(); } catch { data = null; }
  renderLayers();
  await run();
}
init();
