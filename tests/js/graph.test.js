// Unit tests of the graph page's pure modules: the step plan and what each step shows, and the
// chain-rule text with its numbers. The graphs are the API's answers, copied from
// compute_graph in app/engine/expr/graph.py.
import assert from "node:assert/strict";
import { test } from "node:test";

import { plan, usesOf, viewAt } from "../../static/js/pages/graph/steps.js";
import { backwardText, forwardText, localLines, stepText } from "../../static/js/pages/graph/text.js";
import { symbols } from "../../static/js/pages/graph/words.js";
import { variablesOf } from "../../static/js/pages/graph/vars.js";
import { CS231N } from "./graph-fixtures.js";

/** x * x at 3: one variable, two edges into one node. */
const XX = {
  output: 9.0,
  output_id: 1,
  nodes: [
    { id: 0, op: "var", label: "x", inputs: [], value: 3.0, grad: 6.0, local: [] },
    { id: 1, op: "mul", label: "*", inputs: [0, 0], value: 9.0, grad: 1.0, local: [3.0, 3.0] },
  ],
  forward_order: [0, 1],
  backward_order: [1, 0],
  gradients: { x: 6.0 },
  exact: { x: 6.0 },
  numeric: { x: 6.000000000039306 },
  nonfinite: 0,
  expand: false,
  h: 1e-5,
};

test("the plan: start, each node forward, the seed, each node backward", () => {
  const steps = plan(CS231N);
  assert.deepEqual(
    steps.map((s) => (s.kind === "start" ? "start" : `${s.kind} ${s.node}`)),
    ["start", "forward 0", "forward 1", "forward 2", "forward 3", "forward 4", "seed 4"].concat([
      "backward 3",
      "backward 2",
      "backward 1",
      "backward 0",
    ]),
  );
});

test("a view knows the values filled in, the gradients done and the edges used", () => {
  const steps = plan(CS231N);
  const blank = viewAt(CS231N, steps, 0);
  assert.equal(blank.values.size + blank.grads.size + blank.edges.size, 0);
  const mid = viewAt(CS231N, steps, 7); // forward done, seed, q's gradient
  assert.deepEqual([...mid.values].sort(), [0, 1, 2, 3, 4]);
  assert.deepEqual([...mid.grads], [4, 3]);
  assert.deepEqual([...mid.edges], ["4:0"]); // f = q * z: the edge from q
  assert.deepEqual([...mid.active], ["4:0"]);
  const end = viewAt(CS231N, steps, 99); // clamped to the last step
  assert.equal(end.done, true);
  assert.equal(end.edges.size, 4);
  assert.deepEqual(viewAt(CS231N, steps, 4).active, new Set(["3:0", "3:1"])); // q reads x and y
});

test("forward and chain-rule steps with the numbers plugged in", () => {
  const syms = symbols(CS231N);
  assert.deepEqual(syms, ["x", "y", "z", "q", "f"]);
  const [x, , , q, f] = CS231N.nodes;
  assert.equal(forwardText(CS231N, q, syms), "q = x + y = −2 + 5 = 3");
  assert.equal(forwardText(CS231N, f, syms), "f = q · z = 3 · (−4) = −12");
  assert.deepEqual(localLines(CS231N, f, syms), ["∂(q · z)/∂q = z = −4", "∂(q · z)/∂z = q = 3"]);
  assert.deepEqual(backwardText(CS231N, q, syms).lines, [
    "∂f/∂q = ∂f/∂f · ∂(q · z)/∂q",
    "= 1 · z",
    "= 1 · (−4)",
    "= −4",
  ]);
  assert.equal(backwardText(CS231N, x, syms).lines.join(" "), "∂f/∂x = ∂f/∂q · ∂q/∂x = −4 · 1 = −4");
  assert.match(backwardText(CS231N, f, syms).lines[0], /^∂f\/∂f = 1 \(the seed/);
  assert.equal(
    stepText(CS231N, { kind: "seed", node: 4 }, syms),
    "seed: ∂f/∂f = 1, the backward pass starts at the output",
  );
});

test("a node used twice: its gradient is the sum over both edges", () => {
  const syms = symbols(XX);
  const b = backwardText(XX, XX.nodes[0], syms, {}, 6, usesOf(XX));
  assert.equal(b.uses, 2);
  assert.deepEqual(b.lines, [
    "∂f/∂x = ∂f/∂f · ∂(x · x)/∂(left x) + ∂f/∂f · ∂(x · x)/∂(right x)",
    "= 1 · x + 1 · x",
    "= 1 · 3 + 1 · 3",
    "= 6",
  ]);
});

test("a function's local derivative comes from the engine's rule", () => {
  const g = {
    ...XX,
    nodes: [XX.nodes[0], { id: 1, op: "sin", label: "sin", inputs: [0], value: 0.14112, grad: 1, local: [-0.98999] }],
  };
  assert.deepEqual(localLines(g, g.nodes[1], symbols(g), { sin: "cos(u)*du" }), ["∂sin(x)/∂x = cos(x) = −0.98999"]);
});

test("a program's variables: the names it reads before assigning them", () => {
  const reserved = new Set(["exp", "tanh", "pi", "e"]);
  assert.deepEqual(variablesOf("q = x + y\nf = q * z", reserved), ["x", "y", "z"]);
  assert.deepEqual(variablesOf("1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))", reserved), ["w0", "x0", "w1", "x1", "w2"]);
  assert.deepEqual(variablesOf("a += x; b = 2e-3 * pi; a * b", reserved), ["a", "x"]);
  assert.deepEqual(variablesOf("x1 = 1.0\nh = tanh(w*x1)", reserved), ["w"]);
  assert.deepEqual(variablesOf("import os", reserved), ["os"]); // a keyword is never a variable
  assert.deepEqual(variablesOf("lambda x: x if x else y", reserved), ["x", "y"]);
});

test("the local partial is never written as the gradient: the output by its operation, two edges by side", () => {
  const syms = symbols(XX);
  assert.deepEqual(localLines(XX, XX.nodes[1], syms), ["∂(x · x)/∂(left x) = x = 3", "∂(x · x)/∂(right x) = x = 3"]);
  assert.deepEqual(localLines(CS231N, CS231N.nodes[3], symbols(CS231N)), ["∂q/∂x = 1", "∂q/∂y = 1"]);
  for (const g of [XX, CS231N]) {
    for (const n of g.nodes) {
      const [chain] = backwardText(g, n, symbols(g)).lines;
      const [lhs, rhs] = chain.split(" = ");
      assert.ok(!rhs.includes(lhs), chain);
    }
  }
});
