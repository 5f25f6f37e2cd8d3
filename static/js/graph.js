// Computational-graph explorer: type an expression or a small program, watch the forward pass fill
// in values and the backward pass carry gradients back one node at a time, click a node for its
// chain-rule step with the numbers plugged in, and compare reverse mode with the exact and the
// numerical gradients. The drawing, the stepping and the formulas are modules of their own.
import { post, isAbort, clearErrors, showErrors } from "./api.js";
import { readState, writeState, debounce } from "./urlstate.js";
import { sci, gradcheckPass, badge, GRADCHECK } from "./plots.js";
import { PASS } from "./colors.js";
import { GraphView, layoutGraph } from "./graphdraw.js";
import { Player, bindKeys, plan, usesOf, viewAt } from "./graphsteps.js";
import { backwardText, fmt, forwardText, localLines, opWords, stepText, symbols } from "./graphtext.js";

/** @typedef {import("./graphsteps.js").Graph & {gradients: Record<string, number|null>, exact: Record<string, number|null>, numeric: Record<string, number|null>, nonfinite: number, h: number}} GraphOut */

const NEURON = { w0: 2, x0: -1, w1: -3, x1: -2, w2: -3 };
export const PRESETS = [
  { id: "cs231n", title: "CS231n: f = (x + y)·z, as q = x + y; f = q·z", expr: "q = x + y\nf = q * z", values: { x: -2, y: 5, z: -4 } },
  { id: "neuron", title: "CS231n: the sigmoid neuron, staged", expr: "1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))", values: NEURON },
  { id: "gate", title: "The same neuron as one sigmoid gate (try expand)", expr: "sigmoid(w0*x0 + w1*x1 + w2)", values: NEURON },
  { id: "square", title: "The notebook's x² + 5", expr: "x**2 + 5", values: { x: 1 } },
  { id: "cubic", title: "The notebook's x1² + x2³ + 1", expr: "x1**2 + x2**3 + 1", values: { x1: 2, x2: 3 } },
  {
    id: "net",
    title: "A 2–2–1 network with named weights",
    expr: "x1 = 1.0\nx2 = -2.0\nh1 = tanh(w11*x1 + w12*x2 + b1)\nh2 = tanh(w21*x1 + w22*x2 + b2)\ny = v1*h1 + v2*h2",
    values: { w11: 0.5, w12: -0.3, b1: 0.1, w21: -0.8, w22: 0.2, b2: 0.4, v1: 1.2, v2: -0.7 },
  },
  { id: "square2", title: "x · x: one variable, two edges", expr: "x * x", values: { x: 3 } },
];
const SPEEDS = [0.5, 1, 2, 4, 8];

/** "x:-2,y:5" <-> {x: -2, y: 5}: the variables' values in the URL. */
const encodeValues = (vals) => Object.entries(vals).map(([k, v]) => `${k}:${v}`).join(",");
function decodeValues(text) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const part of String(text).split(",")) {
    const [k, v] = part.split(":");
    const x = Number(v);
    if (k && /^[a-z][a-z0-9_]*$/.test(k) && v !== undefined && v.trim() !== "" && Number.isFinite(x)) out[k] = x;
  }
  return out;
}

const DEFAULTS = { expr: PRESETS[0].expr, values: encodeValues(PRESETS[0].values), expand: false, step: -1, node: -1, speed: 2 };

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const form = /** @type {HTMLFormElement} */ ($("controls"));
/** The engine's derivative rule of each function, e.g. {"sin": "cos(u)*du"}. */
const RULES = JSON.parse(form.dataset.rules || "{}");
const RESERVED = new Set([...Object.keys(RULES), ...JSON.parse(form.dataset.constants || "[]")]);
const state = readState(DEFAULTS);
if (!SPEEDS.includes(state.speed)) state.speed = DEFAULTS.speed;
/** Every variable's value this session: a variable typed away and back keeps its value. */
const values = { ...decodeValues(DEFAULTS.values), ...decodeValues(state.values) };
window.__bpx = { graph: null, body: null };

