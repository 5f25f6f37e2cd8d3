// A learner's progress through the lessons, kept in the browser only (the server stays
// stateless): for each lesson, the steps seen, the last one open and each task's record (done,
// right at the first try, hints used), under one localStorage key. Pure but for the storage
// handed in (tests/js/lesson-progress.test.js).

/**
 * @typedef {{tries: number, done: boolean, first: boolean | null, firstAnswer: string, hints: number,
 *   shown: boolean}} TaskRecord
 */
/** @typedef {{seen: number[], last: number, tasks: Record<string, TaskRecord>}} Progress */

/** @param {string} id */
const key = (id) => `bpx:lesson:${id}`;

/** @param {unknown} v @returns {TaskRecord | null} */
function taskRecord(v) {
  if (!v || typeof v !== "object") return null;
  const r = /** @type {Record<string, unknown>} */ (v);
  const whole = (/** @type {unknown} */ n) => (Number.isInteger(n) && Number(n) >= 0 ? Number(n) : 0);
  return {
    tries: whole(r.tries),
    done: r.done === true,
    first: typeof r.first === "boolean" ? r.first : null,
    firstAnswer: typeof r.firstAnswer === "string" ? r.firstAnswer.slice(0, 200) : "",
    hints: whole(r.hints),
    shown: r.shown === true,
  };
}

/**
 * The progress stored for lesson `id` (nothing seen when absent or unreadable).
 * @param {Pick<Storage, "getItem">} storage
 * @param {string} id
 * @returns {Progress}
 */
export function readProgress(storage, id) {
  try {
    const v = JSON.parse(storage.getItem(key(id)) || "null");
    const seen = Array.isArray(v?.seen)
      ? v.seen.filter((/** @type {unknown} */ k) => Number.isInteger(k) && Number(k) > 0)
      : [];
    const last = Number.isInteger(v?.last) && v.last > 0 ? v.last : 0;
    /** @type {Record<string, TaskRecord>} */
    const tasks = {};
    for (const [k, t] of Object.entries(v?.tasks && typeof v.tasks === "object" ? v.tasks : {})) {
      const r = taskRecord(t);
      if (r && /^\d+$/.test(k)) tasks[k] = r;
    }
    return { seen: [...new Set(/** @type {number[]} */ (seen))].sort((a, b) => a - b), last, tasks };
  } catch {
    return { seen: [], last: 0, tasks: {} };
  }
}

/**
 * @param {Pick<Storage, "setItem">} storage
 * @param {string} id
 * @param {Progress} p
 */
function save(storage, id, p) {
  try {
    storage.setItem(key(id), JSON.stringify(p));
  } catch {
    // storage full or disabled (a private window): progress is a convenience, not a must
  }
  return p;
}

/**
 * Record that step `k` (from 1) of lesson `id` was opened; the new progress.
 * @param {Pick<Storage, "getItem" | "setItem">} storage
 * @param {string} id
 * @param {number} k
 * @returns {Progress}
 */
export function markSeen(storage, id, k) {
  const p = readProgress(storage, id);
  return save(storage, id, { ...p, seen: [...new Set([...p.seen, k])].sort((a, b) => a - b), last: k });
}

/**
 * Record the server's verdict on an answer to step `k`'s task. A wrong answer to a task that
 * hints (`hinted`) earns one (the server's next rung); "show me" counts as one too. Only the
 * first try decides "first-try right".
 * @param {Pick<Storage, "getItem" | "setItem">} storage
 * @param {string} id
 * @param {number} k
 * @param {{answer: string, right: boolean, shown?: boolean, hinted?: boolean}} a
 * @returns {Progress}
 */
export function recordAnswer(storage, id, k, { answer, right, shown = false, hinted = true }) {
  const p = readProgress(storage, id);
  const t = p.tasks[k] ?? { tries: 0, done: false, first: null, firstAnswer: "", hints: 0, shown: false };
  const first = t.tries === 0 && !shown;
  const next = {
    tries: t.tries + 1,
    done: t.done || right || shown,
    first: first ? right : t.tries === 0 ? false : t.first,
    firstAnswer: first ? answer.slice(0, 200) : t.firstAnswer,
    hints: t.hints + (shown || (!right && hinted) ? 1 : 0),
    shown: t.shown || shown,
  };
  return save(storage, id, { ...p, tasks: { ...p.tasks, [k]: next } });
}

/**
 * Totals over a lesson's tasks (`taskSteps`: the steps, from 1, that set one).
 * @param {Progress} p
 * @param {number[]} taskSteps
 */
export function totals(p, taskSteps) {
  const recs = taskSteps.map((k) => p.tasks[k]).filter((t) => t !== undefined);
  return {
    tasks: taskSteps.length,
    done: recs.filter((t) => t.done).length,
    firstRight: recs.filter((t) => t.first === true).length,
    hints: recs.reduce((s, t) => s + t.hints, 0),
  };
}

/**
 * The progress in words for the list of lessons: "", "3 of 7 steps seen" or "done ✓", and the
 * tasks done when the lesson sets any.
 * @param {Progress} p
 * @param {number} steps
 * @param {number[]} [taskSteps]
 */
export function progressText(p, steps, taskSteps = []) {
  const seen = p.seen.filter((k) => k <= steps).length;
  const t = totals(p, taskSteps);
  const tasks = t.tasks && t.done ? `; ${t.done} of ${t.tasks} tasks done` : "";
  if (!seen) return "";
  return (seen >= steps ? "done ✓" : `${seen} of ${steps} steps seen`) + tasks;
}

/**
 * The step's own score line: "", or "done, right at the first try" / "done, 1 hint used" ...
 * @param {TaskRecord | undefined} t
 */
export function taskText(t) {
  if (!t || !t.tries) return "";
  const hints = t.hints ? `, ${t.hints} hint${t.hints === 1 ? "" : "s"} used` : "";
  const state = t.done ? (t.shown ? "shown" : "done") : "not yet right";
  return `${state}${t.first ? ", right at the first try" : ""}${hints}`;
}

/**
 * The hand-in summary, plain text: the lesson, the date, each task with the first answer given.
 * @param {{title: string, id: string, date: Date, steps: {k: number, title: string, prompt: string}[]}} lesson
 *   `steps`: those that set a task
 * @param {Progress} p
 */
export function summaryText({ title, id, date, steps }, p) {
  const t = totals(
    p,
    steps.map((s) => s.k),
  );
  const lines = [
    `Lesson: ${title} (${id})`,
    `Date: ${date.toISOString().slice(0, 10)}`,
    `Steps seen: ${p.seen.length}`,
    `Tasks done: ${t.done} of ${t.tasks}`,
    `First try right: ${t.firstRight} of ${t.tasks}`,
    `Hints used: ${t.hints}`,
    "",
  ];
  for (const s of steps) {
    const r = p.tasks[s.k];
    const first =
      r && r.tries ? `first answer ${r.firstAnswer || "(shown)"}, ${r.first ? "right" : "not right"}` : "not tried";
    lines.push(`Step ${s.k}, ${s.title}: ${s.prompt}`, `  ${first}; ${taskText(r) || "open"}`);
  }
  return lines.join("\n");
}
