// The computational graph as SVG: each node showing its operation, its value in the forward
// colour and its gradient in the backward colour, each edge its local derivative once the
// backward pass has used it. GraphView builds the SVG once per layout (layout.js) and then only
// updates texts and classes as the step moves, so stepping is cheap and keeps the focus; its
// size on screen is zoom.js's.
import { CURVE, diverging } from "../../kit/colors.js";
import { absMax, extent } from "../../kit/format.js";
import { ARROW } from "./layout.js";
import { fmt, opSymbol, opWords, symbols } from "./words.js";

/** @typedef {import("./steps.js").Graph} Graph */
/** @typedef {import("./steps.js").View} View */
/** @typedef {import("./layout.js").Layout} Layout */
/** @typedef {import("../../kit/colors.js").ColorScale} ColorScale */
/**
 * @typedef {{g: SVGGElement, tip: SVGTitleElement, head: SVGTextElement, value: SVGTextElement, grad: SVGTextElement,
 *            valueSwatch: SVGRectElement, gradSwatch: SVGRectElement}} NodeEls
 * @typedef {{path: SVGPathElement, label: SVGTextElement, text: SVGTSpanElement, title: SVGTitleElement}} EdgeEls
 */

/** The two passes' colours: values going forward, gradients coming back (as upstream · f′). */
export const PASS = { forward: "#15803d", backward: CURVE.backward };

const SVG = "http://www.w3.org/2000/svg";

/**
 * An SVG element with attributes, appended to `parent`.
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number>} attrs
 * @param {Element} parent
 * @returns {SVGElementTagNameMap[K]}
 */
function el(tag, attrs, parent) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent.append(e);
  return e;
}

/**
 * The colour of `v` on the kit's diverging scale over [zmin, zmax] (0 at its white).
 * @param {number | null} v
 * @param {{colorscale: ColorScale, zmin: number, zmax: number}} scale
 */
export function colorOf(v, { colorscale, zmin, zmax }) {
  if (v === null || !Number.isFinite(v)) return "none";
  const t = zmax > zmin ? Math.max(0, Math.min(1, (v - zmin) / (zmax - zmin))) : 0.5;
  let i = 1;
  while (i < colorscale.length - 1 && colorscale[i][0] < t) i++;
  const [t0, c0] = colorscale[i - 1];
  const [t1, c1] = colorscale[i];
  const w = t1 > t0 ? (t - t0) / (t1 - t0) : 0;
  const rgb = (/** @type {string} */ c) => [1, 3, 5].map((j) => parseInt(c.slice(j, j + 2), 16));
  const a = rgb(c0);
  const b = rgb(c1);
  return `rgb(${a.map((x, j) => Math.round(x + w * (b[j] - x))).join(", ")})`;
}

/**
 * The diverging scale of a list of numbers: symmetric about 0 when both signs occur.
 * @param {(number | null)[]} vs
 */
const scaleOf = (vs) => {
  const [lo, hi] = extent(vs);
  const m = absMax(vs) || 1;
  return diverging(Number.isFinite(lo) ? lo : -m, Number.isFinite(hi) ? hi : m);
};

/** One SVG drawing of a graph, updated in place as the step or the numbers change. */
export class GraphView {
  /**
   * @param {SVGSVGElement} svg
   * @param {{onSelect: (id: number) => void}} opts
   */
  constructor(svg, { onSelect }) {
    this.svg = svg;
    this.onSelect = onSelect;
    /** @type {Layout | null} */
    this.layout = null;
    /** @type {Map<number, NodeEls>} */
    this.nodes = new Map();
    /** @type {Map<string, EdgeEls>} */
    this.edges = new Map();
  }

