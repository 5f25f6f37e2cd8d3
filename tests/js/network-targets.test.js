// Pasted targets: a column of whole numbers is class indices when the loss takes them.
import assert from "node:assert/strict";
import { test } from "node:test";

// data.js refuses through kit/api.js, which keeps its counter on window.
globalThis.window ??= /** @type {any} */ (globalThis);
const { parseTargets } = await import("../../static/js/pages/network/data.js");

test("a negative class index stays a class index for the server to name", () => {
  assert.deepEqual(parseTargets("0\n-1", true), [0, -1]);
  assert.deepEqual(parseTargets("0\n2"), [0, 2]);
});

test("for a loss on values a -1/+1 column stays rows", () => {
  assert.deepEqual(parseTargets("1\n-1", false), [[1], [-1]]);
  assert.deepEqual(parseTargets("0.5\n1", true), [[0.5], [1]]);
});

const { parseMatrix, shapeHint } = await import("../../static/js/pages/network/data.js");

test("a ragged row is refused at its box, its line counted from 1", () => {
  assert.throws(
    () => parseMatrix("1 2 3\n4 5\n6 7 8", "x"),
    (/** @type {any} */ e) =>
      e.items[0].loc[0] === "x" && /line 2 has 2 numbers, but line 1 has 3/.test(e.items[0].msg),
  );
  assert.throws(() => parseMatrix("1\n2 3", "targets"), /./);
  assert.deepEqual(parseMatrix("1 2; 3 4", "x"), [
    [1, 2],
    [3, 4],
  ]);
});

test("the shape hint follows the pasted x", () => {
  assert.equal(shapeHint("1 2\n3 4\n5 6"), "x is 3 × 2; ");
  assert.equal(shapeHint("1 2 7\n3 4\n5 6 8"), "x has no shape yet (see the x box); ");
  assert.equal(shapeHint(""), "x has no shape yet (see the x box); ");
});
