// Types of the vendored dagre bundle (dagre.esm.js): the part of @dagrejs/dagre's API the graph
// page uses. Hand-written: the package's own declarations import @dagrejs/graphlib's.

export interface Point {
  x: number;
  y: number;
}

/** A node's label: its size in, its centre (x, y) out. */
export interface NodeLabel {
  width: number;
  height: number;
  x: number;
  y: number;
}

/** An edge's label: options in; its path and its label's centre out. */
export interface EdgeLabel {
  width?: number;
  height?: number;
  labelpos?: "l" | "c" | "r";
  weight?: number;
  minlen?: number;
  points: Point[];
  x: number;
  y: number;
}

export interface EdgeId {
  v: string;
  w: string;
  name?: string;
}

export interface GraphOptions {
  rankdir?: "TB" | "BT" | "LR" | "RL";
  nodesep?: number;
  ranksep?: number;
  edgesep?: number;
  marginx?: number;
  marginy?: number;
  ranker?: "network-simplex" | "tight-tree" | "longest-path";
}

export class Graph {
  constructor(options?: { directed?: boolean; multigraph?: boolean; compound?: boolean });
  setGraph(label: GraphOptions): this;
  setDefaultEdgeLabel(fn: () => object): this;
  setNode(name: string, label: { width: number; height: number }): this;
  setEdge(v: string, w: string, label?: Partial<EdgeLabel>, name?: string): this;
  node(name: string): NodeLabel;
  edge(e: EdgeId): EdgeLabel;
  edges(): EdgeId[];
}

/** Lays `graph` out in place: every node gets x, y; every edge points (and x, y). */
export function layout(graph: Graph): void;
