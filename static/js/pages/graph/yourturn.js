// "Your turn" on the graph page: the gradients (and, if asked, the forward values and the local
// derivatives) are hidden and the learner fills them in, in boxes on the nodes and edges. Every
// answer goes to POST /api/v1/graph/check: the engine judges it and names the mistake; this
// module only shows what it says beside the box and announces it (aria-live). Forward values in
// forward order first, then the local derivatives of the edges, then gradients from the output
// back: a node may be answered once the nodes it reads from (going forward) or all of its uses
// (going backward) are answered.
//
// givenOf(), answerable(), viewOf() and scoreText() are pure (tests/js/yourturn.test.js);
// YourTurn holds one run's answers and draws the boxes over the graph's SVG.
import { post } from "../../kit/api.js";
import { h } from "../../kit/dom.js";
import { edgeKey } from "./steps.js";
import { fmt, symbols } from "./text.js";

/** @typedef {import("./steps.js").Graph} Graph */
/** @typedef {import("./steps.js").View} View */
/** @typedef {import("../../types/kit").PostOk<"/api/v1/graph/check">} CheckOut */
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

export class YourTurn {
  /**
   * @param {{
   *   layer: HTMLElement,
   *   svg: SVGSVGElement,
   *   live: HTMLElement,
   *   score: HTMLElement,
   *   request: () => {expr: string, values: Record<string, number>},
   *   onChange: () => void,
   *   highlight: (ids: number[]) => void,
   * }} opts
   */
  constructor({ layer, svg, live, score, request, onChange, highlight }) {
    this.layer = layer;
    this.svg = svg;
    this.live = live;
    this.scoreLine = score;
    this.request = request;
    this.onChange = onChange;
    this.highlight = highlight;
    /** @type {Ask} */
    this.ask = { values: false, locals: false };
    /** @type {Graph | null} */
    this.graph = null;
    this.key = "";
    /** @type {Known} */
    this.known = { value: new Set(), grad: new Set(), local: new Set() };
    /** @type {Map<string, number>} wrong answers so far per task */
    this.attempts = new Map();
    /** @type {Map<string, {text: string, diagnosis: string | null, right: boolean}>} */
    this.notes = new Map();
    /** @type {Score} */
    this.score = { answered: 0, firstTry: 0, hints: 0, total: 0 };
    /** @type {string} the task whose box had the focus, kept across redraws */
    this.focused = "";
    /** @type {import("./draw.js").Layout | null} */
    this.layout = null;
    this.engaged = false; // the learner has answered: from then on the focus follows the boxes
  }

  /**
   * A new graph: a new run if the program, the values or what is asked changed.
   * @param {Graph} graph
   * @param {Ask} ask
   */
  setGraph(graph, ask) {
    const { expr, values } = this.request();
    const key = `${ask.values}|${ask.locals}|${expr}|${JSON.stringify(values)}`;
    this.graph = graph;
    if (key === this.key) return;
    this.key = key;
    this.ask = { ...ask };
    this.known = givenOf(graph, ask);
    this.attempts.clear();
    this.notes.clear();
    const grads = graph.nodes.filter((n) => !this.known.grad.has(n.id)).length;
    const hidden = graph.nodes.filter((n) => !this.known.value.has(n.id)).length;
    const locals = graph.nodes.reduce(
      (a, n) => a + n.inputs.filter((_, k) => !this.known.local.has(edgeKey(n.id, k))).length,
      0,
    );
    this.score = { answered: 0, firstTry: 0, hints: 0, total: grads + hidden + locals };
    this.focused = "";
  }

  /** Forget the run (leaving the mode): the next setGraph starts afresh. */
  clear() {
    this.key = "";
    this.layer.replaceChildren();
    this.highlight([]);
  }

  /** @returns {View | null} */
  view() {
    return this.graph ? viewOf(this.graph, this.known, this.ask) : null;
  }

