// The computational graph's layout, left to right by dagre (inputs on the left, the output on the
// right): each node's box and each edge's path and label position, in SVG user units. Pure
// (tests/js/graph-panels.test.js); draw.js draws it.
import { Graph as Dagre, layout as dagreLayout } from "../../../vendor/dagre/dagre.esm.js";
import { edgeKey } from "./steps.js";

/** @typedef {import("./steps.js").Graph} Graph */
/** @typedef {{x: number, y: number}} Point */
/** @typedef {{id: number, x: number, y: number, w: number, h: number}} NodeBox x, y: its top left */
/** @typedef {{key: string, from: number, to: number, k: number, d: string, lx: number, ly: number}} EdgePath */
/** @typedef {{width: number, height: number, nodes: NodeBox[], edges: EdgePath[]}} Layout */

export const NODE = { w: 86, h: 52 };
/** An edge label's room: "×(−0.393)" at 11 px, with a margin, so it never reaches an arrowhead. */
export const LABEL = { w: 64, h: 14 };
/** The arrowhead's length in user units (the marker is drawn in user units, whatever the stroke). */
export const ARROW = 9;
const PAD = 10;
const SOURCE = "source"; // a hidden node before every variable, so the inputs line up on the left
const ALIGN_INPUTS = 6;

/**
 * d3's curveBasis through `pts`: a smooth path that starts and ends at the end points.
 * @param {Point[]} pts
 */
function basis(pts) {
  const r = (/** @type {number} */ v) => Math.round(v * 10) / 10;
  const first = pts[0];
  const end = pts[pts.length - 1];
  if (pts.length < 3) return `M${r(first.x)},${r(first.y)}L${r(end.x)},${r(end.y)}`;
  let [x0, y0, x1, y1] = [first.x, first.y, pts[1].x, pts[1].y];
  let d = `M${r(x0)},${r(y0)}L${r((5 * x0 + x1) / 6)},${r((5 * y0 + y1) / 6)}`;
  const curve = (/** @type {number} */ x, /** @type {number} */ y) => {
    d +=
      `C${r((2 * x0 + x1) / 3)},${r((2 * y0 + y1) / 3)},${r((x0 + 2 * x1) / 3)},${r((y0 + 2 * y1) / 3)},` +
      `${r((x0 + 4 * x1 + x) / 6)},${r((y0 + 4 * y1 + y) / 6)}`;
    [x0, y0, x1, y1] = [x1, y1, x, y];
  };
  for (const p of pts.slice(2)) curve(p.x, p.y);
  curve(x1, y1);
  return `${d}L${r(x1)},${r(y1)}`;
}

/**
 * Positions of every node and the path of every edge, left to right, in SVG user units.
 * @param {Graph} graph
 * @returns {Layout}
 */
export function layoutGraph(graph) {
  const g = new Dagre({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 10, ranksep: 28, edgesep: 6, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  // Up to ALIGN_INPUTS variables line up in the first column, as lectures draw them; more would
  // make that column taller than the screen, so then each sits just before its first use.
  const align = graph.nodes.filter((n) => n.op === "var").length <= ALIGN_INPUTS;
  g.setNode(SOURCE, { width: 1, height: 1 });
  for (const n of graph.nodes) g.setNode(String(n.id), { width: NODE.w, height: NODE.h });
  for (const n of graph.nodes) {
    // A heavy edge of length 1 from the hidden source puts a variable in the first column.
    if (n.op === "var" && align) g.setEdge(SOURCE, String(n.id), { weight: 20, minlen: 1 }, "source");
    n.inputs.forEach((j, k) => {
      const label = { width: LABEL.w, height: LABEL.h, labelpos: /** @type {const} */ ("c"), weight: 1, minlen: 1 };
      g.setEdge(String(j), String(n.id), label, `k${k}`);
    });
  }
  dagreLayout(g);
  /** @type {NodeBox[]} */
  const nodes = graph.nodes.map((n) => {
    const p = g.node(String(n.id));
    return { id: n.id, x: p.x - NODE.w / 2, y: p.y - NODE.h / 2, w: NODE.w, h: NODE.h };
  });
  const raw = g
    .edges()
    .filter((e) => e.name !== SOURCE)
    .map((e) => {
      const lab = g.edge(e);
      const k = Number(String(e.name).slice(1));
      return { from: Number(e.v), to: Number(e.w), k, points: lab.points, lx: lab.x, ly: lab.y };
    });
  // The bounding box of what is drawn (the hidden source is not).
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  const grow = (/** @type {number} */ x, /** @type {number} */ y) => {
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  };
  for (const b of nodes) {
    grow(b.x, b.y);
    grow(b.x + b.w, b.y + b.h);
  }
  for (const e of raw) {
    for (const p of e.points) grow(p.x, p.y);
    grow(e.lx - LABEL.w / 2, e.ly - LABEL.h / 2);
    grow(e.lx + LABEL.w / 2, e.ly + LABEL.h / 2);
  }
  const dx = PAD - x0;
  const dy = PAD - y0;
  for (const b of nodes) {
    b.x += dx;
    b.y += dy;
  }
  const edges = raw.map((e) => ({
    key: edgeKey(e.to, e.k),
    from: e.from,
    to: e.to,
    k: e.k,
    d: basis(e.points.map((p) => ({ x: p.x + dx, y: p.y + dy }))),
    lx: e.lx + dx,
    ly: e.ly + dy,
  }));
  return { width: x1 - x0 + 2 * PAD, height: y1 - y0 + 2 * PAD, nodes, edges };
}
