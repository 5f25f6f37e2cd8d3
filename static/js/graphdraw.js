// The computational graph as SVG: laid out left to right by dagre (inputs on the left, the output
// on the right), each node showing its operation, its value in the forward colour and its
// gradient in the backward colour, each edge its local derivative once the backward pass has
// used it. layoutGraph() is pure; GraphView builds the SVG once per layout and then only
// updates texts and classes as the step moves, so stepping is cheap and keeps the focus.
import { Graph as Dagre, layout as dagreLayout } from "../vendor/dagre/dagre.esm.js";
import { divergingColor } from "./colors.js";
import { edgeKey } from "./graphsteps.js";
import { fmt, opSymbol, opWords, symbols } from "./graphtext.js";

/** @typedef {import("./graphsteps.js").Graph} Graph */
/** @typedef {import("./graphsteps.js").View} View */
/**
 * @typedef {{id: number, x: number, y: number, w: number, h: number}} NodeBox  x, y: top left
 * @typedef {{key: string, from: number, to: number, k: number, d: string, lx: number, ly: number}} EdgePath
 * @typedef {{width: number, height: number, nodes: NodeBox[], edges: EdgePath[]}} Layout
 */

const SVG = "http://www.w3.org/2000/svg";
export const NODE = { w: 86, h: 52 };
const LABEL = { w: 44, h: 14 };
const PAD = 10;
const SCALE = { min: 0.62, max: 1.3 };  // below min the canvas scrolls rather than shrink text
const SOURCE = "source";  // a hidden node before every variable, so all inputs line up on the left
const ALIGN_INPUTS = 6;

/** d3's curveBasis through `pts`: a smooth path that starts and ends at the end points. */
function basis(pts) {
  if (pts.length < 3) return `M${pts[0].x},${pts[0].y}L${pts[pts.length - 1].x},${pts[pts.length - 1].y}`;
  const r = (v) => Math.round(v * 10) / 10;
  let [x0, y0] = [pts[0].x, pts[0].y];
  let [x1, y1] = [pts[1].x, pts[1].y];
  let d = `M${r(x0)},${r(y0)}L${r((5 * x0 + x1) / 6)},${r((5 * y0 + y1) / 6)}`;
  const curve = (x, y) => {
    d += `C${r((2 * x0 + x1) / 3)},${r((2 * y0 + y1) / 3)},${r((x0 + 2 * x1) / 3)},${r((y0 + 2 * y1) / 3)},`
      + `${r((x0 + 4 * x1 + x) / 6)},${r((y0 + 4 * y1 + y) / 6)}`;
    [x0, y0, x1, y1] = [x1, y1, x, y];
  };
  for (const p of pts.slice(2)) curve(p.x, p.y);
  curve(x1, y1);
  return `${d}L${r(x1)},${r(y1)}`;
}

