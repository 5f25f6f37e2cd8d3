// Unit tests of the graph page's "your turn" logic: what is given, which answers are open (a node
// once all its uses are answered), what the drawing shows, the score line. The graphs are the
// API's answers, copied from compute_graph in app/engine/expr/graph.py.
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  answerable,
  describeTask,
  givenOf,
  scoreText,
  taskKey,
  viewOf,
} from "../../static/js/pages/graph/turnlogic.js";

const node = (id, op, inputs, value, grad, local = [], name = undefined) => ({
  id,
  op,
  label: op,
  inputs,
  value,
  grad,
  local,
  ...(name ? { name } : {}),
});

/** q = x * y; r = x + z; f = q + r at x = 2, y = 3, z = 1: x is used twice. */
const TWICE = {
  output: 9,
  output_id: 5,
  nodes: [
    node(0, "var", [], 2, 4),
    node(1, "var", [], 3, 2),
    node(2, "var", [], 1, 1),
    node(3, "mul", [0, 1], 6, 1, [3, 2], "q"),
    node(4, "add", [0, 2], 3, 1, [1, 1], "r"),
    node(5, "add", [3, 4], 9, 1, [1, 1], "f"),
  ],
  forward_order: [0, 1, 2, 3, 4, 5],
  backward_order: [5, 4, 3, 2, 1, 0],
  gradients: { x: 4, y: 2, z: 1 },
  exact: { x: 4, y: 2, z: 1 },
  numeric: { x: 4, y: 2, z: 1 },
  nonfinite: 0,
  expand: false,
  h: 1e-5,
};
/** 2 * x: a constant (its gradient is not asked) */
const CONST = {
  ...TWICE,
  output_id: 2,
  nodes: [node(0, "var", [], 3, 2), node(1, "const", [], 2, 3), node(2, "mul", [1, 0], 6, 1, [3, 2])],
  forward_order: [0, 1, 2],
  backward_order: [2, 1, 0],
};

const keys = (graph, known) => answerable(graph, known).map(taskKey).sort();

test("gradients: the output first, then every node whose uses are all answered", () => {
  const known = givenOf(TWICE, { values: false, locals: false });
  assert.deepEqual(keys(TWICE, known), ["grad:5"]);
  known.grad.add(5);
  assert.deepEqual(keys(TWICE, known), ["grad:3", "grad:4"]);
  known.grad.add(3);
  // x feeds q and r: not before both are answered; y only feeds q
  assert.deepEqual(keys(TWICE, known), ["grad:1", "grad:4"]);
  known.grad.add(4);
  assert.deepEqual(keys(TWICE, known), ["grad:0", "grad:1", "grad:2"]);
});

test("values first when hidden, then locals when asked, then gradients", () => {
  const known = givenOf(TWICE, { values: true, locals: true });
  assert.deepEqual(keys(TWICE, known), ["value:3", "value:4"]);
  known.value.add(3);
  known.value.add(4);
  assert.deepEqual(keys(TWICE, known), ["value:5"]);
  known.value.add(5);
  assert.deepEqual(keys(TWICE, known), ["local:3:0", "local:3:1", "local:4:0", "local:4:1", "local:5:0", "local:5:1"]);
  for (const k of ["3:0", "3:1", "4:0", "4:1", "5:0", "5:1"]) known.local.add(k);
  assert.deepEqual(keys(TWICE, known), ["grad:5"]);
});

test("a constant's gradient is given, not asked", () => {
  const known = givenOf(CONST, { values: false, locals: false });
  assert.ok(known.grad.has(1) && !known.grad.has(0));
  known.grad.add(2);
  assert.deepEqual(keys(CONST, known), ["grad:0"]);
  // and so is the local derivative on its edge (x**2's ∂/∂2 may not even be finite)
  assert.deepEqual(keys(CONST, givenOf(CONST, { values: false, locals: true })), ["local:2:1"]);
});

test("the drawing shows what is known, locals once answered or once both ends have gradients", () => {
  const known = givenOf(TWICE, { values: false, locals: false });
  known.grad.add(5);
  known.grad.add(3);
  let v = viewOf(TWICE, known, { values: false, locals: false });
  assert.deepEqual([...v.grads].sort(), [3, 5]);
  assert.deepEqual([...v.edges], ["5:0"]);
  assert.equal(v.done, false);
  assert.equal(v.values.size, 6);
  const asked = givenOf(TWICE, { values: false, locals: true });
  asked.local.add("3:1");
  v = viewOf(TWICE, asked, { values: false, locals: true });
  assert.deepEqual([...v.edges], ["3:1"]);
});

test("the score line", () => {
  assert.equal(
    scoreText({ answered: 2, firstTry: 1, hints: 1, total: 5 }),
    "2 of 5 answered · 1 right at the first try · 1 hint used",
  );
  assert.equal(
    scoreText({ answered: 5, firstTry: 2, hints: 3, total: 5 }),
    "Done: all 5 answered, 2 right at the first try, 3 hints used.",
  );
});

test("each task named in symbols", () => {
  assert.equal(describeTask(TWICE, "grad:5"), "∂f/∂f");
  assert.equal(describeTask(TWICE, "grad:3"), "∂f/∂q");
  assert.equal(describeTask(TWICE, "value:3"), "the value of q");
  assert.equal(describeTask(TWICE, "local:4:1"), "∂r/∂var");
  assert.equal(describeTask(TWICE, "local:5:1"), "∂(q + r)/∂r"); // not ∂f/∂r, the gradient
});
