// "Write the backward": pick one gradient of the stack that was run, type it as an array
// expression, and the engine judges it (POST /api/v1/exercises/backward). The verdict, the largest
// difference and the diagnosis are announced; the wrong cells are drawn in red on the true
// gradient's grid; "show me" reveals an accepted answer when the link allows it. While the
// exercise is open the page hides the panels that would show the gradients.
import { post } from "../../kit/api.js";
import { byId } from "../../kit/dom.js";
import { Cycle } from "../../kit/lifecycle.js";
import { QUIET, draw, matrixLayout, purge } from "../../kit/plot.js";
import { cellGrid, headline, namesText, pickTarget, targetKey, targetsOf } from "./exercise.js";

/** @typedef {import("./exercise.js").Target} Target */
/** @typedef {import("./exercise.js").Judged} Judged */
/** @typedef {{bw: string, bwa: string, bwfix: boolean, bwshow: boolean}} ExerciseState */
/** @typedef {import("../../types/kit").Schemas["NetworkRequest"]} RunBody */

const BEFORE =
  "Names: x (the layer's input), y (its output), its parameters and options, dy (the gradient arriving at y), N; for the seed: y, t (one-hot rows), N.";

/** The exercise's elements, by their ids in network.html. */
export const backwardEls = () => ({
  open: byId("bw-open", HTMLDetailsElement),
  form: byId("bw-form", HTMLFormElement),
  target: byId("bw-target", HTMLSelectElement),
  answer: byId("bw-answer", HTMLTextAreaElement),
  names: byId("bw-names", HTMLElement),
  reveal: byId("bw-reveal", HTMLButtonElement),
  allow: byId("bw-allow", HTMLInputElement),
  link: byId("bw-link", HTMLAnchorElement),
  verdict: byId("bw-verdict", HTMLElement),
  hint: byId("bw-hint", HTMLElement),
  heat: byId("hm-bw", HTMLElement),
  reference: byId("bw-reference", HTMLElement),
  page: document.body,
});

/**
 * @param {{open: HTMLDetailsElement, form: HTMLFormElement, target: HTMLSelectElement,
 *   answer: HTMLTextAreaElement, names: HTMLElement, reveal: HTMLButtonElement,
 *   allow: HTMLInputElement, link: HTMLAnchorElement, verdict: HTMLElement, hint: HTMLElement,
 *   heat: HTMLElement, reference: HTMLElement, page: HTMLElement}} el
 * @param {{state: ExerciseState, save: () => void, onTarget: (index: number) => void}} host the
 *   page's state (its exercise keys), how to write it to the URL, and how to show the node of
 *   the layer (or the loss) whose gradient is asked for
 */
