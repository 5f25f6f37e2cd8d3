// The lessons' progress store (static/js/lessons/progress.js), over a Map-backed storage.
import assert from "node:assert/strict";
import { test } from "node:test";

import { markSeen, progressText, readProgress } from "../../static/js/lessons/progress.js";

function memory() {
  /** @type {Map<string, string>} */
  const m = new Map();
  return {
    getItem: (/** @type {string} */ k) => m.get(k) ?? null,
    setItem: (/** @type {string} */ k, /** @type {string} */ v) => void m.set(k, v),
    m,
  };
}

test("nothing seen until a step is opened", () => {
  const s = memory();
  assert.deepEqual(readProgress(s, "chain-rule"), { seen: [], last: 0, tasks: {} });
  assert.equal(progressText(readProgress(s, "chain-rule"), 8), "");
});

test("steps seen are kept per lesson, once each, with the last one open", () => {
  const s = memory();
  markSeen(s, "chain-rule", 3);
  markSeen(s, "chain-rule", 1);
  markSeen(s, "chain-rule", 3);
  markSeen(s, "affine", 2);
  assert.deepEqual(readProgress(s, "chain-rule"), { seen: [1, 3], last: 3, tasks: {} });
  assert.equal(progressText(readProgress(s, "chain-rule"), 8), "2 of 8 steps seen");
  assert.deepEqual(readProgress(s, "affine").seen, [2]);
});

test("every step seen reads as done; steps beyond a shortened lesson do not count", () => {
  const s = memory();
  for (const k of [1, 2, 3, 9]) markSeen(s, "x", k);
  assert.equal(progressText(readProgress(s, "x"), 3), "done ✓");
  assert.equal(progressText(readProgress(s, "x"), 5), "3 of 5 steps seen");
});

test("a corrupt or foreign value reads as no progress, and a full storage is not an error", () => {
  const s = memory();
  s.m.set("bpx:lesson:x", "{not json");
  assert.deepEqual(readProgress(s, "x"), { seen: [], last: 0, tasks: {} });
  s.m.set("bpx:lesson:x", JSON.stringify({ seen: [2, "3", -1, 2.5, 2], last: "4" }));
  assert.deepEqual(readProgress(s, "x"), { seen: [2], last: 0, tasks: {} });
  const full = {
    getItem: () => null,
    setItem: () => {
      throw new Error("QuotaExceededError");
    },
  };
  assert.deepEqual(markSeen(full, "x", 1), { seen: [1], last: 1, tasks: {} });
});