/** @type {GraphOut|null} */
let graph = null;
/** @type {import("./graphsteps.js").Step[]} */
let steps = [];
/** @type {import("./graphsteps.js").Use[][]} */
let uses = [];
/** @type {string[]} */
let syms = [];
let structure = "";  // the last good graph's shape; a new one starts at the end, unselected

document.documentElement.style.setProperty("--fwd", PASS.forward);
document.documentElement.style.setProperty("--bwd", PASS.backward);
const drawing = new GraphView(/** @type {any} */ ($("graph-svg")), { onSelect: select });
const player = new Player((index) => { state.step = index; render(); });
player.speed = state.speed;

// ---- the variables of a program ------------------------------------------------------------------
const TOKEN = /(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*/g;
const ASSIGN = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*([-+*/]?=)(?!=)(.*)$/s;

/** The names a program reads before assigning them, in order of first use: its variables. */
export function variablesOf(expr) {
  const vars = [], assigned = new Set();
  const read = (name) => {
    if (!assigned.has(name) && !RESERVED.has(name) && !vars.includes(name)) vars.push(name);
  };
  for (const stmt of expr.split(/[\n;]/)) {
    const m = stmt.match(ASSIGN);
    if (m && m[2] !== "=") read(m[1]); // x += 1 reads x
    for (const tok of (m ? m[3] : stmt).match(TOKEN) || []) if (!/^[\d.]/.test(tok)) read(tok);
    if (m) assigned.add(m[1]);
  }
  return vars;
}

// ---- controls <-> state ----------------------------------------------------------------------------
function fillPresets() {
  const sel = /** @type {HTMLSelectElement} */ ($("preset"));
  for (const p of PRESETS) sel.add(new Option(p.title, p.id));
}

function syncControls() {
  /** @type {HTMLTextAreaElement} */ ($("expr")).value = state.expr;
  /** @type {HTMLInputElement} */ ($("expand")).checked = state.expand;
  /** @type {HTMLSelectElement} */ ($("speed")).value = String(state.speed);
  const match = PRESETS.find((p) => p.expr === state.expr);
  /** @type {HTMLSelectElement} */ ($("preset")).value = match ? match.id : "";
  renderVariables();
}

let shownVariables = "";
/** One slider and one number box per variable; rebuilt only when the names change. */
function renderVariables() {
  const names = variablesOf(state.expr);
  if (names.join(",") === shownVariables) {
    for (const name of names) setVariableInputs(name);
    return;
  }
  shownVariables = names.join(",");
  const list = $("var-list");
  list.replaceChildren();
  if (!names.length) {
    const p = document.createElement("p");
    p.className = "hint";
    p.textContent = "No variables yet: use a name such as x in the expression.";
    list.appendChild(p);
  }
  for (const name of names) {
    if (values[name] === undefined) values[name] = 1;
    const row = document.createElement("div");
    row.className = "var-row";
    const label = document.createElement("label");
    label.htmlFor = `var-${name}`;
    label.textContent = name;
    const range = document.createElement("input");
    range.type = "range";
    range.id = `var-${name}`;
    range.step = "0.1";
    range.dataset.var = name;
    const box = document.createElement("input");
    box.type = "number";
    box.step = "any";
    box.id = `var-${name}-num`;
    box.dataset.var = name;
    box.setAttribute("aria-label", `${name} exactly`);
    range.addEventListener("input", () => {
      values[name] = Number(range.value);
      box.value = String(values[name]);
      fetchSoon();
    });
    box.addEventListener("input", () => {
      const v = Number(box.value);
      if (box.value.trim() === "" || !Number.isFinite(v)) return;
      values[name] = v;
      setVariableInputs(name);
      fetchTyped();
    });
    row.append(label, range, box);
    list.appendChild(row);
    setVariableInputs(name);
  }
}

function setVariableInputs(name) {
  const range = /** @type {HTMLInputElement|null} */ (document.getElementById(`var-${name}`));
  const box = /** @type {HTMLInputElement|null} */ (document.getElementById(`var-${name}-num`));
  if (!range || !box) return;
  const v = values[name];
  const span = Math.max(5, Math.ceil(Math.abs(v)));
  range.min = String(-span);
  range.max = String(span);
  if (document.activeElement !== range) range.value = String(v);
  if (document.activeElement !== box) box.value = String(v);
}

// ---- requests --------------------------------------------------------------------------------------
function requestBody() {
  const names = variablesOf(state.expr);
  return { expr: state.expr, values: Object.fromEntries(names.map((n) => [n, values[n] ?? 1])), expand: state.expand };
}

async function fetchGraph() {
  const body = requestBody();
  state.values = encodeValues(body.values);
  writeState(state);
  window.__bpx.body = body;
  try {
    const r = /** @type {GraphOut} */ (await post("/api/v1/graph", body, "graph"));
    clearErrors(form);
    setStale(false);
    show(r);
  } catch (err) {
    if (isAbort(err)) return;
    clearErrors(form);
    showErrors(form, err);
    setStale(Boolean(graph));
  }
}
const fetchSoon = debounce(fetchGraph, 90);
const fetchTyped = debounce(fetchGraph, 300);

function setStale(on) {
  for (const id of ["graph-svg", "inspector", "grad-card"]) $(id).classList.toggle("stale", on);
  $("graph-canvas").dataset.stale = String(on);
  $("stale-note").hidden = !on;
  $("status").textContent = on ? "Showing the last good graph." : "";
}

const shapeOf = (g) => `${g.expand}|${g.nodes.map((n) => `${n.op}:${n.label}:${n.name || ""}:${n.inputs.join(".")}`).join("|")}`;

/** A good answer: lay it out if its shape is new, then draw the current step. */
function show(r) {
  const shape = shapeOf(r);
  const renewed = shape !== structure;
  const first = structure === "";
  graph = r;
  window.__bpx.graph = r;
  steps = plan(r);
  uses = usesOf(r);
  syms = symbols(r);
  if (renewed) {
    drawing.build(r, layoutGraph(r));
    drawing.fit();
  }
  const last = steps.length - 1;
  if (state.step < 0 || state.step > last || (renewed && !first)) state.step = last;
  if (state.node >= r.nodes.length || (renewed && !first)) state.node = -1;
  structure = shape;
  player.last = last;
  player.index = state.step;
  render();
}

// ---- drawing the current step ------------------------------------------------------------------
function render() {
  if (!graph) return;
  const v = viewAt(graph, steps, state.step, uses);
  drawing.update(graph, v, state.node);
  const phase = { start: "start", forward: "forward pass", seed: "seed", backward: "backward pass" }[v.step.kind];
  $("step-count").textContent = `step ${v.index} / ${v.last} · ${phase}`;
  const formula = $("step-formula");
  formula.textContent = stepText(graph, v.step, syms, RULES);
  formula.className = `step-formula phase-${v.step.kind}`;
  /** @type {HTMLButtonElement} */ ($("btn-reset")).disabled = v.index === 0;
  /** @type {HTMLButtonElement} */ ($("btn-back")).disabled = v.index === 0;
  /** @type {HTMLButtonElement} */ ($("btn-fwd")).disabled = v.done;
  /** @type {HTMLButtonElement} */ ($("btn-end")).disabled = v.done;
  const play = $("btn-play");
  play.textContent = player.playing ? "■ Pause" : "▶ Play";
  play.setAttribute("aria-pressed", String(player.playing));
  renderInspector(v);
  renderGradients(v);
  writeState(state);
}

function line(parent, cls, text, tag = "div") {
  const el = document.createElement(tag);
  el.className = cls;
  el.textContent = text;
  parent.appendChild(el);
  return el;
}

/** The selected node: its forward step, its local derivatives, its chain-rule step. */
function renderInspector(v) {
  const box = $("inspector-body");
  box.replaceChildren();
  const n = graph && state.node >= 0 ? graph.nodes[state.node] : null;
  if (!graph || !n) {
    line(box, "hint", "Click a node (or focus it and press Enter) to see its chain-rule step with the numbers plugged in.");
    return;
  }
  const out = n.id === graph.output_id ? " · the output" : "";
  line(box, "insp-title", `${syms[n.id]} · ${opWords(n)}${out}`);
  line(box, "insp-label", "forward");
  line(box, "insp-fwd mono", forwardText(graph, n, syms));
  if (n.inputs.length) {
    line(box, "insp-label", "local derivatives");
    line(box, "insp-loc mono", localLines(graph, n, syms, RULES).join(",  "));
  }
  const b = backwardText(graph, n, syms, RULES, 6, uses);
  line(box, "insp-label", b.uses > 1
    ? `backward: ${syms[n.id]} is used ${b.uses} times, so its gradient is the sum over its ${b.uses} edges`
    : "backward (chain rule)");
  const chain = line(box, "insp-bwd mono", "");
  for (const l of b.lines) line(chain, "", l);
  const at = steps.findIndex((s) => s.kind !== "start" && s.kind !== "forward" && s.node === n.id);
  if (at > 0 && v.index < at) line(box, "hint", `The backward pass reaches ${syms[n.id]} at step ${at}.`);
}

/** The variables' gradients: reverse mode (once the backward pass reaches them), exact, numeric. */
function renderGradients(v) {
  const body = $("grad-body");
  body.replaceChildren();
  for (const node of graph.nodes.filter((n) => n.op === "var")) {
    const name = node.label;
    const rev = graph.gradients[name], exact = graph.exact[name], numeric = graph.numeric[name];
    const reached = v.grads.has(node.id) || v.done;
    const tr = document.createElement("tr");
    tr.dataset.var = name;
    line(tr, "", name, "th");
    line(tr, "rev", reached ? fmt(rev, 10) : "·", "td");
    line(tr, "", fmt(exact, 10), "td");
    line(tr, "", fmt(numeric, 10), "td");
    const ok = rev !== null && numeric !== null && gradcheckPass(rev, numeric);
    const err = line(tr, reached ? (ok ? "pass" : "fail") : "", reached && rev !== null && numeric !== null ? sci(Math.abs(rev - numeric), 2).replace(/-/g, "−") : "·", "td");
    err.title = `|reverse − numeric|; passes when ≤ ${GRADCHECK.atol} + ${GRADCHECK.rtol}·|numeric|`;
    const verdict = document.createElement("td");
    if (reached && rev !== null && numeric !== null) verdict.appendChild(badge(ok));
    tr.appendChild(verdict);
    body.appendChild(tr);
  }
  const e = (x) => x.toExponential().replace("e+", "e").replace(/-/g, "−");
  $("grad-rule").textContent = `numeric: central differences, h = ${e(graph.h)}; `
    + `pass: |reverse − numeric| ≤ ${e(GRADCHECK.atol)} + ${e(GRADCHECK.rtol)}·|numeric|`;
  $("grad-note").textContent = graph.nonfinite ? `${graph.nonfinite} numbers are not finite (shown as —)` : "";
}

function select(id) {
  state.node = state.node === id ? -1 : id;
  render();
}

// ---- events ----------------------------------------------------------------------------------------
form.addEventListener("submit", (e) => { e.preventDefault(); fetchTyped.flush(); });
$("expr").addEventListener("input", (e) => {
  state.expr = /** @type {HTMLTextAreaElement} */ (e.target).value;
  renderVariables();
  writeState(state);
  fetchTyped();
});
$("expand").addEventListener("change", (e) => {
  state.expand = /** @type {HTMLInputElement} */ (e.target).checked;
  fetchSoon();
});
$("preset").addEventListener("change", (e) => {
  const p = PRESETS.find((q) => q.id === /** @type {HTMLSelectElement} */ (e.target).value);
  if (!p) return;
  state.expr = p.expr;
  Object.assign(values, p.values);
  state.step = -1;
  state.node = -1;
  structure = "";
  syncControls();
  fetchSoon.flush();
});
$("speed").addEventListener("change", (e) => {
  state.speed = Number(/** @type {HTMLSelectElement} */ (e.target).value);
  player.setSpeed(state.speed);
  writeState(state);
});
$("btn-reset").addEventListener("click", () => player.reset());
$("btn-back").addEventListener("click", () => player.back());
$("btn-play").addEventListener("click", () => player.toggle());
$("btn-fwd").addEventListener("click", () => { player.pause(); player.forward(); });
$("btn-end").addEventListener("click", () => player.end());
bindKeys(document, player);
new ResizeObserver(() => drawing.fit()).observe($("graph-canvas"));

fillPresets();
syncControls();
fetchGraph();