export function backwardView(el, host) {
  const { state } = host;
  /** @type {RunBody | null} */
  let run = null;
  /** @type {Target[]} */
  let targets = [];
  const cycle = new Cycle({ scope: el.form, cards: [el.heat] });

  const current = () => pickTarget(state.bw, targets);
  const clear = () => {
    el.verdict.textContent = "";
    el.hint.textContent = "";
    delete el.verdict.dataset.verdict;
    delete el.verdict.dataset.diagnosis;
    el.reference.hidden = true;
    el.reference.textContent = "";
    el.heat.hidden = true;
    purge(el.heat);
    el.names.textContent = BEFORE;
  };
  const save = () => {
    host.save();
    const q = new URLSearchParams(location.search);
    q.set("bwfix", "1");
    q.delete("bwa"); // the learner's link starts with an empty answer
    el.link.href = `${location.pathname}?${q}`;
  };
  const mode = () => {
    el.page.classList.toggle("exercise", el.open.open);
    el.reveal.hidden = !state.bwshow;
    el.target.disabled = state.bwfix;
    el.allow.disabled = state.bwfix;
    el.allow.checked = state.bwshow;
  };

  /** @param {boolean} reveal */
  const check = (reveal) => {
    if (!run || !targets.length) return Promise.resolve(null);
    const t = current();
    const body = {
      network: { ...run, gradcheck: false, include: [] },
      target: { index: t.index, tensor: t.tensor },
      answer: el.answer.value,
      reveal,
    };
    return cycle.run(
      (signal) => post("/api/v1/exercises/backward", body, signal),
      (r) => show(r, t),
    );
  };

  /**
   * @param {Judged} r
   * @param {Target} t
   */
  const show = (r, t) => {
    el.verdict.textContent = headline(r);
    el.verdict.dataset.verdict = r.verdict;
    el.verdict.dataset.diagnosis = r.diagnosis ?? "";
    // The run's fragile results (an underflowed cross-entropy) are told beside the verdict.
    el.hint.textContent = [r.hint, ...(r.warnings ?? []).map((w) => `Note: ${w.msg}`)].join("\n");
    el.names.textContent = `Names: ${namesText(r.names)}.`;
    el.reference.hidden = !r.reference;
    el.reference.textContent = r.reference ? `An accepted answer:\n${r.reference}` : "";
    if (!r.wrong_cells) {
      el.heat.hidden = true;
      purge(el.heat);
      return null;
    }
    el.heat.hidden = false;
    const z = cellGrid(r.wrong_cells);
    const wrong = z.flat().filter((v) => v === 1).length;
    el.heat.dataset.wrong = String(wrong);
    el.heat.dataset.cells = String(z.flat().length);
    const trace = /** @type {any} */ ({
      type: "heatmap",
      z,
      zmin: 0,
      zmax: 1,
      colorscale: [
        [0, "#d7ecd9"],
        [1, "#c62828"],
      ],
      showscale: false,
      xgap: z[0].length <= 40 ? 1 : 0,
      ygap: z.length <= 40 ? 1 : 0,
      text: z.map((row) => row.map((v) => (v ? "wrong" : "right"))),
      hovertemplate: "[%{y}, %{x}] %{text}<extra></extra>",
    });
    const shape = r.expected_shape.join("×");
    const title = `${t.label}: ${wrong} wrong cell${wrong === 1 ? "" : "s"} (red) on its ${shape} grid`;
    return draw(el.heat, [trace], matrixLayout(title, "row", "column", z), QUIET);
  };

  el.open.addEventListener("toggle", () => {
    // Opened by a link before the first run: the URL's target stands until the run offers it.
    if (!el.open.open) state.bw = "";
    else if (targets.length) state.bw = targetKey(current());
    mode();
    if (!run) return;
    save();
    if (el.open.open) host.onTarget(current().index);
  });
  el.target.addEventListener("change", () => {
    state.bw = el.target.value;
    clear();
    save();
    host.onTarget(current().index);
  });
  el.answer.addEventListener("input", () => {
    state.bwa = el.answer.value;
    save();
  });
  el.allow.addEventListener("change", () => {
    state.bwshow = el.allow.checked;
    mode();
    save();
  });
  el.form.addEventListener("submit", (e) => {
    e.preventDefault();
    void check(false);
  });
  el.reveal.addEventListener("click", () => void check(true));
  el.answer.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void check(false);
    }
  });

  el.answer.value = state.bwa;
  el.open.open = state.bw !== "";
  mode();
  clear();

  return {
    /**
     * A new run of the stack: the gradients it offers; the verdict shown is of the old one.
     * @param {RunBody} body the run's request
     * @param {{index: number, type: string, grads?: Record<string, unknown> | null}[]} backward
     */
    update(body, backward) {
      run = body;
      targets = targetsOf(backward, body.loss ?? "cross_entropy");
      const keep = state.bw;
      el.target.replaceChildren(...targets.map((t) => new Option(t.label, targetKey(t))));
      el.target.value = targetKey(pickTarget(keep, targets));
      if (el.open.open) state.bw = el.target.value;
      clear();
      save();
    },
    check,
  };
}
