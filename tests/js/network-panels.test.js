// The Network page's panels: their pure parts (the selected cell, the step position, the run's
// note after a change, a node's check status, the Training page's stack, the check rows).
import assert from "node:assert/strict";
import { test } from "node:test";

// the panels refuse and post through kit/api.js, which keeps its counter on window.
globalThis.window ??= /** @type {any} */ (globalThis);
const { cellOf, cellText, clickCell } = await import("../../static/js/pages/network/step.js");
const { moveStep } = await import("../../static/js/pages/network/stepper.js");
const { AUTO_RUN_MAX_ROWS, changedNote } = await import("../../static/js/pages/network/runner.js");
const { checkStatus } = await import("../../static/js/pages/network/nodeview.js");
const { trainedPreset } = await import("../../static/js/pages/network/stack.js");
const { withoutArrays } = await import("../../static/js/pages/network/gradcheck.js");

test("a link's cell: damaged or missing parts are 0, and it writes back the same", () => {
  assert.deepEqual(cellOf("2,1,3"), { n: 2, k: 1, j: 3 });
  assert.deepEqual(cellOf(""), { n: 0, k: 0, j: 0 });
  assert.deepEqual(cellOf("x,-4,2.6"), { n: 0, k: 0, j: 3 });
  assert.equal(cellText(cellOf("4,0,1")), "4,0,1");
});

test("a click sets the indices the tensor's rows and columns are", () => {
  const c = { n: 1, k: 2, j: 3 };
  assert.deepEqual(clickCell(c, "nj", 5, 6), { n: 5, k: 2, j: 6 });
  assert.deepEqual(clickCell(c, "nk", 5, 6), { n: 5, k: 6, j: 3 });
  assert.deepEqual(clickCell(c, "nc", 5, 6), { n: 5, k: 6, j: 6 });
  assert.deepEqual(clickCell(c, "kj", 5, 6), { n: 1, k: 5, j: 6 });
  assert.deepEqual(clickCell(c, "j", 5, 6), { n: 1, k: 2, j: 6 });
  assert.deepEqual(c, { n: 1, k: 2, j: 3 }, "the old cell is not changed");
});

test("the step position stays within the all-at-once view and the last step", () => {
  assert.equal(moveStep(-1, 1, 5), 0);
  assert.equal(moveStep(4, 1, 5), 4);
  assert.equal(moveStep(-1, -1, 5), -1);
  assert.equal(moveStep(3, -1, 5), 2);
  assert.equal(moveStep(-1, 1, 0), -1, "no steps: stays all at once");
});

test("a change runs by itself up to the row limit, else asks for the button", () => {
  assert.equal(changedNote(0, true), null);
  assert.equal(changedNote(AUTO_RUN_MAX_ROWS, true), null);
  assert.equal(changedNote(1000, true), "changed: press Run (1000 samples, with gradient check)");
  assert.equal(changedNote(1000, false), "changed: press Run (1000 samples)");
});

test("a node's check status: all of its rows, the input's own row, none for the loss", () => {
  const row = (/** @type {number} */ index, /** @type {string} */ param, /** @type {boolean} */ passed) =>
    /** @type {any} */ ({ index, param, passed });
  const checks = [row(0, "x", true), row(0, "W", true), row(0, "b", false), row(2, "W", true)];
  assert.equal(checkStatus(checks, { kind: "input" }), "pass");
  assert.equal(checkStatus(checks, { kind: "layer", index: 0 }), "fail");
  assert.equal(checkStatus(checks, { kind: "layer", index: 2 }), "pass");
  assert.equal(checkStatus(checks, { kind: "layer", index: 1 }), null);
  assert.equal(checkStatus(checks, { kind: "loss" }), null);
  assert.equal(checkStatus(null, { kind: "input" }), null);
});

test("the Training page's stack is a preset named train; a damaged one is none", () => {
  const p = trainedPreset('[{"type": "relu"}]', "mse");
  assert.equal(p?.name, "train");
  assert.equal(p?.loss, "mse");
  assert.deepEqual(p?.layers, [{ type: "relu" }]);
  assert.equal(trainedPreset("", "mse"), null);
  assert.equal(trainedPreset("{broken", "mse"), null);
  assert.equal(trainedPreset('{"a": 1}', "mse"), null);
});

test("the check table without its heatmap keeps the verdicts, not the arrays", () => {
  const r = /** @type {any} */ ({
    gradcheck: [{ index: 0, param: "W", passed: true, numeric: [[1]], rel_error: [[0]] }],
  });
  assert.deepEqual(withoutArrays(r), [{ index: 0, param: "W", passed: true }]);
  assert.equal(withoutArrays(/** @type {any} */ ({ gradcheck: null })), null);
});

