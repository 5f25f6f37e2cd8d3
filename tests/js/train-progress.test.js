// The training page's pure logic: how a streamed line moves the run on, what Play does next, the
// status line, the resume a request carries, and the optimizer panel's choices.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  carried,
  doneNote,
  goesOn,
  newRun,
  rewind,
  statusText,
  takeLine,
  weightNorms,
} from "../../static/js/pages/train/progress.js";
import { lossFor, ownOptions } from "../../static/js/pages/train/choices.js";

const report = (/** @type {number} */ epoch, extra = {}) => ({
  epoch,
  train_loss: 1 / (epoch + 1),
  test_loss: 2 / (epoch + 1),
  train_accuracy: 0.5,
  test_accuracy: 0.25,
  grad_norms: [1, 0.1, 2, 0.2],
  update_ratios: epoch ? [0.01, 0.02] : null,
  ...extra,
});

test("a report goes into the history once; an old one is skipped", () => {
  const run = newRun();
  assert.equal(takeLine(run, report(0), "adam", 2), "report");
  assert.deepEqual(run.history.ratios, [[null, null]]); // epoch 0: no update yet, one per affine layer
  assert.deepEqual(run.history.grads, [[1, 2]]); // the W norms only
  assert.equal(
    takeLine(run, report(10, { resume: { params: [], optimizer_state: {}, epoch: 10, step: 5 } }), "adam", 2),
    "report",
  );
  assert.equal(takeLine(run, report(10), "adam", 2), "old");
  assert.deepEqual(run.history.epoch, [0, 10]);
  assert.equal(run.epoch, 10);
  assert.equal(run.stateOf, "adam");
  assert.equal(run.lines, 3);
});

test("the done line holds the resume and tells Play whether to go on", () => {
  const run = newRun();
  takeLine(run, report(0), "sgd", 2);
  const done = { done: true, reason: "time_limit", epoch: 7, step: 70, params: [{ index: 0 }], optimizer_state: {} };
  assert.equal(takeLine(run, done, "sgd", 2), "done");
  assert.equal(run.resume?.epoch, 7);
  assert.equal(goesOn(run.last), true);
  takeLine(run, { done: true, reason: "max_epochs", epoch: 7, step: 70 }, "sgd", 2);
  assert.equal(goesOn(run.last), false);
  assert.equal(goesOn(null), false);
  const diverged = { done: true, reason: "diverged", msg: "the training loss became nan" };
  assert.equal(doneNote(diverged), "Diverged: the training loss became nan");
  assert.equal(doneNote({ done: true, reason: "max_epochs" }), null);
});

test("rewind goes back to epoch 0 and keeps the data", () => {
  const run = newRun();
  run.data = /** @type {any} */ ({ regression: false });
  takeLine(run, report(3), "adam", 2);
  rewind(run);
  assert.equal(run.epoch, 0);
  assert.deepEqual(run.history.epoch, []);
  assert.equal(run.last, null);
  assert.ok(run.data);
});

test("the status line names the epoch, losses and, for classes, accuracies", () => {
  assert.equal(statusText(null, false), "");
  const s = statusText(report(2), false);
  assert.match(s, /^epoch 2 · loss train .*, test .* · accuracy train 50\.00%, test 25\.00%$/);
  assert.doesNotMatch(statusText(report(2), true), /accuracy/);
});

test("a checkpoint of another optimizer carries the parameters and drops the optimizer's state", () => {
  const r = { params: [], optimizer_state: { m: [] }, epoch: 4, step: 40 };
  assert.equal(carried(r, "adam", "adam"), r);
  assert.deepEqual(carried(r, "adam", "sgd"), { params: [], optimizer_state: {}, epoch: 4, step: 0 });
  assert.equal(carried(null, null, "sgd"), null);
  assert.deepEqual(weightNorms([1, 2, 3, 4, 5]), [1, 3, 5]);
});