/** Positions of every node and the path of every edge, left to right, in SVG user units. */
export function layoutGraph(graph) {
  const g = new Dagre({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 10, ranksep: 14, edgesep: 6, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  // Up to ALIGN_INPUTS variables line up in the first column, as lectures draw them; more would
  // make that column taller than the screen, so then each sits just before its first use.
  const align = graph.nodes.filter((n) => n.op === "var").length <= ALIGN_INPUTS;
  g.setNode(SOURCE, { width: 1, height: 1 });
  for (const n of graph.nodes) g.setNode(String(n.id), { width: NODE.w, height: NODE.h });
  for (const n of graph.nodes) {
    // A heavy edge of length 1 from the hidden source puts every variable in the first column.
    if (n.op === "var" && align) g.setEdge(SOURCE, String(n.id), { weight: 20, minlen: 1 }, "source");
    n.inputs.forEach((j, k) => {
      g.setEdge(String(j), String(n.id), { width: LABEL.w, height: LABEL.h, labelpos: "c", weight: 1, minlen: 1 }, `k${k}`);
    });
  }
  dagreLayout(g);
  /** @type {NodeBox[]} */
  const nodes = graph.nodes.map((n) => {
    const p = g.node(String(n.id));
    return { id: n.id, x: p.x - NODE.w / 2, y: p.y - NODE.h / 2, w: NODE.w, h: NODE.h };
  });
  const raw = g.edges().filter((e) => e.name !== "source").map((e) => {
    const lab = g.edge(e);
    return { from: Number(e.v), to: Number(e.w), k: Number(String(e.name).slice(1)), points: lab.points, lx: lab.x, ly: lab.y };
  });
  // The bounding box of what is drawn (the hidden source is not).
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  const grow = (x, y) => { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); };
  for (const b of nodes) { grow(b.x, b.y); grow(b.x + b.w, b.y + b.h); }
  for (const e of raw) {
    for (const p of e.points) grow(p.x, p.y);
    grow(e.lx - LABEL.w / 2, e.ly - LABEL.h / 2); grow(e.lx + LABEL.w / 2, e.ly + LABEL.h / 2);
  }
  const dx = PAD - x0, dy = PAD - y0;
  for (const b of nodes) { b.x += dx; b.y += dy; }
  const edges = raw.map((e) => ({
    key: edgeKey(e.to, e.k), from: e.from, to: e.to, k: e.k,
    d: basis(e.points.map((p) => ({ x: p.x + dx, y: p.y + dy }))), lx: e.lx + dx, ly: e.ly + dy,
  }));
  return { width: x1 - x0 + 2 * PAD, height: y1 - y0 + 2 * PAD, nodes, edges };
}

function el(tag, attrs = {}, parent = null) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

const absMax = (xs) => xs.reduce((m, v) => (v !== null && Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);

/** One SVG drawing of a graph, updated in place as the step or the numbers change. */
export class GraphView {
  /**
   * @param {SVGSVGElement} svg
   * @param {{onSelect: (id: number) => void}} opts
   */
  constructor(svg, { onSelect }) {
    this.svg = svg;
    this.onSelect = onSelect;
    /** @type {Layout|null} */
    this.layout = null;
    /** @type {Map<number, {g: SVGGElement, tip: SVGTitleElement, head: SVGTextElement, value: SVGTextElement, grad: SVGTextElement, vs: SVGRectElement, gs: SVGRectElement}>} */
    this.nodes = new Map();
    /** @type {Map<string, {path: SVGPathElement, label: SVGTextElement, text: SVGTSpanElement, title: SVGTitleElement}>} */
    this.edges = new Map();
  }

  /** Build the SVG for a new layout (a new structure); numbers come with update(). */
  build(graph, lay) {
    this.layout = lay;
    this.nodes.clear();
    this.edges.clear();
    const svg = this.svg;
    svg.replaceChildren();
    svg.setAttribute("viewBox", `0 0 ${Math.ceil(lay.width)} ${Math.ceil(lay.height)}`);
    const defs = el("defs", {}, svg);
    for (const kind of ["", "-fwd", "-bwd"]) {
      const m = el("marker", { id: `garrow${kind}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse", class: `garrow${kind}` }, defs);
      el("path", { d: "M0,0L10,5L0,10z" }, m);
    }
    const edgeLayer = el("g", { class: "gedges" }, svg);
    for (const e of lay.edges) {
      const path = el("path", { d: e.d, class: "gedge", "marker-end": "url(#garrow)", "data-edge": e.key }, edgeLayer);
      const label = el("text", { x: e.lx, y: e.ly + 4, class: "glocal", "text-anchor": "middle", "data-edge": e.key }, edgeLayer);
      const text = el("tspan", {}, label);
      const title = el("title", {}, label);
      this.edges.set(e.key, { path, label, text, title });
    }
    const nodeLayer = el("g", { class: "gnodes" }, svg);
    const syms = symbols(graph);
    for (const b of lay.nodes) {
      const n = graph.nodes[b.id];
      const g = el("g", { class: `gnode op-${n.op}`, transform: `translate(${b.x},${b.y})`, tabindex: 0, role: "button", "data-id": n.id }, nodeLayer);
      el("rect", { class: "gbox", width: b.w, height: b.h, rx: 8 }, g);
      const tip = el("title", {}, g);
      const head = el("text", { class: "ghead", x: 7, y: 15 }, g);
      const sym = el("tspan", { class: "gop" }, head);
      sym.textContent = opSymbol(n);
      if (n.op !== "var" && n.op !== "const" || n.name) {
        const name = el("tspan", { class: "gname", dx: 5 }, head);
        name.textContent = n.op === "var" ? "" : syms[n.id];
      }
      const vs = el("rect", { class: "gswatch", x: 7, y: 22, width: 6, height: 10, rx: 1.5 }, g);
      const value = el("text", { class: "gval", x: 17, y: 31 }, g);
      const gs = el("rect", { class: "gswatch", x: 7, y: 37, width: 6, height: 10, rx: 1.5 }, g);
      const grad = el("text", { class: "ggrad", x: 17, y: 46 }, g);
      g.addEventListener("click", () => this.onSelect(n.id));
      g.addEventListener("keydown", (/** @type {KeyboardEvent} */ ev) => {
        if (ev.key !== "Enter" && ev.key !== " ") return;
        ev.preventDefault();
        ev.stopPropagation();
        this.onSelect(n.id);
      });
      this.nodes.set(n.id, { g, tip, head, value, grad, vs, gs });
    }
  }

  /**
   * Show the numbers known at `view` (a step of the passes) and mark the current node and edges.
   * @param {Graph} graph @param {View} view @param {number} selected -1 for none
   */
  update(graph, view, selected) {
    const syms = symbols(graph);
    const vmax = absMax(graph.nodes.map((n) => n.value));
    const gmax = absMax(graph.nodes.map((n) => n.grad));
    const current = view.step.kind === "start" ? -1 : view.step.node;
    const backwards = view.step.kind === "seed" || view.step.kind === "backward";
    const inBackward = new Set(graph.backward_order);
    for (const n of graph.nodes) {
      const v = this.nodes.get(n.id);
      if (!v) continue;
      const known = view.values.has(n.id);
      const unused = view.done && !inBackward.has(n.id);
      const graded = view.grads.has(n.id) || unused;
      // A leading space (not drawn) keeps the node's text "x −2 −4" for assistive technology.
      v.value.textContent = ` ${known ? fmt(n.value, 4) : "·"}`;
      v.grad.textContent = ` ${graded ? fmt(unused ? 0 : n.grad, 4) : "·"}`;
      v.vs.setAttribute("fill", known ? divergingColor(n.value, vmax) : "none");
      v.gs.setAttribute("fill", graded ? divergingColor(unused ? 0 : n.grad, gmax) : "none");
      v.g.dataset.value = known && n.value !== null ? String(n.value) : "";
      v.g.dataset.grad = graded && n.grad !== null ? String(unused ? 0 : n.grad) : "";
      v.g.classList.toggle("known", known);
      v.g.classList.toggle("graded", graded);
      v.g.classList.toggle("unused", unused);
      v.g.classList.toggle("current-fwd", n.id === current && !backwards);
      v.g.classList.toggle("current-bwd", n.id === current && backwards);
      v.g.classList.toggle("output", n.id === graph.output_id);
      v.g.setAttribute("aria-pressed", String(n.id === selected));
      const what = n.op === "var" || n.op === "const" ? `${opWords(n)} ${syms[n.id]}` : `${syms[n.id]}, ${opWords(n)} ${opSymbol(n)}`;
      // The name starts with the text drawn in the node (WCAG 2.5.3), then says what it is.
      const shown = [v.head, v.value, v.grad].map((t) => (t.textContent || "").trim()).join(" ");
      v.g.setAttribute("aria-label", `${shown}: ${what}, value ${known ? fmt(n.value) : "not yet computed"}, `
        + `gradient ${graded ? fmt(unused ? 0 : n.grad) : "not yet computed"}`);
      const f = syms[graph.output_id];
      v.tip.textContent = `${syms[n.id]} = ${known ? fmt(n.value, 15) : "?"}\n∂${f}/∂${syms[n.id]} = ${graded ? fmt(unused ? 0 : n.grad, 15) : "?"}`;
    }
    for (const [key, e] of this.edges) {
      const [to, k] = key.split(":").map(Number);
      const c = graph.nodes[to];
      const reached = view.edges.has(key);
      const active = view.active.has(key);
      const local = c.local[k];
      e.text.textContent = reached ? `×${local !== null && local < 0 ? `(${fmt(local, 3)})` : fmt(local, 3)}` : "";
      e.title.textContent = reached ? `local derivative ∂${syms[to]}/∂${syms[c.inputs[k]]} = ${fmt(local)}` : "";
      e.label.dataset.local = reached && local !== null ? String(local) : "";
      e.path.classList.toggle("reached", reached);
      e.path.classList.toggle("active-fwd", active && !backwards);
      e.path.classList.toggle("active-bwd", active && backwards);
      e.label.classList.toggle("active", active && backwards);
      e.path.setAttribute("marker-end", `url(#garrow${active ? (backwards ? "-bwd" : "-fwd") : ""})`);
    }
  }

  /** Size the drawing to its container: as large as fits, within SCALE (then it scrolls). */
  fit() {
    if (!this.layout) return;
    const box = /** @type {HTMLElement} */ (this.svg.parentElement);
    const cw = box.clientWidth - 4, ch = box.clientHeight - 4;
    if (cw <= 0 || ch <= 0) return;
    const { width, height } = this.layout;
    const s = Math.max(SCALE.min, Math.min(SCALE.max, cw / width, ch / height));
    this.svg.setAttribute("width", String(Math.floor(width * s)));
    this.svg.setAttribute("height", String(Math.floor(height * s)));
    this.svg.dataset.scale = s.toFixed(3);
  }
}
