// Computational-graph explorer: type an expression or a small program, watch the forward pass fill
// in values and the backward pass carry gradients back one node at a time, click a node for its
// chain-rule step with the numbers plugged in, and compare reverse mode with the exact and the
// numerical gradients. This module only wires the panels: the variables (variables.js), the
// drawing (draw.js), the step bar (stepbar.js), the inspector (inspector.js), the gradients
// (gradtable.js), the zoom (zoom.js) and "your turn" (yourturn.js, turncontrols.js).
import { post } from "../../kit/api.js";
import { byId } from "../../kit/dom.js";
import { Cycle, debounce } from "../../kit/lifecycle.js";
import { start } from "../../kit/page.js";
import { UrlState, bool, num, str } from "../../kit/state.js";
import { GraphView, PASS } from "./draw.js";
import { GradTable } from "./gradtable.js";
import { Inspector } from "./inspector.js";
import { layoutGraph } from "./layout.js";
import { PRESETS } from "./presets.js";
import { ProgramForm } from "./program.js";
import { StepBar } from "./stepbar.js";
import { Player, bindKeys, plan, shapeOf, usesOf, viewAt } from "./steps.js";
import { stepText } from "./text.js";
import { symbols } from "./words.js";
import { TURN_STATE, TurnControls } from "./turncontrols.js";
import { VariablesPanel } from "./variables.js";
import { valuesProp } from "./vars.js";
import { YourTurn } from "./yourturn.js";
import { ZOOM, ZoomPanel } from "./zoom.js";

/** The play speeds offered, in steps per second. */
export const SPEEDS = [0.5, 1, 2, 4, 8];

export const STATE = new UrlState({
  expr: str(PRESETS[0].expr),
  values: { ...valuesProp, fallback: () => ({ ...PRESETS[0].values }) },
  expand: bool(false),
  step: num(-1, { min: -1, integer: true }), // -1: the end (both passes done)
  node: num(-1, { min: -1, integer: true }), // the node in the inspector; -1 none
  speed: num(2, { min: SPEEDS[0], max: SPEEDS[SPEEDS.length - 1] }),
  zoom: num(0, { min: 0, max: ZOOM.max }), // 0: fit the frame, readable; else the drawing's scale
  ...TURN_STATE, // "your turn" (turncontrols.js)
});
/** @typedef {ReturnType<typeof STATE.read>} GraphState the page state, as read */
/** @typedef {import("./steps.js").Graph} Graph */
/** @typedef {import("../../types/kit").PostBody<"/api/v1/graph">} Body */

