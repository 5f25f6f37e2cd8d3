// "Your turn": the answer boxes and the notes drawn over the graph's SVG, on their nodes and
// edges. It reads a run (yourturn.js) through the small Run interface below and sends what is
// typed back through it; it keeps nothing of its own but the layer's elements.
import { h } from "../../kit/dom.js";
import { edgeKey } from "./steps.js";
import { answerable, scoreText, taskKey } from "./turnlogic.js";

/** @typedef {import("./steps.js").Graph} Graph */
/** @typedef {import("./layout.js").Layout} Layout */
/** @typedef {import("./turnlogic.js").Task} Task */
/** @typedef {import("./turnlogic.js").Known} Known */
/** @typedef {{text: string, diagnosis: string | null, right: boolean}} Note a verdict beside a box */
/**
 * What the layer reads of a run, and how it answers.
 * @typedef {{
 *   graph: Graph | null,
 *   known: Known,
 *   notes: Map<string, Note>,
 *   focused: string,
 *   engaged: boolean,
 *   score: import("./turnlogic.js").Score,
 *   describe: (task: string) => string,
 *   submit: (t: Task, text: string) => void,
 * }} Run
 */

/**
 * Draw `run`'s open boxes and its notes into `layer` (an element over `svg`, in the same frame).
 * @param {Run} run
 * @param {Layout | null} layout
 * @param {{layer: HTMLElement, svg: SVGSVGElement, score: HTMLElement}} els
 */
export function drawTurn(run, layout, { layer, svg, score }) {
  const graph = run.graph;
  if (!graph || !layout) return;
  const scale = Number(svg.dataset.scale || "1");
  const frame = /** @type {HTMLElement} */ (layer.parentElement);
  const origin = svg.getBoundingClientRect();
  const base = frame.getBoundingClientRect();
  const dx = origin.left - base.left + frame.scrollLeft;
  const dy = origin.top - base.top + frame.scrollTop;
  const at = (/** @type {number} */ x, /** @type {number} */ y) => ({
    left: `${dx + x * scale}px`,
    top: `${dy + y * scale}px`,
  });
  const open = answerable(graph, run.known);
  // What is typed in the boxes survives a redraw (another box answered, the window resized).
  const typed = new Map(
    [...layer.querySelectorAll("input.yt-answer")]
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
    const what = run.describe(task);
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
    input.addEventListener("focus", () => (run.focused = task));
    input.addEventListener("keydown", (ev) => {
      if (ev.key !== "Enter") return;
      ev.preventDefault();
      ev.stopPropagation();
      run.focused = task;
      run.submit(t, input.value);
    });
    if (task === run.focused || (!focus && !run.focused)) focus = input;
    parts.push(input);
  }
  const newest = [...run.notes.keys()].pop();
  for (const [task, note] of run.notes) {
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
  layer.replaceChildren(...parts);
  // After an answer the focus goes on to the next box; a page that just opened keeps it where it is.
  if (focus && run.engaged && (run.focused || document.activeElement === document.body)) focus.focus();
  score.textContent = scoreText(run.score);
}
