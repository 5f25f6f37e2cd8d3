// A lesson step's task, judged by its exercise endpoint: the request for an answer and the
// server's verdict read back. The page never judges: it forwards the learner's answer with the
// task's own fields (app/lessons/tasks.py) and reports what the engine said.
//
// Pure (tests/js/lesson-task.test.js).

/** @typedef {{kind: string, prompt: string, [field: string]: unknown}} Task */
/** @typedef {{right: boolean, text: string, diagnosis: string | null}} Verdict */

/** The kinds answered by typing one number. */
export const NUMBER_KINDS = ["graph_node", "number", "slope", "best_h"];

/**
 * The endpoint and body that judge `answer` to `task` (for graph_node and number, `node` is the
 * node to check: a number task asks for the last node of `f = <expr>`).
 * @param {Task} task
 * @param {string} answer as typed
 * @param {{attempt?: number, reveal?: boolean, node?: number}} [opts]
 * @returns {{path: string, body: Record<string, unknown>}}
 */
export function checkRequest(task, answer, { attempt = 1, reveal = false, node } = {}) {
  const kind = task.kind;
  const fields = Object.fromEntries(
    Object.entries(task).filter(([k]) => !["kind", "prompt", "prompt_html"].includes(k)),
  );
  if (kind === "graph_node") {
    return { path: "/api/v1/graph/check", body: { ...fields, answer, attempt, reveal } };
  }
  if (kind === "number") {
    return {
      path: "/api/v1/graph/check",
      body: {
        expr: numberProgram(task),
        values: { x: task.x0 },
        node: node ?? 0,
        quantity: "value",
        answer,
        attempt,
        reveal,
      },
    };
  }
  if (kind === "slope" || kind === "best_h") {
    return { path: "/api/v1/exercises/predict", body: { kind, ...fields, answer } };
  }
  if (kind === "backward") {
    return { path: "/api/v1/exercises/backward", body: { ...fields, answer, reveal } };
  }
  throw new Error(`a ${kind} task is not answered in a box`);
}

/**
 * The one-line program whose last node is a number task's value.
 * @param {Task} task
 */
export const numberProgram = (task) => `f = ${String(task.expr)}`;

/**
 * The server's answer in words: right or not, and what it said (diagnosis, hint, truth).
 * @param {string} kind
 * @param {any} r the endpoint's JSON
 * @returns {Verdict}
 */
export function readVerdict(kind, r) {
  if (kind === "graph_node" || kind === "number") {
    const truth = typeof r.expected === "number" ? ` The answer: ${fmt(r.expected)}.` : "";
    return {
      right: Boolean(r.correct),
      text: `${r.correct ? "Right. " : "Not yet. "}${r.hint ?? ""}${truth}`.trim(),
      diagnosis: r.diagnosis ?? null,
    };
  }
  if (kind === "slope" || kind === "best_h" || kind === "sketch") {
    const right = r.verdict === "close";
    const words = { close: "Close", near: "Near", far: "Far off" }[/** @type {string} */ (r.verdict)] ?? r.verdict;
    const truth =
      kind === "sketch"
        ? r.worst_x !== null && r.worst_x !== undefined
          ? ` Furthest off at x = ${fmt(r.worst_x)}.`
          : ""
        : ` The truth: ${fmt(r.expected)}${kind === "best_h" ? ` (you were ${fmt(r.error)} decades off)` : ""}.`;
    return { right, text: `${words}: score ${Math.round(r.score * 100)}%.${truth}`, diagnosis: null };
  }
  if (kind === "backward") {
    const right = r.verdict === "exact" || r.verdict === "close";
    const ref = r.reference ? ` One answer: ${r.reference}` : "";
    return {
      right,
      text: `${right ? "Right. " : "Not yet. "}${r.hint ?? ""}${ref}`.trim(),
      diagnosis: r.diagnosis ?? null,
    };
  }
  if (kind === "hunt") {
    const bug = r.bug ? ` The bug: ${r.bug.explanation}` : "";
    const text = r.correct ? `Found it.${bug}` : r.hint || `Not there.${bug}`;
    return { right: Boolean(r.correct), text: text.trim(), diagnosis: null };
  }
  return { right: false, text: "", diagnosis: null };
}

/** The kinds whose wrong answer earns a hint from the server (the others say how far off). */
export const HINTED = ["graph_node", "number", "backward", "hunt"];

/**
 * "Show me" before any answer: the truth alone, in words.
 * @param {string} kind
 * @param {any} r the endpoint's JSON, asked with `reveal` (hunt: `give_up`)
 */
export function revealText(kind, r) {
  if (kind === "backward") return `One answer: ${r.reference ?? "(none sent)"}`;
  if (kind === "hunt") {
    const b = r.bug;
    if (!b) return "";
    const where = b.tensor === "seed" ? "the loss's seed" : `layer ${b.index}'s d${b.tensor}`;
    return `The bug is in ${where}: ${b.explanation}`;
  }
  if (kind === "graph_node" || kind === "number") return `The answer: ${fmt(r.expected)}.`;
  return `The truth: ${fmt(r.expected)}.`;
}

/** @param {unknown} v */
function fmt(v) {
  if (typeof v !== "number" || !Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? String(Number(v.toPrecision(6))) : v.toExponential(2);
}
