// Step-through of a computational graph's two passes, as a lecture draws them: the forward pass
// one node at a time in forward_order, then the seed gradient 1 at the output, then the backward
// pass one node at a time in backward_order (each step completes one node's gradient: the sum
// over its uses of the use's gradient × the local derivative on that edge).
//
// plan() and viewAt() are pure; Player holds the position and the play timer; bindKeys() wires
// the keyboard shortcuts. Nothing here draws.

/** @typedef {import("../../types/kit").Schemas["GraphOut"]} Graph */
/** @typedef {import("../../types/kit").Schemas["GraphNodeOut"]} GraphNode */
/** @typedef {{kind: "start"} | {kind: "forward" | "seed" | "backward", node: number}} Step */
/** @typedef {{node: number, k: number}} Use an edge: input slot k of `node` */
/**
 * What is known after a step.
 * @typedef {{step: Step, index: number, last: number, values: Set<number>, grads: Set<number>,
 *            edges: Set<string>, active: Set<string>, done: boolean}} View
 */

/**
 * The key of the edge into input slot `k` of node `node` (the edge from node.inputs[k]).
 * @param {number} node
 * @param {number} k
 */
export const edgeKey = (node, k) => `${node}:${k}`;

/**
 * uses[j]: every edge out of node j, i.e. every (node, k) with node.inputs[k] === j.
 * @param {Graph} graph
 * @returns {Use[][]}
 */
export function usesOf(graph) {
  /** @type {Use[][]} */
  const uses = graph.nodes.map(() => []);
  for (const n of graph.nodes) n.inputs.forEach((j, k) => uses[j].push({ node: n.id, k }));
  return uses;
}

/**
 * A graph's shape (its nodes and edges, not its numbers): a new shape is laid out anew.
 * @param {Graph} g
 */
export const shapeOf = (g) =>
  `${g.expand}|${g.nodes.map((n) => `${n.op}:${n.label}:${n.name || ""}:${n.inputs.join(".")}`).join("|")}`;

/**
 * Step 0 is the blank graph; then one step per forward node, the seed, one per backward node.
 * @param {Graph} graph
 * @returns {Step[]}
 */
export function plan(graph) {
  /** @type {Step[]} */
  const steps = [{ kind: "start" }];
  for (const id of graph.forward_order) steps.push({ kind: "forward", node: id });
  const [seed, ...rest] = graph.backward_order.length ? graph.backward_order : [graph.output_id];
  steps.push({ kind: "seed", node: seed });
  for (const id of rest) steps.push({ kind: "backward", node: id });
  return steps;
}

/**
 * What is known after step `index`: the nodes whose value is filled in, those whose gradient is
 * complete, the edges whose local derivative the backward pass has used, and the edges the
 * current step reads (its inputs going forward, its uses going backward).
 * @param {Graph} graph
 * @param {Step[]} steps
 * @param {number} index
 * @param {Use[][]} [uses]
 * @returns {View}
 */
export function viewAt(graph, steps, index, uses = usesOf(graph)) {
  const last = steps.length - 1;
  const at = Math.max(0, Math.min(last, index));
  /** @type {Set<number>} */
  const values = new Set();
  /** @type {Set<number>} */
  const grads = new Set();
  /** @type {Set<string>} */
  const edges = new Set();
  /** @type {Set<string>} */
  const active = new Set();
  for (const s of steps.slice(1, at + 1)) {
    if (s.kind === "start") continue;
    if (s.kind === "forward") {
      values.add(s.node);
      continue;
    }
    grads.add(s.node);
    for (const u of uses[s.node]) if (grads.has(u.node)) edges.add(edgeKey(u.node, u.k));
  }
  const step = steps[at];
  if (step.kind === "forward") {
    graph.nodes[step.node].inputs.forEach((_, k) => active.add(edgeKey(step.node, k)));
  } else if (step.kind !== "start") {
    for (const u of uses[step.node]) if (grads.has(u.node)) active.add(edgeKey(u.node, u.k));
  }
  return { step, index: at, last, values, grads, edges, active, done: at === last };
}

/** The position in the steps, stepping by hand or playing at `speed` steps per second. */
export class Player {
  /** @param {(index: number) => void} onChange called after every move */
  constructor(onChange) {
    this.onChange = onChange;
    this.index = 0;
    this.last = 0;
    this.speed = 2;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.timer = null;
  }

  get playing() {
    return this.timer !== null;
  }

  /** @param {number} index */
  go(index) {
    const at = Math.max(0, Math.min(this.last, Math.round(index)));
    this.index = at;
    if (at >= this.last) this.#stop();
    this.onChange(at);
  }

  forward() {
    this.go(this.index + 1);
  }

  back() {
    this.#stop();
    this.go(this.index - 1);
  }

  reset() {
    this.#stop();
    this.go(0);
  }

  end() {
    this.#stop();
    this.go(this.last);
  }

  play() {
    if (this.playing) return;
    if (this.index >= this.last) this.index = 0;
    this.timer = setInterval(() => this.forward(), 1000 / this.speed);
    this.onChange(this.index);
  }

  pause() {
    if (!this.playing) return;
    this.#stop();
    this.onChange(this.index);
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  /** @param {number} speed steps per second */
  setSpeed(speed) {
    this.speed = speed;
    if (!this.playing) return;
    this.#stop();
    this.timer = setInterval(() => this.forward(), 1000 / this.speed);
  }

  #stop() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}

const TYPING = new Set(["INPUT", "TEXTAREA", "SELECT"]);

/**
 * Whether a key press at `target` is typing (a form control or editable text), not a shortcut.
 * @param {EventTarget | null} target
 */
export const isTyping = (target) =>
  target instanceof HTMLElement && (TYPING.has(target.tagName) || target.isContentEditable);
/** @typedef {"forward" | "back" | "toggle" | "reset" | "end"} Action */
/** The keys: → or n step, ← or p back, Space or k play/pause, Home or r reset, End the end. */
export const KEYS = /** @type {Record<string, Action>} */ ({
  ArrowRight: "forward",
  n: "forward",
  ArrowLeft: "back",
  p: "back",
  " ": "toggle",
  k: "toggle",
  Home: "reset",
  r: "reset",
  End: "end",
});

/**
 * Keyboard shortcuts on `target` (the document), unless the focus is in a form control.
 * @param {EventTarget} target
 * @param {Player} player
 */
export function bindKeys(target, player) {
  target.addEventListener("keydown", (e) => {
    if (!(e instanceof KeyboardEvent) || e.ctrlKey || e.metaKey || e.altKey) return;
    const el = e.target instanceof HTMLElement ? e.target : null;
    if (isTyping(el)) return;
    // A focused button keeps Space and Enter for itself.
    if (el && el.tagName === "BUTTON" && (e.key === " " || e.key === "Enter")) return;
    const action = KEYS[e.key];
    if (!action) return;
    e.preventDefault();
    player[action]();
  });
}
