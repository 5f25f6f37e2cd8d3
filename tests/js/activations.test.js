// Unit tests of the activations page's pure parts (static/js/pages/activations/logic.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { awayFromKinks, errorCurve, takesAlpha, worstAt } from "../../static/js/pages/activations/logic.js";

test("awayFromKinks drops the points within 2h of a kink", () => {
  assert.deepEqual(awayFromKinks([-1, -1e-6, 0, 1e-6, 1], [0], 1e-5), [0, 4]);
  assert.deepEqual(awayFromKinks([-1, 0, 1], [], 1e-5), [0, 1, 2]);
});

test("worstAt finds the largest gap among the indices given", () => {
  const r = { dy: [1, 2, 3, null], dy_numeric: [1, 2.5, 3.1, 9] };
  assert.equal(worstAt(r, [0, 1, 2, 3]), 1);
  assert.equal(worstAt(r, [0, 2]), 2);
  assert.equal(worstAt(r, []), -1);
});

test("errorCurve is |analytic - numerical|, null where missing or exactly 0 (a log axis)", () => {
  assert.deepEqual(errorCurve({ dy: [1, 2, null], dy_numeric: [1, 2.5, 3] }), [null, 0.5, null]);
});

test("takesAlpha reads the record's default alpha", () => {
  const a = /** @type {any} */ ({ name: "elu", alpha: 1 });
  assert.equal(takesAlpha(a), true);
  assert.equal(takesAlpha(/** @type {any} */ ({ name: "relu", alpha: null })), false);
});
