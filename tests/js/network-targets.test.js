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
