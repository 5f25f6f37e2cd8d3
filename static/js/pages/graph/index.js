// Computational-graph explorer: type an expression or a small program, watch the forward pass fill
// in values and the backward pass carry gradients back one node at a time, click a node for its
// chain-rule step with the numbers plugged in, and compare reverse mode with the exact and the
// numerical gradients. Drawing (draw.js), stepping (steps.js) and formulas (text.js) are apart.
import { post } from "../../kit/api.js";
import { byId, h, numberInput } from "../../kit/dom.js";
import { sci } from "../../kit/format.js";
import { Cycle, debounce } from "../../kit/lifecycle.js";
import { start } from "../../kit/page.js";
import { UrlState, bool, num, str, words } from "../../kit/state.js";
import { verdictBadge, warningList } from "../../kit/verdict.js";
import { GraphView, PASS, layoutGraph } from "./draw.js";
import { Player, bindKeys, plan, usesOf, viewAt } from "./steps.js";
import { backwardText, fmt, forwardText, localLines, opWords, stepText, symbols } from "./text.js";
import { valuesProp, variablesOf } from "./vars.js";
import { CIRCUIT_OPS, YourTurn } from "./yourturn.js";

/** @typedef {import("./steps.js").Graph} Graph */
/** @typedef {import("./steps.js").View} View */
/** @typedef {import("../../types/kit").PostBody<"/api/v1/graph">} Body */
/** @typedef {{id: string, title: string, expr: string, values: Record<string, number>}} Preset */

