// Unit tests of the "write the backward" exercise's pure parts (static/js/pages/network/exercise.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import { UrlState } from "../../static/js/kit/state.js";
import {
  EXERCISE_STATE,
  cellGrid,
  headline,
  namesText,
  pickTarget,
  targetKey,
  targetsOf,
} from "../../static/js/pages/network/exercise.js";

/** The contract's example network's backward list, as /network/run answers it (values left out). */
const BACKWARD = [
  { index: 0, type: "affine", grads: { W: [], b: [] } },
  { index: 1, type: "sigmoid" },
  { index: 2, type: "affine", grads: { W: [], b: [] } },
  { index: 3, type: "softmax" },
];

test("targets run from the seed back to the first layer", () => {
  const targets = targetsOf(BACKWARD, "cross_entropy");
  assert.deepEqual(targets.map(targetKey), ["4:seed", "3:x", "2:W", "2:b", "2:x", "1:x", "0:W", "0:b", "0:x"]);
  assert.equal(targets[0].label, "loss (cross_entropy): dL/dy, the seed");
  assert.equal(targets[2].label, "layer 2 (affine): dW");
});

test("a URL's target is found, or the seed is taken", () => {
  const targets = targetsOf(BACKWARD, "cross_entropy");
  assert.equal(pickTarget("0:W", targets).label, "layer 0 (affine): dW");
  assert.equal(pickTarget("7:W", targets).tensor, "seed");
  assert.equal(pickTarget("", targets).tensor, "seed");
});

test("wrong cells as a 0/1 grid, a vector as one row", () => {
  assert.deepEqual(
    cellGrid([
      [false, true],
      [true, true],
    ]),
    [
      [0, 1],
      [1, 1],
    ],
  );
  assert.deepEqual(cellGrid([true, false, false]), [[1, 0, 0]]);
});

/** @param {Partial<import("../../static/js/pages/network/exercise.js").Judged>} r */
const judged = (r) =>
  /** @type {import("../../static/js/pages/network/exercise.js").Judged} */ ({
    verdict: "wrong",
    shape: [2, 4],
    expected_shape: [2, 4],
    max_abs_diff: 0.25,
    wrong_cells: null,
    diagnosis: null,
    hint: "",
    names: {},
    ...r,
  });

test("headlines say the verdict with its numbers", () => {
  assert.equal(headline(judged({ verdict: "exact", max_abs_diff: 0 })), "Exact: every entry matches bit for bit.");
  assert.equal(
    headline(judged({ verdict: "close", max_abs_diff: 1.1e-16 })),
    "Close: right up to rounding (max |difference| 1.1e-16).",
  );
  assert.equal(
    headline(judged({ verdict: "shape", shape: [4, 2], max_abs_diff: null })),
    "Wrong shape: yours is 4×2, the gradient is 2×4.",
  );
  const cells = [
    [true, false, false, false],
    [false, false, true, false],
  ];
  assert.equal(headline(judged({ wrong_cells: cells })), "Wrong: 2 of 8 entries (max |difference| 0.25).");
  assert.equal(
    headline(judged({ wrong_cells: [true, true], max_abs_diff: null })),
    "Wrong: 2 of 2 entries (not finite).",
  );
});

test("names with their shapes", () => {
  assert.equal(namesText({ x: [2, 2], b: [4], N: [] }), "x 2×2, b 4, N (scalar)");
});

test("the exercise's state round-trips through the URL (a teacher's link)", () => {
  const S = new UrlState(EXERCISE_STATE);
  const state = { bw: "0:W", bwa: "x.T @ dy", bwfix: true, bwshow: false };
  const q = S.query(state);
  assert.equal(q, "bw=0%3AW&bwa=x.T+%40+dy&bwfix=1&bwshow=0");
  assert.deepEqual(S.read(`?${q}`), state);
  assert.deepEqual(S.read(""), { bw: "", bwa: "", bwfix: false, bwshow: true });
});
