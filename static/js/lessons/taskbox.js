// A step's task answered in place: the answer box (a number, an array expression, a place to
// point at, or a sketch), "Check" and "Show me". Each answer goes to the kind's exercise endpoint
// with the task's fields and the attempt number (the hint ladder); the server's verdict and
// diagnosis are shown beside the box (aria-live). The request and the reading of the answer are
// in task.js; the record of tries and hints in progress.js.
import { errorItems, post } from "../kit/api.js";
import { byId, h } from "../kit/dom.js";
import { Sketch } from "../panels/sketch.js";
import { HINTED, checkRequest, numberProgram, readVerdict, revealText } from "./task.js";

/** @typedef {import("./task.js").Task} Task */
/** @typedef {{answer: string, right: boolean, shown: boolean, hinted: boolean}} Outcome */
/** @typedef {(err: unknown) => void} Fail */
/** @typedef {(v: ReturnType<typeof readVerdict>, answer: string, shown: boolean) => void} Say */

/**
 * @param {{task: Task, attempts: number, onAnswer: (o: Outcome) => void}} opts
 *   `attempts`: tries already made (from this browser), so the hint ladder goes on after a reload
 */
export function wireTask({ task, attempts, onAnswer }) {
  const out = byId("task-verdict", HTMLElement);
  const check = byId("task-check", HTMLButtonElement);
  const show = byId("task-show", HTMLButtonElement);
  let attempt = attempts;
  /** @type {Promise<number> | null} */
  let lastNode = null;

  /** @param {ReturnType<typeof readVerdict>} v @param {string} answer @param {boolean} shown */
  const say = (v, answer, shown) => {
    out.textContent = v.text;
    out.classList.toggle("right", v.right);
    out.classList.toggle("wrong", !v.right && !shown);
    if (v.diagnosis) out.dataset.diagnosis = v.diagnosis;
    else delete out.dataset.diagnosis;
    onAnswer({ answer, right: v.right, shown, hinted: HINTED.includes(task.kind) });
  };
  /** @param {unknown} err */
  const fail = (err) => {
    out.textContent = errorItems(err)
      .map((i) => i.msg)
      .join("; ");
    out.classList.remove("right");
    out.classList.add("wrong");
  };

  /** A number task's node to check: the last node of `f = <expr>` (asked of the engine once). */
  const numberNode = () =>
    (lastNode ||= post("/api/v1/graph", { expr: numberProgram(task), values: { x: Number(task.x0) } }).then(
      (g) => g.nodes[g.nodes.length - 1].id,
    ));

  if (task.kind === "sketch") return wireSketch(task, out, onAnswer);
  if (task.kind === "hunt") return wireHunt(task, { out, check, show, say, fail });

  const input = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (byId("task-answer", HTMLElement));
  /** @param {boolean} reveal */
  const judge = async (reveal) => {
    const answer = input.value.trim();
    if (!answer && !reveal) {
      out.textContent = "Type your answer first.";
      input.focus();
      return;
    }
    attempt += 1;
    const node = task.kind === "number" ? await numberNode().catch(() => 0) : undefined;
    // "Show me" without an answer: the engine judges a placeholder and sends the truth back.
    const sent = answer || "0";
    const { path, body } = checkRequest(task, sent, { attempt: reveal ? Math.max(attempt, 3) : attempt, reveal, node });
    try {
      const r = await post(/** @type {any} */ (path), /** @type {any} */ (body));
      const v = readVerdict(task.kind, r);
      if (reveal && !answer) v.text = revealText(task.kind, r);
      say(v, answer, reveal);
    } catch (err) {
      fail(err);
    }
  };
  byId("task-form", HTMLFormElement).addEventListener("submit", (e) => {
    e.preventDefault();
    void judge(false);
  });
  show.addEventListener("click", () => void judge(true));
}

/**
 * A bug hunt: the network page beside runs the challenge; here the learner names the place.
 * @param {Task} task
 * @param {{out: HTMLElement, check: HTMLButtonElement, show: HTMLButtonElement, say: Say, fail: Fail}} els
 */
function wireHunt(task, { check, show, say, fail }) {
  const select = byId("task-answer", HTMLSelectElement);
  /** @type {Promise<string>} */
  const challenge = post("/api/v1/exercises/hunt", { seed: Number(task.seed), level: Number(task.level) }).then((r) => {
    select.replaceChildren(
      ...r.places.flatMap((p) =>
        p.tensors.map((t) =>
          h("option", { value: `${p.index}:${t}` }, `${p.label}: d${t === "x" ? "x (its input)" : t}`),
        ),
      ),
    );
    return r.challenge;
  });
  challenge.catch(fail);
  /** @param {boolean} giveUp */
  const guess = async (giveUp) => {
    const [index, tensor] = select.value.split(":");
    try {
      const r = await post("/api/v1/exercises/hunt/guess", {
        challenge: await challenge,
        index: Number(index),
        tensor,
        give_up: giveUp,
      });
      const v = readVerdict("hunt", r);
      if (giveUp) v.text = revealText("hunt", r);
      say(v, giveUp ? "" : (select.selectedOptions[0]?.textContent ?? ""), giveUp);
    } catch (err) {
      fail(err);
    }
  };
  byId("task-form", HTMLFormElement).addEventListener("submit", (e) => {
    e.preventDefault();
    void guess(false);
  });
  check.disabled = false;
  show.addEventListener("click", () => void guess(true));
}

/**
 * Sketch f′ with the activations page's own sketch panel, over x from −6 to 6.
 * @param {Task} task
 * @param {HTMLElement} out
 * @param {(o: Outcome) => void} onAnswer
 */
function wireSketch(task, out, onAnswer) {
  const name = String(task.activation);
  const sketch = new Sketch({
    svg: byId("task-sketch", SVGSVGElement),
    out,
    button: byId("task-check", HTMLButtonElement),
    reset: byId("task-show", HTMLButtonElement),
    onChange: () => {
      const r = sketch.result;
      document.body.classList.toggle("lesson-sketching", !r); // the page's f′ hidden until checked
      if (!r) return;
      const v = readVerdict("sketch", r);
      out.classList.toggle("right", v.right);
      out.classList.toggle("wrong", !v.right);
      onAnswer({ answer: `score ${Math.round(r.score * 100)}%`, right: v.right, shown: false, hinted: false });
    },
  });
  document.body.classList.add("lesson-sketching");
  const body = { activation: /** @type {any} */ (name), x_min: -6, x_max: 6, num: 121, upstream: 1, h: 1e-5 };
  post("/api/v1/activations/curve", body).then(
    (c) => sketch.set(/** @type {any} */ (c), name, null),
    (err) => (out.textContent = errorItems(err)[0]?.msg ?? ""),
  );
}