const META = /** @type {any} */ ({
  optimizers: [
    { name: "sgd", defaults: { momentum: 0 } },
    { name: "adam", defaults: { beta1: 0.9, beta2: 0.999 } },
  ],
  losses: [
    { name: "softmax_cross_entropy", expects: "logits" },
    { name: "mse", expects: "values" },
  ],
});

test("only the chosen optimizer's own settings are sent", () => {
  assert.deepEqual(ownOptions(META, "adam", { beta1: 0.5, momentum: 0.9 }), { beta1: 0.5 });
  assert.deepEqual(ownOptions(META, "sgd", { beta1: 0.5 }), {});
});

test("a regression set gets a loss on values; leaving one, the loss on logits", () => {
  assert.equal(lossFor(META, "softmax_cross_entropy", true, false), "mse");
  assert.equal(lossFor(META, "mse", false, true), "softmax_cross_entropy");
  assert.equal(lossFor(META, "mse", false, false), "mse"); // chosen on purpose for two classes
});

test("the rows sent to the Network page are said with their set and count", async () => {
  const { sentRows, sentNote } = await import("../../static/js/pages/train/exports.js");
  const row = (/** @type {number} */ i) => [i, -i];
  const data = /** @type {any} */ ({
    x_train: Array.from({ length: 30 }, (_, i) => row(i)),
    y_train: Array.from({ length: 30 }, (_, i) => i % 2),
    x_test: Array.from({ length: 10 }, (_, i) => row(100 + i)),
    y_test: Array.from({ length: 10 }, () => 1),
  });
  assert.equal(sentRows(data, "test:16").what, "all 10 test rows"); // fewer than 16: all of them
  const train = sentRows(data, "train:16");
  assert.equal(train.what, "training rows 1–16 of 30");
  assert.deepEqual(train.x[15], [15, -15]);
  assert.equal(sentRows(data, "train:all").x.length, 30);
  assert.match(
    sentNote(data, "train:16", 7, false),
    /^Sends training rows 1–16 of 30 and the weights trained to epoch 7\. .*mean over these 16 rows/,
  );
  assert.match(sentNote(data, "test:all", 7, false), /is the test loss here/);
  assert.match(sentNote(data, "train:all", 7, true), /batchnorm/);
});

test("warnings stay, the latest of each code, until the run rewinds", () => {
  const run = newRun();
  const w = (/** @type {string} */ code, /** @type {string} */ msg) => ({ code, msg, loc: ["lr"] });
  takeLine(run, report(10, { warnings: [w("loss_grew", "a")] }), "sgd", 2);
  takeLine(run, report(20, { warnings: [] }), "sgd", 2); // a calm report: the warning stays
  takeLine(run, report(30, { warnings: [w("loss_grew", "b"), w("update_ratio_large", "c")] }), "sgd", 2);
  assert.deepEqual(
    Object.values(run.warnings).map((x) => x.msg),
    ["b", "c"],
  );
  rewind(run);
  assert.deepEqual(run.warnings, {});
});

test("the request carries the parts, the report cadence and a resume only when there is one", async () => {
  const { trainBody, GRID } = await import("../../static/js/pages/train/request.js");
  const parts = {
    dataset: /** @type {any} */ ({ name: "xor" }),
    layers: [],
    loss: "mse",
    opt: "sgd",
    options: { momentum: 0.9 },
    lr: 0.1,
    bs: 8,
    l2: 0,
    seed: 3,
    resume: null,
  };
  const body = /** @type {any} */ (trainBody(parts, 40, 10, 30));
  assert.equal(body.optimizer, "sgd");
  assert.equal(body.momentum, 0.9);
  assert.equal(body.batch_size, 8);
  assert.deepEqual([body.epochs, body.report_every, body.boundary_every, body.grid], [40, 10, 30, GRID]);
  assert.equal("resume" in body, false);
  const r = { params: [], optimizer_state: {}, epoch: 5, step: 50 };
  assert.equal(/** @type {any} */ (trainBody({ ...parts, resume: r }, 6, 1, 1)).resume, r);
});
