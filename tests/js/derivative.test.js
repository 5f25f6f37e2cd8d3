// Unit tests of the derivative page's pure parts (static/js/pages/derivative/logic.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { FORMULAS, tangentShapes, yRange } from "../../static/js/pages/derivative/logic.js";

const colors = { tangent: "blue", point: "red" };

test("the tangent passes through (x0, y0) with its slope, across the span", () => {
  const { shapes } = tangentShapes({ span: [-2, 2], x0: 1, y0: 3, slope: 2, guess: null, hidden: false, colors });
  const [t, p] = /** @type {any[]} */ (shapes);
  assert.deepEqual([t.x0, t.y0, t.x1, t.y1], [-2, -3, 2, 5]);
  assert.equal(t.visible, true);
  assert.deepEqual([p.type, p.xanchor, p.yanchor], ["circle", 1, 3]);
  assert.equal(shapes.length, 2);
});

test("a guessed slope adds the learner's dashed line; a hidden tangent stays out of sight", () => {
  const { shapes } = tangentShapes({ span: [0, 1], x0: 0, y0: 0, slope: 1, guess: -1, hidden: true, colors });
  const [t, , g] = /** @type {any[]} */ (shapes);
  assert.equal(t.visible, false);
  assert.deepEqual([g.y0, g.y1, g.line.dash], [0, -1, "dash"]);
});

test("yRange pads the finite values and falls back to [-1, 1]", () => {
  assert.deepEqual(yRange([0, null, 10]), [-0.8, 10.8]);
  assert.deepEqual(yRange([null]), [-1, 1]);
  const [lo, hi] = yRange([5, 5]);
  assert.ok(lo < 5 && hi > 5);
});

test("every method has its formula and orders", () => {
  for (const k of ["central", "forward", "backward"]) assert.equal(FORMULAS[/** @type {"central"} */ (k)].length, 2);
});
