// "Your turn" on the graph page, the pure part: what is given, which answers are open (forward
// values in forward order, then the edges' local derivatives, then gradients from the output
// back: a node once all its uses are answered), what the drawing shows, the score line.
// Everything here is pure (tests/js/yourturn.test.js); yourturn.js holds a run, turnlayer.js
// draws its boxes.
import { edgeKey } from "./steps.js";
import { localPartial } from "./text.js";
import { symbols } from "./words.js";

/** @typedef {import("./steps.js").Graph} Graph */
/** @typedef {import("./steps.js").View} View */
/** @typedef {{values: boolean, locals: boolean}} Ask beside the gradients, what else is asked */
/** @typedef {"value" | "grad" | "local"} Quantity */
/** @typedef {{value: Set<number>, grad: Set<number>, local: Set<string>}} Known the numbers shown */
/** @typedef {{node: number, quantity: Quantity, input?: number}} Task input: the edge, for local */
/**
 * One run's record: how many answers were right at the first try, how many took hints.
 * @typedef {{answered: number, firstTry: number, hints: number, total: number}} Score
 */

/** The operations a "new circuit" may draw from (POST /api/v1/graph/random's ops). */
export const CIRCUIT_OPS = /** @type {const} */ ([
  "add",
  "sub",
  "mul",
  "div",
  "pow",
  "exp",
  "log",
  "tanh",
  "sigmoid",
  "relu",
]);

/**
 * What is shown before the learner answers anything: the variables' and constants' values (and
 * every value unless `ask.values`), every edge's local derivative unless `ask.locals` (shown as
 * the explorer does, once both ends have their gradients); the gradients of constants and of
 * nodes that do not lead to the output (0), and the locals of edges into such nodes or out of a
 * constant, are not asked.
 * @param {Graph} graph
 * @param {Ask} ask
 * @returns {Known}
 */
export function givenOf(graph, ask) {
  const leads = new Set(graph.backward_order);
  /** @type {Known} */
  const known = { value: new Set(), grad: new Set(), local: new Set() };
  for (const n of graph.nodes) {
    if (!ask.values || n.op === "var" || n.op === "const") known.value.add(n.id);
    if (n.op === "const" || !leads.has(n.id)) known.grad.add(n.id);
    n.inputs.forEach((j, k) => {
      // an edge from a constant carries nothing back to a variable (x**2's ∂/∂2 is not asked)
      if (!ask.locals || !leads.has(n.id) || graph.nodes[j].op === "const") known.local.add(edgeKey(n.id, k));
    });
  }
  return known;
}

/**
 * A task's key: `value:3`, `grad:0`, `local:4:1` (the edge into input 1 of node 4).
 * @param {Task} t
 */
export const taskKey = (t) => (t.quantity === "local" ? `local:${t.node}:${t.input}` : `${t.quantity}:${t.node}`);

/**
 * The quantity a task asks for, in symbols: ∂f/∂x, ∂q/∂x or ∂(q · z)/∂q (an edge), the value of q.
 * @param {Graph} graph
 * @param {string} task a taskKey
 */
export function describeTask(graph, task) {
  const [quantity, id, k] = task.split(":");
  const syms = symbols(graph);
  const n = Number(id);
  if (quantity === "grad") return `∂${syms[graph.output_id]}/∂${syms[n]}`;
  if (quantity === "local") return localPartial(graph, graph.nodes[n], Number(k), syms);
  return `the value of ${syms[n]}`;
}

/**
 * The tasks open now: values whose inputs are all known (forward order), then, once every value
 * is known, gradients whose uses are all known (backward order; the output's first).
 * @param {Graph} graph
 * @param {Known} known
 * @returns {Task[]}
 */
export function answerable(graph, known) {
  /** @type {Task[]} */
  const open = [];
  for (const id of graph.forward_order) {
    const n = graph.nodes[id];
    if (!known.value.has(id) && n.inputs.every((j) => known.value.has(j))) open.push({ node: id, quantity: "value" });
  }
  if (open.length || graph.nodes.some((n) => !known.value.has(n.id))) return open;
  for (const n of graph.nodes) {
    n.inputs.forEach((_, k) => {
      if (!known.local.has(edgeKey(n.id, k))) open.push({ node: n.id, quantity: "local", input: k });
    });
  }
  if (open.length) return open;
  /** @type {number[][]} */
  const usedBy = graph.nodes.map(() => []);
  for (const n of graph.nodes) for (const j of n.inputs) usedBy[j].push(n.id);
  const leads = new Set(graph.backward_order);
  for (const id of graph.backward_order) {
    if (known.grad.has(id)) continue;
    if (usedBy[id].filter((u) => leads.has(u)).every((u) => known.grad.has(u)))
      open.push({ node: id, quantity: "grad" });
  }
  return open;
}

/**
 * The drawing's view of a run: the numbers known; an edge's local derivative once answered, or
 * (when locals are not asked) once its two ends have their gradients, as the explorer shows it.
 * @param {Graph} graph
 * @param {Known} known
 * @param {Ask} ask
 * @returns {View}
 */
export function viewOf(graph, known, ask) {
  /** @type {Set<string>} */
  const edges = new Set();
  for (const n of graph.nodes) {
    n.inputs.forEach((j, k) => {
      const key = edgeKey(n.id, k);
      if (ask.locals ? known.local.has(key) : known.grad.has(n.id) && known.grad.has(j)) edges.add(key);
    });
  }
  return {
    step: { kind: "start" },
    index: 0,
    last: 0,
    values: new Set(known.value),
    grads: new Set(known.grad),
    edges,
    active: new Set(),
    done: false,
  };
}

/**
 * @param {Score} s
 * @returns {string}
 */
export function scoreText(s) {
  const hints = `${s.hints} hint${s.hints === 1 ? "" : "s"} used`;
  if (s.total > 0 && s.answered === s.total) {
    return `Done: all ${s.total} answered, ${s.firstTry} right at the first try, ${hints}.`;
  }
  return `${s.answered} of ${s.total} answered · ${s.firstTry} right at the first try · ${hints}`;
}