export async function init() {
  const state = STATE.read();
  if (!SPEEDS.includes(state.speed)) state.speed = 2;
  const form = byId("controls", HTMLFormElement);
  /** The engine's derivative rule of each function, e.g. {sin: "cos(u)*du"}, and the constants. */
  const rules = /** @type {Record<string, string>} */ (JSON.parse(form.dataset.rules || "{}"));
  const reserved = new Set([...Object.keys(rules), ...JSON.parse(form.dataset.constants || "[]")]);
  const cycle = new Cycle({
    scope: form,
    cards: [byId("card-graph", HTMLElement), byId("card-inspector", HTMLElement), byId("card-grads", HTMLElement)],
    status: byId("status", HTMLElement),
  });
  for (const [name, color] of Object.entries(PASS)) document.documentElement.style.setProperty(`--${name}`, color);
  const svg = byId("graph-svg", SVGSVGElement);
  const frame = byId("graph-scroll", HTMLElement);
  const drawing = new GraphView(svg, { onSelect: select });
  const zoom = new ZoomPanel({
    frame,
    svg,
    layout: () => drawing.layout,
    zoom: state.zoom,
    onChange: (z) => {
      state.zoom = z;
      STATE.write(state);
      if (state.turn) turn.draw(); // the answer boxes sit on the nodes at the drawing's new scale
    },
  });
  const vars = new VariablesPanel({
    list: byId("var-list", HTMLElement),
    reserved,
    values: { ...state.values },
    checks: cycle.checks,
    fail: (err) => cycle.fail(err),
    onSlide: () => fetchSoon(),
    onType: () => fetchTyped(),
  });
  const program = new ProgramForm({
    vars,
    onType: (expr) => {
      state.expr = expr;
      STATE.write(state);
      fetchTyped();
    },
    onExpand: (expand) => {
      state.expand = expand;
      fetchSoon();
    },
    onPreset: (p) => {
      structure = "";
      load(p.expr, p.values);
    },
  });
  const turn = new YourTurn({
    layer: byId("yt-layer", HTMLElement),
    svg,
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
  const bar = new StepBar(player, (speed) => {
    state.speed = speed;
    STATE.write(state);
  });
  const inspector = new Inspector(byId("inspector-body", HTMLElement));
  const grads = GradTable.byIds({ body: "grad-body", rule: "grad-rule", warnings: "grad-warnings", note: "grad-note" });
  window.__bpx = { graph: null, body: null };

  /** @type {import("./inspector.js").Context | null} the last good graph, its steps and names */
  let ctx = null;
  let structure = ""; // the last good graph's shape: a new shape starts at the end, unselected

  function syncControls() {
    program.show(state.expr, state.expand);
    bar.setSpeed(state.speed);
  }

  /** @returns {Body} */
  function requestBody() {
    return { expr: state.expr, values: vars.valuesFor(state.expr), expand: state.expand };
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

  /**
   * A good answer: lay it out if its shape is new, then draw the current step.
   * @param {Graph} r
   */
  async function show(r) {
    const shape = shapeOf(r);
    const renewed = shape !== structure;
    const first = structure === "";
    window.__bpx = { ...window.__bpx, graph: r };
    ctx = { graph: r, steps: plan(r), uses: usesOf(r), syms: symbols(r), rules };
    if (renewed) {
      drawing.build(r, layoutGraph(r));
      if (!first) zoom.zoom = 0; // a new program opens fitted
      zoom.apply();
    }
    if (state.turn) turn.setGraph(r, asked());
    const last = ctx.steps.length - 1;
    if (state.step < 0 || state.step > last || (renewed && !first)) state.step = last;
    if (state.node >= r.nodes.length || (renewed && !first)) state.node = -1;
    structure = shape;
    player.last = last;
    player.index = state.step;
    render();
    grads.show(r, viewAt(r, ctx.steps, state.step, ctx.uses));
  }

  /** @returns {import("./yourturn.js").Ask} */
  const asked = () => ({ values: state.tvalues, locals: state.tlocals });

  function render() {
    if (!ctx) return;
    const { graph, steps, uses, syms } = ctx;
    const v = viewAt(graph, steps, state.step, uses);
    document.body.classList.toggle("yourturn", state.turn);
    if (state.turn) {
      turn.setGraph(graph, asked());
      drawing.update(graph, turn.view() ?? v, -1);
      turn.place(drawing.layout);
      document.body.classList.toggle("yt-finished", turn.finished());
      bar.showTurn(turn.banner());
      if (turn.finished()) grads.show(graph, viewAt(graph, steps, steps.length - 1, uses));
      STATE.write(state);
      return;
    }
    turn.clear();
    drawing.update(graph, v, state.node);
    bar.show(v, stepText(graph, v.step, syms, rules, uses));
    inspector.show(ctx, state.node, v);
    grads.show(graph, v);
    STATE.write(state);
  }

  /** @param {number} id */
  function select(id) {
    state.node = state.node === id ? -1 : id;
    render();
  }

  /**
   * A new program (an example, or a random one): from its end, nothing selected.
   * @param {string} expr
   * @param {Record<string, number>} values
   */
  function load(expr, values) {
    state.expr = expr;
    Object.assign(vars.values, values);
    state.step = -1;
    state.node = -1;
    turn.clear();
    syncControls();
    fetchSoon.flush();
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    fetchTyped.flush();
  });
  bindKeys(document, player);
  new ResizeObserver(() => zoom.apply()).observe(frame);

  new TurnControls({
    state,
    save: () => STATE.write(state),
    restart: () => {
      turn.clear();
      render();
    },
    take: (r) => {
      state.seed = r.seed;
      load(r.expr, r.values);
    },
    showMe: () => turn.showMe(),
    run: (req, ok) => cycle.run(req, ok),
  });
  syncControls();
  await fetchGraph();
}

start(init);
