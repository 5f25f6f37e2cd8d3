// Unit tests of the descent page's pure parts (static/js/pages/descent/logic.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  cutAt,
  lowest,
  needsSymlog,
  presetOf,
  short,
  symlog,
  symlogTicks,
  warningsFor,
} from "../../static/js/pages/descent/logic.js";

/** @param {Partial<import("../../static/js/pages/descent/logic.js").Run>} r */
const run = (r) =>
  /** @type {import("../../static/js/pages/descent/logic.js").Run} */ ({
    path: [],
    values: [],
    grad_norms: [],
    final: [0, 0],
    stopped: "max_steps",
    steps_taken: 0,
    ...r,
  });
const BOX = [-1, 1, -1, 1];

test("short writes small settings in exponent form", () => {
  assert.equal(short(1e-6), "1e-6");
  assert.equal(short(0.9), "0.9");
  assert.equal(short(0), "0");
});

test("symlog keeps the sign and null", () => {
  assert.equal(symlog(9), 1);
  assert.equal(symlog(-99), -2);
  assert.equal(symlog(null), null);
});

test("cutAt keeps a run inside the view, cuts one that leaves it for good, stops at a null", () => {
  const inside = run({
    path: [
      [0, 0],
      [0.5, 0.5],
    ],
    values: [1, 0.5],
  });
  assert.equal(cutAt(inside, BOX), 2);
  const leaves = run({
    path: [
      [0, 0],
      [0.5, 0],
      [5, 0],
      [50, 0],
    ],
    values: [1, 0.5, 25, 2500],
  });
  assert.equal(cutAt(leaves, BOX), 2);
  const back = run({
    path: [
      [0, 0],
      [5, 0],
      [0.1, 0],
    ],
    values: [1, 25, 0.01],
  });
  assert.equal(cutAt(back, BOX), 3);
  const nan = run({
    path: [
      [0, 0],
      [0.1, 0],
      [0.2, 0],
    ],
    values: [1, null, 0.04],
  });
  assert.equal(cutAt(nan, BOX), 1);
});

test("lowest finds the grid's least value and says whether it is on the edge", () => {
  const g = {
    x1: [0, 1, 2],
    x2: [0, 1, 2],
    z: [
      [5, 5, 5],
      [5, 1, 5],
      [5, 5, 5],
    ],
  };
  assert.deepEqual(lowest(g), { x1: 1, x2: 1, f: 1, edge: false });
  const e = {
    x1: [0, 1, 2],
    x2: [0, 1, 2],
    z: [
      [0, 5, 5],
      [5, 1, 5],
      [5, 5, null],
    ],
  };
  assert.equal(lowest(e).edge, true);
});

test("warningsFor names an edge minimum, an unbounded fall and a divergence", () => {
  const low = { x1: 1, x2: -1, f: -3, edge: true };
  const falls = run({
    path: [
      [0, 0],
      [0, -0.9],
      [0, -9],
    ],
    values: [0, -2, -700],
    stopped: "diverged",
  });
  const w = warningsFor({ runs: { sgd: falls }, opt: ["sgd"], box: BOX, low });
  assert.match(w[0], /no minimum inside this view/);
  assert.match(w[1], /falls without bound along the path of sgd/);
  assert.match(w[2], /curves of sgd stop/);
  const calm = run({ path: [[0, 0]], values: [1] });
  assert.deepEqual(warningsFor({ runs: { sgd: calm }, opt: ["sgd"], box: BOX, low: { ...low, edge: false } }), []);
});

test("needsSymlog: a sign·log axis as soon as some run reaches f <= 0", () => {
  const up = run({ values: [3, 2, 1] });
  const down = run({ values: [3, 0, -5, null] });
  assert.equal(needsSymlog({ sgd: up }, ["sgd"]), false);
  assert.equal(needsSymlog({ sgd: up, adam: down }, ["sgd", "adam"]), true);
  assert.equal(needsSymlog({ sgd: up, adam: down }, ["sgd"]), false);
});

test("symlogTicks label the values of f, 0 and ±10^k, at most about six a side", () => {
  const t = symlogTicks(/** @type {number} */ (symlog(-1.7e13)), /** @type {number} */ (symlog(32)));
  assert.ok(t.ticktext.includes("0") && t.ticktext.includes("10") && t.ticktext.some((s) => s.startsWith("−10")));
  assert.ok(t.tickvals.length <= 16);
  assert.deepEqual(
    [...t.tickvals].sort((a, b) => a - b),
    t.tickvals,
  );
  const i = t.ticktext.indexOf("100");
  assert.equal(t.tickvals[i], symlog(100));
});

test("presetOf finds the record of a function by its expression", () => {
  const presets = [{ expr: "x1**2", minima: [] }];
  assert.equal(presetOf(presets, "x1**2"), presets[0]);
  assert.equal(presetOf(presets, "x1**2 + 0"), null);
});