  /**
   * Send one answer to the engine; show its verdict and diagnosis beside the box.
   * @param {Task} t
   * @param {string} text the answer as typed
   * @param {boolean} [reveal] "show me": the answer, counted as a hint
   */
  async submit(t, text, reveal = false) {
    if (!this.graph || text.trim() === "") return;
    this.engaged = true;
    const task = taskKey(t);
    const wrong = this.attempts.get(task) ?? 0;
    /** @type {CheckOut} */
    let r;
    try {
      r = await post("/api/v1/graph/check", {
        ...this.request(),
        node: t.node,
        quantity: t.quantity,
        ...(t.quantity === "local" ? { input: t.input } : {}),
        answer: text.trim(),
        attempt: reveal ? Math.max(3, wrong + 1) : wrong + 1,
        reveal,
      });
    } catch (err) {
      const items = /** @type {{items?: {msg: string}[]}} */ (err).items;
      this.note(task, {
        text: items ? items.map((i) => i.msg).join("; ") : String(err),
        diagnosis: "error",
        right: false,
      });
      this.draw();
      return;
    }
    if (r.correct || reveal) {
      if (t.quantity === "local") this.known.local.add(edgeKey(t.node, t.input ?? 0));
      else this.known[t.quantity].add(t.node);
      this.score.answered += 1;
      if (wrong === 0 && !reveal) this.score.firstTry += 1;
      if (reveal) this.score.hints += 1;
      const shown = `Shown: ${this.describe(task)} = ${fmt(r.expected ?? null, 6)}.`;
      this.note(task, { text: reveal ? shown : r.hint, diagnosis: null, right: true });
      this.highlight([]);
      this.focused = "";
    } else {
      this.attempts.set(task, wrong + 1);
      this.score.hints += 1;
      this.note(task, { text: r.hint, diagnosis: r.diagnosis ?? "other", right: false });
      this.highlight(r.highlight);
    }
    this.onChange();
  }

  /**
   * @param {string} task
   * @param {{text: string, diagnosis: string | null, right: boolean}} note
   */
  note(task, note) {
    this.notes.delete(task); // the newest note last
    this.notes.set(task, note);
    this.live.textContent = `${this.describe(task)}: ${note.right ? "" : "not yet. "}${note.text}`;
  }

  /**
   * The quantity a task asks for, in symbols: ∂f/∂x, ∂q/∂x (an edge), the value of q.
   * @param {string} task
   */
  describe(task) {
    if (!this.graph) return "";
    const [quantity, id, k] = task.split(":");
    const syms = symbols(this.graph);
    const f = syms[this.graph.output_id];
    const n = Number(id);
    if (quantity === "grad") return `∂${f}/∂${syms[n]}`;
    if (quantity === "local") return `∂${syms[n]}/∂${syms[this.graph.nodes[n].inputs[Number(k)]]}`;
    return `the value of ${syms[n]}`;
  }

  /**
   * Draw the answer boxes and the notes over the SVG, on their nodes and edges.
   * @param {import("./draw.js").Layout | null} layout
   */
  place(layout) {
    this.layout = layout;
    this.draw();
  }