const { formatNudge, parseNudge } = await import("../../static/js/pages/network/nudge.js");

test("a link's nudged weight: layer, row, column; anything else names none", () => {
  assert.deepEqual(parseNudge("0:1,2"), { index: 0, entry: [1, 2] });
  assert.equal(formatNudge({ index: 3, entry: [0, 4] }), "3:0,4");
  assert.deepEqual(parseNudge(formatNudge({ index: 3, entry: [0, 4] })), { index: 3, entry: [0, 4] });
  for (const bad of ["", "0:1", "a:1,2", "-1:0,0", "0:1,2,3", "1.5:0,0"]) assert.equal(parseNudge(bad), null, bad);
});

const { softmaxInput } = await import("../../static/js/pages/network/jacobian.js");

test("the Jacobian's softmax is the layer whose record gives probabilities, not one named softmax", () => {
  const m = /** @type {any} */ ({
    layers: [
      { name: "affine", gives: "values" },
      { name: "normalise", gives: "probabilities" },
      { name: "softmax", gives: "values" }, // a name decides nothing
    ],
  });
  const x = [[1, 2]];
  const r = /** @type {any} */ ({
    forward: [
      { type: "affine", output: [[3, 4]] },
      { type: "softmax", output: [[5, 6]] },
      { type: "normalise", output: [[0.3, 0.7]] },
    ],
  });
  assert.deepEqual(softmaxInput(r, x, "probabilities", m), [[5, 6]]);
  const first = /** @type {any} */ ({ forward: [{ type: "normalise", output: [[0.5, 0.5]] }] });
  assert.deepEqual(softmaxInput(first, x, "values", m), x);
  // no such layer: the fused loss's softmax is on the logits, the last output
  const plain = /** @type {any} */ ({ forward: [{ type: "affine", output: [[3, 4]] }] });
  assert.deepEqual(softmaxInput(plain, x, "logits", m), [[3, 4]]);
  assert.equal(softmaxInput(plain, x, "values", m), null);
});

const { nudgeBody, runBody } = await import("../../static/js/pages/network/result.js");
const { openPresets } = await import("../../static/js/pages/network/stack.js");

test("a run's request: the state's loss and check, the heatmap's arrays only while it is open", () => {
  const data = { x: [[1, 2]], targets: [0] };
  const layers = /** @type {any} */ ([{ type: "relu" }]);
  const s = { loss: "mse", gc: true, h: 1e-5, gca: false };
  const body = runBody(data, layers, s, {});
  assert.deepEqual(body, {
    ...data,
    layers,
    loss: "mse",
    gradcheck: true,
    h: 1e-5,
    include: ["forward", "backward", "params", "seed"],
  });
  assert.ok(runBody(data, layers, { ...s, gca: true }, {}).include?.includes("gradcheck_arrays"));
  assert.equal(runBody(data, layers, s, { challenge: "abc" }).challenge, "abc");
  // the nudge runs on the same data, stack and loss, with the hunt's challenge if there is one
  assert.deepEqual(nudgeBody(body), { ...data, layers, loss: "mse" });
  assert.equal(nudgeBody(runBody(data, layers, s, { challenge: "abc" })).challenge, "abc");
});

test("a link's data and loss fall back to what the page has; the Training page's stack is a preset", () => {
  const list = /** @type {any} */ ([
    { name: "notebook", loss: "cross_entropy", x: [], targets: [], layers: [] },
    { name: "toy_2d", loss: "mse", x: [], targets: [], layers: [] },
  ]);
  const losses = [{ name: "cross_entropy" }, { name: "mse" }];
  const state = { data: "gone", loss: "nope", L: "", W: "" };
  const presets = openPresets(state, list, losses);
  assert.deepEqual(Object.keys(presets), ["notebook", "toy_2d"]);
  assert.deepEqual(state, { data: "notebook", loss: "cross_entropy", L: "", W: "" });
  const own = { data: "toy_2d", loss: "cross_entropy", L: "relu", W: '[{"type": "relu"}]' };
  assert.equal(openPresets(own, list, losses).train?.name, "train");
  assert.equal(own.loss, "cross_entropy", "a link with its own stack keeps its loss");
  const preset = { data: "toy_2d", loss: "cross_entropy", L: "", W: "" };
  openPresets(preset, list, losses);
  assert.equal(preset.loss, "mse", "a preset's stack comes with its loss");
});
