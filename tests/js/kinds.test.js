// Unit tests of the modules that turn /meta's records into page decisions: the training stack
// (init by the activation's record, softmax by what the loss expects), the colours by index, and
// the Network page's stack carrying a trained layer's own tensors.
import assert from "node:assert/strict";
import { test } from "node:test";

import { PALETTE, paletteColor } from "../../static/js/kit/colors.js";
import { expectsOf } from "../../static/js/kit/kinds.js";
import { apiLayers as networkLayers, decode, encode } from "../../static/js/pages/network/stack.js";
import { trainedLayers } from "../../static/js/pages/train/exports.js";
import { apiLayers, outputs } from "../../static/js/pages/train/stack.js";

const META = {
  losses: [
    { name: "cross_entropy", expects: "probabilities" },
    { name: "huber", expects: "values" },
  ],
};

test("what a loss expects comes from its record", () => {
  assert.equal(expectsOf(META, "cross_entropy"), "probabilities");
  assert.equal(expectsOf(META, "huber"), "values");
});

test("the training stack reads the records, not the names", () => {
  const hidden = [{ width: 3, act: "mish" }];
  const inits = { mish: "he", tanh: "xavier" };
  const layers = apiLayers(hidden, 2, "softmax", 1, inits);
  assert.deepEqual(
    layers.map((l) => l.type),
    ["affine", "mish", "affine", "softmax"],
  );
  assert.equal(/** @type {any} */ (layers[0]).init, "he");
  assert.equal(apiLayers(hidden, 1, null, 1, inits).at(-1)?.type, "affine");
  assert.equal(outputs({ classes: 2, regression: false }, "values"), 1); // -1/+1 on one output
  assert.equal(outputs({ classes: 2, regression: false }, "logits"), 2);
});

test("colours go by index and wrap", () => {
  assert.equal(paletteColor(0), PALETTE[0]);
  assert.equal(paletteColor(PALETTE.length + 2), PALETTE[2]);
});

test("a trained layer's own tensors travel through the URL's stack", () => {
  const bn = { type: "batchnorm", gamma: [1, 2], running_mean: [0.5, 0], training: false };
  const presets = /** @type {any} */ ({ train: { name: "train", layers: [{ type: "affine", W: [[1]], b: [0] }, bn] } });
  const stack = decode("affine:=train.0~batchnorm:=train.1~relu", presets, ["he"]);
  assert.equal(encode(stack), "affine:=train.0~batchnorm:=train.1~relu");
  const api = networkLayers(stack, 1);
  assert.deepEqual(api[1], bn);
  assert.deepEqual(api[2], { type: "relu" });
  // a reference that no longer resolves to a layer of that type keeps the type alone
  assert.deepEqual(networkLayers(decode("softmax:=train.1", presets, ["he"]), 1)[0], { type: "softmax" });
});

test("the trained stack sends a batch layer in evaluation mode, with its statistics", () => {
  const layers = /** @type {any[]} */ ([{ type: "affine", out: 2, seed: 0 }, { type: "batchnorm" }, { type: "relu" }]);
  const params = /** @type {any[]} */ ([
    { index: 0, W: [[1, 2]], b: [0, 1] },
    { index: 1, gamma: [1, 1], beta: [0, 0], running_mean: [0.5, 0.1], running_var: [2, 3] },
  ]);
  const out = trainedLayers(layers, params, new Set(["batchnorm"]));
  assert.deepEqual(out[0], { type: "affine", W: [[1, 2]], b: [0, 1] });
  assert.deepEqual(out[1], {
    type: "batchnorm",
    gamma: [1, 1],
    beta: [0, 0],
    running_mean: [0.5, 0.1],
    running_var: [2, 3],
    training: false,
  });
  assert.deepEqual(out[2], { type: "relu" });
});