  /**
   * Build the SVG for a new layout (a new structure); the numbers come with update().
   * @param {Graph} graph
   * @param {Layout} lay
   */
  build(graph, lay) {
    this.layout = lay;
    this.nodes.clear();
    this.edges.clear();
    const svg = this.svg;
    svg.replaceChildren();
    svg.setAttribute("viewBox", `0 0 ${Math.ceil(lay.width)} ${Math.ceil(lay.height)}`);
    const defs = el("defs", {}, svg);
    for (const kind of ["", "-fwd", "-bwd"]) {
      const m = el(
        "marker",
        { id: `garrow${kind}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: ARROW, markerHeight: ARROW },
        defs,
      );
      m.setAttribute("orient", "auto-start-reverse");
      m.setAttribute("markerUnits", "userSpaceOnUse"); // as long on a thick (active) edge as on a thin one
      m.setAttribute("class", `garrow${kind}`);
      el("path", { d: "M0,0L10,5L0,10z" }, m);
    }
    const edgeLayer = el("g", { class: "gedges" }, svg);
    for (const e of lay.edges) {
      const path = el("path", { d: e.d, class: "gedge", "marker-end": "url(#garrow)", "data-edge": e.key }, edgeLayer);
      const label = el("text", { x: e.lx, y: e.ly + 4, class: "glocal", "text-anchor": "middle" }, edgeLayer);
      label.dataset.edge = e.key;
      const text = el("tspan", {}, label);
      const title = el("title", {}, label);
      this.edges.set(e.key, { path, label, text, title });
    }
    const nodeLayer = el("g", { class: "gnodes" }, svg);
    const syms = symbols(graph);
    for (const b of lay.nodes) {
      const n = graph.nodes[b.id];
      const g = el("g", { class: `gnode op-${n.op}`, transform: `translate(${b.x},${b.y})` }, nodeLayer);
      g.setAttribute("tabindex", "0");
      g.setAttribute("role", "button");
      g.dataset.id = String(n.id);
      el("rect", { class: "gbox", width: b.w, height: b.h, rx: 8 }, g);
      const tip = el("title", {}, g);
      const head = el("text", { class: "ghead", x: 7, y: 15 }, g);
      el("tspan", { class: "gop" }, head).textContent = opSymbol(n);
      if (n.op !== "var" && (n.op !== "const" || n.name)) {
        el("tspan", { class: "gname", dx: 5 }, head).textContent = syms[n.id];
      }
      const valueSwatch = el("rect", { class: "gswatch", x: 7, y: 22, width: 6, height: 10, rx: 1.5 }, g);
      const value = el("text", { class: "gval", x: 17, y: 31 }, g);
      const gradSwatch = el("rect", { class: "gswatch", x: 7, y: 37, width: 6, height: 10, rx: 1.5 }, g);
      const grad = el("text", { class: "ggrad", x: 17, y: 46 }, g);
      g.addEventListener("click", () => this.onSelect(n.id));
      g.addEventListener("keydown", (ev) => {
        if (ev.key !== "Enter" && ev.key !== " ") return;
        ev.preventDefault();
        ev.stopPropagation();
        this.onSelect(n.id);
      });
      this.nodes.set(n.id, { g, tip, head, value, grad, valueSwatch, gradSwatch });
    }
  }

  /**
   * Show the numbers known at `view` (a step of the passes); mark the current node and edges.
   * @param {Graph} graph
   * @param {View} view
   * @param {number} selected -1 for none
   */
  update(graph, view, selected) {
    const syms = symbols(graph);
    const values = scaleOf(graph.nodes.map((n) => n.value));
    const grads = scaleOf(graph.nodes.map((n) => n.grad));
    const current = view.step.kind === "start" ? -1 : view.step.node;
    const backwards = view.step.kind === "seed" || view.step.kind === "backward";
    const inBackward = new Set(graph.backward_order);
    for (const n of graph.nodes) {
      const v = this.nodes.get(n.id);
      if (!v) continue;
      const known = view.values.has(n.id);
      const unused = view.done && !inBackward.has(n.id);
      const graded = view.grads.has(n.id) || unused;
      const grad = unused ? 0 : n.grad;
      // A leading space (not drawn) keeps the node's text "x −2 −4" for assistive technology.
      v.value.textContent = ` ${known ? fmt(n.value, 4) : "·"}`;
      v.grad.textContent = ` ${graded ? fmt(grad, 4) : "·"}`;
      v.valueSwatch.setAttribute("fill", known ? colorOf(n.value, values) : "none");
      v.gradSwatch.setAttribute("fill", graded ? colorOf(grad, grads) : "none");
      v.g.dataset.value = known && n.value !== null ? String(n.value) : "";
      v.g.dataset.grad = graded && grad !== null ? String(grad) : "";
      v.g.classList.toggle("known", known);
      v.g.classList.toggle("graded", graded);
      v.g.classList.toggle("unused", unused);
      v.g.classList.toggle("current-fwd", n.id === current && !backwards);
      v.g.classList.toggle("current-bwd", n.id === current && backwards);
      v.g.classList.toggle("output", n.id === graph.output_id);
      v.g.setAttribute("aria-pressed", String(n.id === selected));
      const what =
        n.op === "var" || n.op === "const"
          ? `${opWords(n)} ${syms[n.id]}`
          : `${syms[n.id]}, ${opWords(n)} ${opSymbol(n)}`;
      // The name starts with the text drawn in the node (WCAG 2.5.3), then says what it is.
      const shown = [v.head, v.value, v.grad].map((t) => (t.textContent || "").trim()).join(" ");
      v.g.setAttribute(
        "aria-label",
        `${shown}: ${what}, value ${known ? fmt(n.value) : "not yet computed"}, ` +
          `gradient ${graded ? fmt(grad) : "not yet computed"}`,
      );
      const f = syms[graph.output_id];
      v.tip.textContent =
        `${syms[n.id]} = ${known ? fmt(n.value, 15) : "?"}\n` +
        `∂${f}/∂${syms[n.id]} = ${graded ? fmt(grad, 15) : "?"}`;
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

  /**
   * Mark the nodes a hint points at (the exercise's "look here"); [] clears.
   * @param {number[]} ids
   */
  highlight(ids) {
    for (const [id, v] of this.nodes) v.g.classList.toggle("yt-highlight", ids.includes(id));
  }
}
