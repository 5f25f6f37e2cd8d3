// What the page knows of the run, and how each streamed line moves it on: pure functions (no
// DOM), unit-tested under node --test.
import { num } from "../../kit/format.js";

/** @typedef {import("../../types/kit").Schemas["DataOut"]} Data */
/** @typedef {import("../../types/kit").Schemas["ResumeOut"]} Resume */
/** @typedef {import("./charts.js").History} History */
/** @typedef {import("../../types/kit").Schemas["WarningItem"]} Warning */

/**
 * The run as the page knows it.
 * @typedef {{data: Data | null, epoch: number, resume: Resume | null, history: History,
 *            boundary: any, curve: any, last: any, playing: boolean, lines: number,
 *            renders: number, stateOf: string | null, warnings: Record<string, Warning>}} Run
 *   `resume`: where Play continues from; `stateOf`: the optimizer the checkpoint's state belongs
 *   to; `playing`, `lines`, `renders`: the runner's mode, the lines received and the renders
 *   drawn (the tests read them); `warnings`: the latest of each code the reports gave since the
 *   settings last changed (a run that overshot once is told, even if the next report is calm)
 */

/** @returns {History} */
export const emptyHistory = () => ({ epoch: [], train: [], test: [], grads: [], ratios: [] });

/** @returns {Run} */
export const newRun = () => ({
  data: null,
  epoch: 0,
  resume: null,
  history: emptyHistory(),
  boundary: null,
  curve: null,
  last: null,
  playing: false,
  lines: 0,
  renders: 0,
  stateOf: null,
  warnings: {},
});

/** Back to epoch 0 (the data and the counters stay). @param {Run} run */
export const rewind = (run) =>
  Object.assign(run, {
    epoch: 0,
    resume: null,
    history: emptyHistory(),
    boundary: null,
    curve: null,
    last: null,
    warnings: {},
  });

/** The W norms of the affine layers (grad_norms holds W, b of each: every other entry). */
export const weightNorms = (/** @type {(number | null)[]} */ g) => g.filter((_, i) => i % 2 === 0);

/**
 * Take one line of the stream into `run`. Returns "report" for a new report (draw it), "done"
 * for the last line, "old" for a report already shown.
 * @param {Run} run
 * @param {any} line
 * @param {string} opt the optimizer the run trains with now
 * @param {number} affines how many affine layers the stack has
 * @returns {"report" | "done" | "old"}
 */
export function takeLine(run, line, opt, affines) {
  run.lines++;
  if (line.done) {
    if (line.params) {
      run.resume = { params: line.params, optimizer_state: line.optimizer_state, epoch: line.epoch, step: line.step };
      run.stateOf = opt;
    }
    run.last = run.last && { ...run.last, reason: line.reason };
    return "done";
  }
  const hist = run.history;
  if (hist.epoch.length && hist.epoch[hist.epoch.length - 1] >= line.epoch) return "old";
  hist.epoch.push(line.epoch);
  hist.train.push(line.train_loss);
  hist.test.push(line.test_loss);
  hist.grads.push(weightNorms(line.grad_norms));
  hist.ratios.push(line.update_ratios ?? Array.from({ length: affines }, () => null));
  if (line.boundary) run.boundary = line.boundary;
  if (line.curve) run.curve = line.curve;
  if (line.resume) {
    run.resume = line.resume;
    run.stateOf = opt;
  }
  run.epoch = line.epoch;
  run.last = line;
  for (const w of line.warnings ?? []) run.warnings[w.code] = w;
  return "report";
}

/**
 * Whether Play goes on with another stream: the server's bounds on one request's time and bytes
 * ended the last one, not divergence or the last epoch.
 * @param {any} last the last report (with the done line's reason)
 */
export const goesOn = (last) => !last?.msg && ["time_limit", "size_limit"].includes(last?.reason ?? "");

/**
 * The status line of a report: its epoch, losses and (for classes) accuracies.
 * @param {any} r the last report, or null
 * @param {boolean} regression
 */
export function statusText(r, regression) {
  if (!r) return "";
  const pct = (/** @type {number | null | undefined} */ v) =>
    v === null || v === undefined ? "—" : `${(100 * v).toFixed(2)}%`;
  return (
    `epoch ${r.epoch} · loss train ${num(r.train_loss, 4)}, test ${num(r.test_loss, 4)}` +
    (regression ? "" : ` · accuracy train ${pct(r.train_accuracy)}, test ${pct(r.test_accuracy)}`)
  );
}

/**
 * What a done line has to say in the status: why a run diverged, or why not one epoch fitted.
 * @param {any} line
 * @returns {string | null}
 */
export const doneNote = (line) => (line.msg ? (line.reason === "diverged" ? `Diverged: ${line.msg}` : line.msg) : null);

/**
 * The request's resume: the checkpoint; one of another optimizer carries the parameters on and
 * the optimizer starts afresh.
 * @param {Resume | null} resume
 * @param {string | null} stateOf the optimizer the checkpoint's state belongs to
 * @param {string} opt the optimizer now
 * @returns {Resume | null}
 */
export const carried = (resume, stateOf, opt) =>
  resume && (stateOf === opt ? resume : { ...resume, optimizer_state: {}, step: 0 });