const NEURON = { w0: 2, x0: -1, w1: -3, x1: -2, w2: -3 };
/** @type {Preset[]} */
export const PRESETS = [
  {
    id: "cs231n",
    title: "CS231n: f = (x + y)·z, as q = x + y; f = q·z",
    expr: "q = x + y\nf = q * z",
    values: { x: -2, y: 5, z: -4 },
  },
  {
    id: "neuron",
    title: "CS231n: the sigmoid neuron, staged",
    expr: "1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))",
    values: NEURON,
  },
  {
    id: "gate",
    title: "The same neuron as one sigmoid gate (try expand)",
    expr: "sigmoid(w0*x0 + w1*x1 + w2)",
    values: NEURON,
  },
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
const STATE = new UrlState({
  expr: str(PRESETS[0].expr),
  values: { ...valuesProp, fallback: () => ({ ...PRESETS[0].values }) },
  expand: bool(false),
  step: num(-1, { min: -1, integer: true }), // -1: the end (both passes done)
  node: num(-1, { min: -1, integer: true }), // the node in the inspector; -1 none
  speed: num(2, { min: SPEEDS[0], max: SPEEDS[SPEEDS.length - 1] }),
  // "Your turn" (yourturn.js): the mode, what is hidden, the seed of the last new circuit or
  // new numbers, and the size and operations of the next new circuit.
  turn: bool(false),
  tvalues: bool(false), // ask the forward values too
  tlocals: bool(false), // ask each edge's local derivative too
  seed: num(-1, { min: -1, max: Number.MAX_SAFE_INTEGER, integer: true }),
  rnodes: num(5, { min: 1, max: 15, integer: true }),
  rops: words(["add", "sub", "mul"], CIRCUIT_OPS),
});

export async function init() {
  const state = STATE.read();
  if (!SPEEDS.includes(state.speed)) state.speed = 2;
  const form = byId("controls", HTMLFormElement);
  const exprBox = byId("expr", HTMLTextAreaElement);
  const expandBox = byId("expand", HTMLInputElement);
  const presetBox = byId("preset", HTMLSelectElement);
  const speedBox = byId("speed", HTMLSelectElement);
  const varList = byId("var-list", HTMLElement);
  const formula = byId("step-formula", HTMLElement);
  const stepCount = byId("step-count", HTMLElement);
  const inspector = byId("inspector-body", HTMLElement);
  const gradBody = byId("grad-body", HTMLElement);
  const buttons = {
    reset: byId("btn-reset", HTMLButtonElement),
    back: byId("btn-back", HTMLButtonElement),
    play: byId("btn-play", HTMLButtonElement),
    fwd: byId("btn-fwd", HTMLButtonElement),
    end: byId("btn-end", HTMLButtonElement),
  };
  /** The engine's derivative rule of each function, e.g. {sin: "cos(u)*du"}, and the constants. */
  const rules = /** @type {Record<string, string>} */ (JSON.parse(form.dataset.rules || "{}"));
  const reserved = new Set([...Object.keys(rules), ...JSON.parse(form.dataset.constants || "[]")]);
  const cycle = new Cycle({
    scope: form,
    cards: [byId("card-graph", HTMLElement), byId("card-inspector", HTMLElement), byId("card-grads", HTMLElement)],
    status: byId("status", HTMLElement),
  });
  for (const [name, color] of Object.entries(PASS)) document.documentElement.style.setProperty(`--${name}`, color);
  const drawing = new GraphView(byId("graph-svg", SVGSVGElement), { onSelect: select });
  const turn = new YourTurn({
    layer: byId("yt-layer", HTMLElement),
    svg: byId("graph-svg", SVGSVGElement),
    live: byId("yt-live", HTMLElement),
    score: byId("yt-score", HTMLElement),
    request: () => requestBody(),
    onChange: () => render(),
    highlight: (ids) => drawing.highlight(ids),
  });
  const player = new Player((index) => {
    state.step = index;
    render();
  });
  player.speed = state.speed;
  /** Every variable's value this session: a variable typed away and back keeps its value. */
  const values = { ...state.values };
  window.__bpx = { graph: null, body: null };

  /** @type {Graph | null} */
  let graph = null;
  /** @type {import("./steps.js").Step[]} */
  let steps = [];
  /** @type {import("./steps.js").Use[][]} */
  let uses = [];
  /** @type {string[]} */
  let syms = [];
  let structure = ""; // the last good graph's shape: a new shape starts at the end, unselected
  let shownVariables = "";
  /** @type {Set<() => import("../../kit/api.js").ApiError | null>} */
  let varChecks = new Set();

  for (const p of PRESETS) presetBox.add(new Option(p.title, p.id));

  function syncControls() {
    exprBox.value = state.expr;
    expandBox.checked = state.expand;
    speedBox.value = String(state.speed);
    presetBox.value = PRESETS.find((p) => p.expr === state.expr)?.id ?? "";
    renderVariables();
  }

  /** One slider and one number box per variable; rebuilt only when the names change. */
  function renderVariables() {
    const names = variablesOf(state.expr, reserved);
    if (names.join(",") !== shownVariables) {
      shownVariables = names.join(",");
      for (const c of varChecks) cycle.checks.delete(c);
      varChecks = new Set();
      varList.replaceChildren(
        ...(names.length ? names.map(variableRow) : [h("p", { class: "hint" }, "No variables: use a name such as x.")]),
      );
    }
    for (const name of names) setVariableInputs(name);
  }

  /** @param {string} name */
  function variableRow(name) {
    values[name] ??= 1;
    const range = h("input", { type: "range", id: `var-${name}`, step: "0.1" });
    const box = h("input", { type: "number", id: `var-${name}-num`, step: "any", "aria-label": `${name} exactly` });
    box.dataset.field = `var-${name}`; // the page's own check of this box answers beside it
    range.addEventListener("input", () => {
      values[name] = Number(range.value);
      box.value = String(values[name]);
      fetchSoon();
    });
    const check = numberInput(box, {
      event: "input",
      label: name,
      onValue: (v) => {
        values[name] = v ?? 1;
        setVariableInputs(name);
        fetchTyped();
      },
      onError: (err) => cycle.fail(err),
    });
    varChecks.add(check);
    cycle.checks.add(check);
    const error = h("div", { class: "field-error", role: "alert" });
    error.dataset.errorFor = `var-${name}`;
    return h("div", { class: "var-row" }, h("label", { for: range.id }, name), range, box, error);
  }

  /** @param {string} name */
  function setVariableInputs(name) {
    const range = document.getElementById(`var-${name}`);
    const box = document.getElementById(`var-${name}-num`);
    if (!(range instanceof HTMLInputElement) || !(box instanceof HTMLInputElement)) return;
    const v = values[name];
    const span = Math.max(5, Math.ceil(Math.abs(v)));
    range.min = String(-span);
    range.max = String(span);
    if (document.activeElement !== range) range.value = String(v);
    if (document.activeElement !== box) box.value = String(v);
  }

  /** @returns {import("./yourturn.js").Ask} */
  function asked() {
    return { values: state.tvalues, locals: state.tlocals };
  }

  /** @returns {Body} */
  function requestBody() {
    const names = variablesOf(state.expr, reserved);
    return {
      expr: state.expr,
      values: Object.fromEntries(names.map((n) => [n, values[n] ?? 1])),
      expand: state.expand,
    };
  }

  async function fetchGraph() {
    const body = requestBody();
    state.values = body.values;
    STATE.write(state);
    window.__bpx = { ...window.__bpx, body };
    await cycle.run((signal) => post("/api/v1/graph", body, signal), show);
  }
  const fetchSoon = debounce(fetchGraph, 90);
  const fetchTyped = debounce(fetchGraph, 300);

  /** @param {Graph} g */
  const shapeOf = (g) =>
    `${g.expand}|${g.nodes.map((n) => `${n.op}:${n.label}:${n.name || ""}:${n.inputs.join(".")}`).join("|")}`;

  /**
   * A good answer: lay it out if its shape is new, then draw the current step.
   * @param {Graph} r
   */
  async function show(r) {
    const shape = shapeOf(r);
    const renewed = shape !== structure;
    const first = structure === "";
    graph = r;
    window.__bpx = { ...window.__bpx, graph: r };
    steps = plan(r);
    uses = usesOf(r);
    syms = symbols(r);
    if (renewed) {
      drawing.build(r, layoutGraph(r));
      drawing.fit();
    }
    if (state.turn) turn.setGraph(r, asked());
    const last = steps.length - 1;
    if (state.step < 0 || state.step > last || (renewed && !first)) state.step = last;
    if (state.node >= r.nodes.length || (renewed && !first)) state.node = -1;
    structure = shape;
    player.last = last;
    player.index = state.step;
    render();
    renderGradients(viewAt(r, steps, state.step, uses));
  }

  function render() {
    if (!graph) return;
    const v = viewAt(graph, steps, state.step, uses);
    document.body.classList.toggle("yourturn", state.turn);
    if (state.turn) {
      turn.setGraph(graph, asked());
      drawing.update(graph, turn.view() ?? v, -1);
      turn.place(drawing.layout);
      document.body.classList.toggle("yt-finished", turn.finished());
      // The newest diagnosis stays in view here too (#yt-live announces it, so this is not live).
      formula.setAttribute("aria-live", "off");
      formula.textContent = turn.finished()
        ? "All answered: the table below compares the gradients with the exact and numerical ones."
        : turn.latest() ||
          "Your turn: type each hidden number in its box and press Enter; gradients from the output back, " +
            "a node once all its uses are answered.";
      formula.className = "step-formula phase-backward";
      if (turn.finished()) {
        const end = viewAt(graph, steps, steps.length - 1, uses);
        renderGradients(end);
      }
      STATE.write(state);
      return;
    }
    turn.clear();
    formula.setAttribute("aria-live", "polite");
    drawing.update(graph, v, state.node);
    const phase = { start: "start", forward: "forward pass", seed: "seed", backward: "backward pass" }[v.step.kind];
    stepCount.textContent = `step ${v.index} / ${v.last} · ${phase}`;
    formula.textContent = stepText(graph, v.step, syms, rules, uses);
    formula.className = `step-formula phase-${v.step.kind}`;
    buttons.reset.disabled = buttons.back.disabled = v.index === 0;
    buttons.fwd.disabled = buttons.end.disabled = v.done;
    buttons.play.textContent = player.playing ? "■ Pause" : "▶ Play";
    buttons.play.setAttribute("aria-pressed", String(player.playing));
    renderInspector(v);
    renderGradients(v);
    STATE.write(state);
  }

  /**
   * The selected node: its forward step, its local derivatives, its chain-rule step.
   * @param {View} v
   */
  function renderInspector(v) {
    const n = graph && state.node >= 0 ? graph.nodes[state.node] : null;
    if (!graph || !n) {
      inspector.replaceChildren(
        h("div", { class: "hint" }, "Click a node (or focus it, Enter) for its chain-rule step in numbers."),
      );
      return;
    }
    const b = backwardText(graph, n, syms, rules, 6, uses);
    const at = steps.findIndex((s) => s.kind !== "start" && s.kind !== "forward" && s.node === n.id);
    /** @type {(HTMLElement | null)[]} */
    const parts = [
      h("div", { class: "insp-title" }, `${syms[n.id]} · ${opWords(n)}${n.id === graph.output_id ? " (output)" : ""}`),
      h("div", { class: "insp-label" }, "forward"),
      h("div", { class: "insp-fwd mono" }, forwardText(graph, n, syms)),
      n.inputs.length ? h("div", { class: "insp-label" }, "local derivatives") : null,
      n.inputs.length ? h("div", { class: "insp-loc mono" }, localLines(graph, n, syms, rules).join(",  ")) : null,
      h(
        "div",
        { class: "insp-label" },
        b.uses > 1
          ? `backward: ${syms[n.id]} is used ${b.uses} times, so its gradient is the sum over its ${b.uses} edges`
          : "backward (chain rule)",
      ),
      h("div", { class: "insp-bwd mono" }, ...b.lines.map((l) => h("div", {}, l))),
      at > 0 && v.index < at
        ? h("div", { class: "hint" }, `The backward pass reaches ${syms[n.id]} at step ${at}.`)
        : null,
    ];
    inspector.replaceChildren(...parts.filter((p) => p !== null));
  }

  /**
   * The variables' gradients: reverse mode (once the backward pass reaches them), exact, numeric.
   * @param {View} v
   */
  function renderGradients(v) {
    if (!graph) return;
    const g = graph;
    const rows = g.nodes
      .filter((n) => n.op === "var")
      .map((node) => {
        const name = node.label;
        const rev = g.gradients[name] ?? null;
        const numeric = g.numeric[name] ?? null;
        const reached = v.grads.has(node.id) || v.done;
        const known = reached && rev !== null && numeric !== null;
        const err = known ? sci(Math.abs(/** @type {number} */ (rev) - /** @type {number} */ (numeric)), 2) : "·";
        return h(
          "tr",
          { dataset: { var: name } },
          h("th", { scope: "row" }, name),
          h("td", { class: "rev" }, reached ? fmt(rev, 10) : "·"),
          h("td", {}, fmt(g.exact[name] ?? null, 10)),
          h("td", {}, fmt(numeric, 10)),
          h("td", {}, err.replace(/-/g, "−")),
          // The server's verdict on the variables' gradients together (one rule for every page).
          h("td", {}, known ? verdictBadge(g.verdict) : ""),
        );
      });
    gradBody.replaceChildren(...rows);
    byId("grad-rule", HTMLElement).textContent =
      `numeric: central differences, h = ${sci(g.h, 0)}; check: the server's verdict on reverse against numeric`;
    byId("grad-warnings", HTMLElement).replaceChildren(warningList(g.warnings));
    byId("grad-note", HTMLElement).textContent = g.nonfinite ? `${g.nonfinite} numbers are not finite (—)` : "";
  }

  /** @param {number} id */
  function select(id) {
    state.node = state.node === id ? -1 : id;
    render();
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    fetchTyped.flush();
  });
  exprBox.addEventListener("input", () => {
    state.expr = exprBox.value;
    renderVariables();
    STATE.write(state);
    fetchTyped();
  });
  expandBox.addEventListener("change", () => {
    state.expand = expandBox.checked;
    fetchSoon();
  });
  presetBox.addEventListener("change", () => {
    const p = PRESETS.find((q) => q.id === presetBox.value);
    if (!p) return;
    state.expr = p.expr;
    Object.assign(values, p.values);
    state.step = -1;
    state.node = -1;
    structure = "";
    syncControls();
    fetchSoon.flush();
  });
  speedBox.addEventListener("change", () => {
    state.speed = Number(speedBox.value);
    player.setSpeed(state.speed);
    STATE.write(state);
  });
  buttons.reset.addEventListener("click", () => player.reset());
  buttons.back.addEventListener("click", () => player.back());
  buttons.play.addEventListener("click", () => player.toggle());
  buttons.fwd.addEventListener("click", () => {
    player.pause();
    player.forward();
  });
  buttons.end.addEventListener("click", () => player.end());
  bindKeys(document, player);
  new ResizeObserver(() => {
    drawing.fit();
    if (state.turn) turn.draw(); // the answer boxes sit on the nodes at the drawing's new scale
  }).observe(byId("graph-scroll", HTMLElement));

  wireYourTurn();
  syncControls();
  await fetchGraph();

  /** The "your turn" controls: the mode, what is hidden, new numbers, a new circuit, show me. */
  function wireYourTurn() {
    const on = byId("yt-on", HTMLInputElement);
    const hideValues = byId("yt-hide-values", HTMLInputElement);
    const askLocals = byId("yt-locals", HTMLInputElement);
    const nodes = byId("yt-nodes", HTMLInputElement);
    const opsBox = byId("yt-ops", HTMLElement);
    const ops = CIRCUIT_OPS.map((op) =>
      h("input", { type: "checkbox", id: `yt-op-${op}`, value: op, checked: state.rops.includes(op) }),
    );
    opsBox.replaceChildren(...CIRCUIT_OPS.map((op, i) => h("label", { class: "chip" }, ops[i], op)));
    const sync = () => {
      on.checked = state.turn;
      hideValues.checked = state.tvalues;
      askLocals.checked = state.tlocals;
      nodes.value = String(state.rnodes);
    };
    sync();
    const restart = () => {
      turn.clear();
      sync();
      STATE.write(state);
      render();
    };
    on.addEventListener("change", () => {
      state.turn = on.checked;
      restart();
    });
    hideValues.addEventListener("change", () => {
      state.tvalues = hideValues.checked;
      restart();
    });
    askLocals.addEventListener("change", () => {
      state.tlocals = askLocals.checked;
      restart();
    });
    nodes.addEventListener("change", () => {
      const n = Math.round(Number(nodes.value));
      if (n >= 1 && n <= 15) state.rnodes = n;
      nodes.value = String(state.rnodes);
      STATE.write(state);
    });
    for (const c of ops) {
      c.addEventListener("change", () => {
        const chosen = ops.filter((o) => o.checked).map((o) => o.value);
        if (chosen.length) state.rops = chosen;
        else c.checked = true; // at least one operation
        STATE.write(state);
      });
    }
    /** @param {{expr: string, values: Record<string, number>, seed: number}} r */
    const take = (r) => {
      state.seed = r.seed;
      state.expr = r.expr;
      Object.assign(values, r.values);
      state.step = -1;
      state.node = -1;
      turn.clear();
      syncControls();
      fetchSoon.flush();
    };
    const seed = () => Math.floor(Math.random() * 2 ** 31);
    byId("yt-new-numbers", HTMLButtonElement).addEventListener("click", () =>
      cycle.run((signal) => post("/api/v1/graph/random", { seed: seed(), expr: state.expr }, signal), take),
    );
    byId("yt-new-circuit", HTMLButtonElement).addEventListener("click", () =>
      cycle.run(
        (signal) =>
          post(
            "/api/v1/graph/random",
            { seed: seed(), nodes: state.rnodes, ops: /** @type {any} */ (state.rops) },
            signal,
          ),
        (r) => {
          if (!state.turn) state.turn = true;
          sync();
          take(r);
        },
      ),
    );
    byId("yt-show", HTMLButtonElement).addEventListener("click", () => turn.showMe());
  }
}

start(init);
