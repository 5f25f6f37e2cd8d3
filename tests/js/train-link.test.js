// The training page's link: what of the trained state fits it, and reading it back.
import assert from "node:assert/strict";
import { test } from "node:test";

import { linkNote, linkText, readLink } from "../../static/js/pages/train/link.js";

const resume = (/** @type {number} */ n) => ({
  params: [{ index: 0, W: [Array.from({ length: n }, (_, i) => i / 3)], b: [0.1] }],
  optimizer_state: { m: [[Array.from({ length: n }, () => 1 / 7)], [0]] },
  epoch: 12,
  step: 120,
});

test("the whole state goes in the link when it fits, exactly", () => {
  const r = resume(4);
  const { text, kept } = linkText(/** @type {any} */ (r));
  assert.equal(kept, "all");
  assert.deepEqual(readLink(text), r); // every digit back: a resume bit for bit
});

test("too large: the weights alone, then nothing, and the note says which", () => {
  const r = /** @type {any} */ (resume(200));
  const all = encodeURIComponent(JSON.stringify(r)).length;
  const weights = linkText(r, all - 1);
  assert.equal(weights.kept, "weights");
  assert.deepEqual(readLink(weights.text)?.optimizer_state, {});
  assert.equal(linkText(r, 10).kept, "none");
  assert.match(linkNote("none", 12), /reopens untrained \(epoch 0\)/);
  assert.match(linkNote("weights", 12), /restarts the optimizer/);
  assert.equal(linkNote("all", 12), "");
  assert.equal(linkNote("none", 0), ""); // nothing trained: nothing to say
});

test("a damaged or empty R opens untrained", () => {
  assert.equal(readLink(""), null);
  assert.equal(readLink("{not json"), null);
  assert.equal(readLink(JSON.stringify({ params: [], epoch: 0, step: 0, optimizer_state: {} })), null);
  assert.equal(readLink(JSON.stringify({ params: "x", epoch: 3, step: 1, optimizer_state: {} })), null);
});
