// "Your turn" on the graph page: the gradients (and, if asked, the forward values and the local
// derivatives) are hidden and the learner fills them in, in boxes on the nodes and edges. Every
// answer goes to POST /api/v1/graph/check: the engine judges it and names the mistake; this
// module only keeps what it says and announces it (aria-live). YourTurn holds one run's answers;
// what is open and shown is pure (turnlogic.js), the boxes are drawn by turnlayer.js.
import { post } from "../../kit/api.js";
import { edgeKey } from "./steps.js";
import { fmt } from "./words.js";
import { answerable, describeTask, givenOf, taskKey, viewOf } from "./turnlogic.js";
import { drawTurn } from "./turnlayer.js";

/** @typedef {import("./steps.js").Graph} Graph */
/** @typedef {import("./steps.js").View} View */
/** @typedef {import("../../types/kit").PostOk<"/api/v1/graph/check">} CheckOut */
/** @typedef {import("./turnlogic.js").Ask} Ask */
/** @typedef {import("./turnlogic.js").Known} Known */
/** @typedef {import("./turnlogic.js").Task} Task */
/** @typedef {import("./turnlogic.js").Score} Score */
/** @typedef {import("./turnlayer.js").Note} Note */

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
    /** @type {Map<string, Note>} */
    this.notes = new Map();
    /** @type {Score} */
    this.score = { answered: 0, firstTry: 0, hints: 0, total: 0 };
    /** @type {string} the task whose box had the focus, kept across redraws */
    this.focused = "";
    /** @type {import("./layout.js").Layout | null} */
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
    return this.graph ? describeTask(this.graph, task) : "";
  }

  /**
   * Draw the answer boxes and the notes over the SVG, on their nodes and edges.
   * @param {import("./layout.js").Layout | null} layout
   */
  place(layout) {
    this.layout = layout;
    this.draw();
  }

  draw() {
    drawTurn(this, this.layout, { layer: this.layer, svg: this.svg, score: this.scoreLine });
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

  /** The line above the drawing: the newest diagnosis, what to do, or that all is answered. */
  banner() {
    if (this.finished())
      return "All answered: the table below compares the gradients with the exact and numerical ones.";
    return (
      this.latest() ||
      "Your turn: type each hidden number in its box and press Enter; gradients from the output back, " +
        "a node once all its uses are answered."
    );
  }

  /** @returns {boolean} */
  finished() {
    return this.score.total > 0 && this.score.answered === this.score.total;
  }
}