  draw() {
    const graph = this.graph;
    const layout = this.layout;
    if (!graph || !layout) return;
    const scale = Number(this.svg.dataset.scale || "1");
    const frame = /** @type {HTMLElement} */ (this.layer.parentElement);
    const origin = this.svg.getBoundingClientRect();
    const base = frame.getBoundingClientRect();
    const dx = origin.left - base.left + frame.scrollLeft;
    const dy = origin.top - base.top + frame.scrollTop;
    const at = (/** @type {number} */ x, /** @type {number} */ y) => ({
      left: `${dx + x * scale}px`,
      top: `${dy + y * scale}px`,
    });
    const open = answerable(graph, this.known);
    // What is typed in the boxes survives a redraw (another box answered, the window resized).
    const typed = new Map(
      [...this.layer.querySelectorAll("input.yt-answer")]
        .filter((e) => e instanceof HTMLInputElement)
        .map((e) => [e.dataset.task ?? "", e.value]),
    );
    const boxes = new Map(layout.nodes.map((b) => [b.id, b]));
    const edges = new Map(layout.edges.map((e) => [e.key, e]));
    /** @type {HTMLElement[]} */
    const parts = [];
    /** @type {HTMLInputElement | null} */
    let focus = null;
    for (const t of open) {
      const task = taskKey(t);
      const b = boxes.get(t.node);
      const e = t.quantity === "local" ? edges.get(edgeKey(t.node, t.input ?? 0)) : null;
      if (!b || (t.quantity === "local" && !e)) continue;
      const where = e
        ? { ...at(e.lx - 24, e.ly - 8), width: `${48 * scale}px` }
        : { ...at(b.x + 15, b.y + (t.quantity === "grad" ? 36 : 21)), width: `${(b.w - 19) * scale}px` };
      const what = this.describe(task);
      const input = h("input", {
        type: "text",
        class: `yt-answer yt-${t.quantity}`,
        inputmode: "decimal",
        autocomplete: "off",
        spellcheck: "false",
        "aria-label": `${what}, your answer`,
        placeholder: t.quantity === "value" ? "value" : what,
        style: { ...where, height: `${Math.max(16, 14 * scale)}px` },
      });
      input.dataset.task = task;
      input.value = typed.get(task) ?? "";
      input.addEventListener("focus", () => (this.focused = task));
      input.addEventListener("keydown", (ev) => {
        if (ev.key !== "Enter") return;
        ev.preventDefault();
        ev.stopPropagation();
        this.focused = task;
        this.submit(t, input.value);
      });
      if (task === this.focused || (!focus && !this.focused)) focus = input;
      parts.push(input);
    }
    const newest = [...this.notes.keys()].pop();
    for (const [task, note] of this.notes) {
      if (note.right && task !== newest) continue; // a right answer's note stays until the next
      const [, id, k] = task.split(":");
      const b = boxes.get(Number(id));
      const e = k === undefined ? null : edges.get(edgeKey(Number(id), Number(k)));
      if (!b) continue;
      const div = h(
        "div",
        {
          class: `yt-note ${note.right ? "yt-right" : "yt-wrong"}`,
          style: e ? at(e.lx - 24, e.ly + 10) : at(b.x, b.y + b.h + 3),
        },
        note.diagnosis && note.diagnosis !== "error"
          ? h("span", { class: "yt-tag" }, note.diagnosis.replace("_", " "))
          : null,
        note.diagnosis && note.diagnosis !== "error" ? " " : null,
        note.text,
      );
      div.dataset.task = task;
      div.dataset.diagnosis = note.diagnosis ?? "right";
      parts.push(div);
    }
    this.layer.replaceChildren(...parts);
    // After an answer the focus goes on to the next box; a page that just opened keeps it where it is.
    if (focus && this.engaged && (this.focused || document.activeElement === document.body)) focus.focus();
    this.scoreLine.textContent = scoreText(this.score);
  }

  /** Reveal the answer of the box that has (or last had) the focus: counts as a hint. */
  showMe() {
    const graph = this.graph;
    if (!graph) return;
    const open = answerable(graph, this.known);
    const t = open.find((o) => taskKey(o) === this.focused) ?? open[0];
    if (t) this.submit(t, "0", true);
  }

  /** The newest note as one line: "∂f/∂x: one path: 3 is only the path …" (or ""). */
  latest() {
    const task = [...this.notes.keys()].pop();
    const note = task === undefined ? null : this.notes.get(task);
    if (!task || !note) return "";
    const tag = note.diagnosis && note.diagnosis !== "error" ? `${note.diagnosis.replace("_", " ")}: ` : "";
    return `${this.describe(task)}: ${note.right ? "right. " : tag}${note.text}`;
  }

  /** @returns {boolean} */
  finished() {
    return this.score.total > 0 && this.score.answered === this.score.total;
  }
}
