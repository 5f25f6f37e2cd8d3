// The training page's shortcuts: which key does what, and none while typing.
import assert from "node:assert/strict";
import { test } from "node:test";

import { actionOf } from "../../static/js/pages/train/keys.js";

const body = { tagName: "BODY" };

test("Space or k play/pause, → or s one epoch, Home or r reset", () => {
  assert.equal(actionOf({ key: " " }, body), "toggle");
  assert.equal(actionOf({ key: "k" }, null), "toggle");
  assert.equal(actionOf({ key: "ArrowRight" }, body), "step");
  assert.equal(actionOf({ key: "s" }, body), "step");
  assert.equal(actionOf({ key: "Home" }, body), "reset");
  assert.equal(actionOf({ key: "r" }, body), "reset");
  assert.equal(actionOf({ key: "x" }, body), null);
});

test("no shortcut while typing, with a modifier, or Space on a focused button", () => {
  for (const tagName of ["INPUT", "SELECT", "TEXTAREA"]) assert.equal(actionOf({ key: "s" }, { tagName }), null);
  assert.equal(actionOf({ key: "r" }, { tagName: "DIV", isContentEditable: true }), null);
  assert.equal(actionOf({ key: "r", ctrlKey: true }, body), null); // reload stays the browser's
  assert.equal(actionOf({ key: " " }, { tagName: "BUTTON" }), null);
  assert.equal(actionOf({ key: "s" }, { tagName: "BUTTON" }), "step");
});
