// Unit tests of the prediction panels' pure parts: the slope's angle slider, the verdict's words,
// the sketch's stroke filling and its data ↔ SVG mapping.
import assert from "node:assert/strict";
import { test } from "node:test";

// The panels post through kit/api.js, which keeps its counter on window.
globalThis.window ??= /** @type {any} */ (globalThis);
const { angleOfSlope, slopeOfAngle, verdictText } = await import("../../static/js/panels/predict.js");
const { Frame, POINTS, Y_RANGE, linspace, paint } = await import("../../static/js/panels/sketch.js");

test("the slope slider drags an angle", () => {
  assert.equal(slopeOfAngle(0), 0);
  assert.ok(Math.abs(slopeOfAngle(45) - 1) < 1e-12);
  assert.ok(Math.abs(angleOfSlope(slopeOfAngle(-70)) + 70) < 1e-9);
});

test("the verdict in words, with the truth", () => {
  const base = { score: 0.96, error: 0.04, thresholds: { close: 0.1, near: 0.3 }, worst_x: null };
  const slope = verdictText({ ...base, verdict: "close", expected: 0.5403, answer: 0.5 }, "slope");
  assert.equal(slope, "close: your slope 0.5, the true f′(x₀) = 0.5403; score 96%.");
  const kink = verdictText(
    { ...base, verdict: "close", expected: 0, answer: 0.3, kink: { left: -1, right: 1 } },
    "slope",
  );
  assert.match(kink, /a kink: any slope from −?-?1 to 1 is right/);
  const h = verdictText(
    { ...base, verdict: "near", error: 1.7, expected: 5.6e-6, answer: 1.1e-7, rule_of_thumb: 6.1e-6 },
    "best_h",
  );
  assert.match(h, /^near: your h = 1\.1e-7, the best h = 5\.6e-6 \(1\.7 decades off/);
});

test("a stroke fills the points between two pointer events on a straight line", () => {
  const ys = [0, 0, 0, 0, 0];
  assert.deepEqual(paint(ys, 1, 1, 3, 3), [0, 1, 2, 3, 0]);
  assert.deepEqual(paint(ys, 3, 3, 1, 1), [0, 1, 2, 3, 0]);
  assert.deepEqual(paint(ys, 2, 0, 2, 5), [0, 0, 5, 0, 0]);
  assert.deepEqual(ys, [0, 0, 0, 0, 0]); // a new array: nothing written into the caller's
});

test("the sketch frame maps data to SVG and back, clamped to its y range", () => {
  const xs = linspace(-6, 6, POINTS);
  assert.equal(xs.length, POINTS);
  assert.equal(xs[0], -6);
  assert.equal(xs[POINTS - 1], 6);
  const f = new Frame(-6, 6);
  for (const y of [-1, 0, 0.25, 1, 2]) assert.ok(Math.abs(f.y(f.py(y)) - y) < 1e-12);
  assert.equal(f.y(f.py(10)), Y_RANGE[1]);
  assert.equal(f.index(f.px(0), POINTS), (POINTS - 1) / 2);
  assert.equal(f.index(-100, POINTS), 0);
});
