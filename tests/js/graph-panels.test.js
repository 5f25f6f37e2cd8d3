// Unit tests of the graph page's panels' pure parts: which example a program is, and the
// gradients table's rows at each step. The graph is the API's answer, copied from compute_graph
// in app/engine/expr/graph.py.
import assert from "node:assert/strict";
import { test } from "node:test";

import { gradRows } from "../../static/js/pages/graph/gradrows.js";
import { ARROW, LABEL, layoutGraph } from "../../static/js/pages/graph/layout.js";
import { PRESETS, presetIdOf } from "../../static/js/pages/graph/presets.js";
import { plan, viewAt } from "../../static/js/pages/graph/steps.js";
import { ZOOM, fitScale, zoomBy } from "../../static/js/pages/graph/zoom.js";
import { CS231N } from "./graph-fixtures.js";

test("an example's program names the example; any other program is the learner's own", () => {
  for (const p of PRESETS) assert.equal(presetIdOf(p.expr), p.id);
  assert.equal(presetIdOf("x * x + 1"), "");
  assert.equal(presetIdOf(""), "");
});

test("the gradients table: reverse mode once the backward pass reaches the variable", () => {
  const steps = plan(CS231N);
  const end = gradRows(CS231N, viewAt(CS231N, steps, steps.length - 1));
  assert.deepEqual(
    end.map((r) => [r.name, r.reverse, r.known]),
    [
      ["x", "−4", true],
      ["y", "−4", true],
      ["z", "3", true],
    ],
  );
  // After z's backward step (the 3rd after the seed) z is reached, x and y not yet.
  const zStep = steps.findIndex((s) => s.kind === "backward" && s.node === 2);
  const mid = gradRows(CS231N, viewAt(CS231N, steps, zStep));
  assert.deepEqual(
    mid.map((r) => [r.name, r.reverse, r.exact, r.numeric, r.known]),
    [
      ["x", "·", "·", "·", false],
      ["y", "·", "·", "·", false],
      ["z", "3", "3", "3", true],
    ],
  );
  // At Reset nothing is given away.
  const reset = gradRows(CS231N, viewAt(CS231N, steps, 0));
  assert.ok(reset.every((r) => r.reverse === "·" && r.exact === "·" && r.numeric === "·" && r.error === "·"));
});

test("the default zoom keeps node text readable; + and − step within bounds", () => {
  // A small graph grows to fill its frame, up to ZOOM.fit; a 20-line program stays readable.
  assert.equal(fitScale(1000, 400, { width: 500, height: 250 }), ZOOM.fit);
  assert.equal(fitScale(1000, 400, { width: 3800, height: 400 }), ZOOM.readable);
  assert.ok(12 * ZOOM.readable >= 11); // the node text is 12 units
  assert.equal(zoomBy(1, 1), 1.25);
  assert.equal(zoomBy(1, -1), 0.8);
  assert.equal(zoomBy(ZOOM.max, 1), ZOOM.max);
  assert.equal(zoomBy(ZOOM.min, -1), ZOOM.min);
});

test("every edge label ends before its arrowhead", () => {
  const lay = layoutGraph(CS231N);
  const boxes = new Map(lay.nodes.map((b) => [b.id, b]));
  for (const e of lay.edges) {
    const target = /** @type {{x: number}} */ (boxes.get(e.to));
    assert.ok(
      e.lx + LABEL.w / 2 + ARROW <= target.x,
      `${e.key}: label ends at ${e.lx + LABEL.w / 2}, node at ${target.x}`,
    );
  }
});
