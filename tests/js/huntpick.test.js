// Unit tests of the bug hunt's pure parts: the seed and level as a teacher's link holds them, and
// how a guess's gradient reads.
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatPick, parsePick, tensorLabel } from "../../static/js/pages/network/huntpick.js";

test("a link's seed and level round-trip, and a damaged one is refused", () => {
  assert.deepEqual(parsePick("12:2"), { seed: 12, level: 2 });
  assert.equal(formatPick({ seed: 12, level: 2 }), "12:2");
  assert.deepEqual(parsePick(formatPick({ seed: 4294967295, level: 3 })), { seed: 4294967295, level: 3 });
  for (const bad of ["", "12", "12:4", "-1:1", "1.5:1", "4294967296:1", "a:b", "12:2 "])
    assert.equal(parsePick(bad), null, bad);
});

test("a guess's gradient reads as what it is", () => {
  assert.match(tensorLabel("x"), /input gradient/);
  assert.equal(tensorLabel("W"), "dW");
  assert.match(tensorLabel("seed"), /seed/);
});
