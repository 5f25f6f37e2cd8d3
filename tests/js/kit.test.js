// Unit tests of the page kit's pure modules, run by Node's own test runner (`node --test`).
import assert from "node:assert/strict";
import { test } from "node:test";

import { interp, kinkAt, nearest } from "../../static/js/kit/curves.js";
import { as2d, extent, num, sci, shapeText, texNumber } from "../../static/js/kit/format.js";
import {
  HOST_KEYS,
  UrlState,
  bool,
  keyed,
  num as numProp,
  nums,
  oneOf,
  optNum,
  str,
  suffixed,
  words,
} from "../../static/js/kit/state.js";
import { decode, encode, fromPreset, widths } from "../../static/js/pages/network/stack.js";

const spec = () =>
  new UrlState({
    expr: str("x**2"),
    x0: numProp(1),
    steps: numProp(10, { min: 1, integer: true }),
    method: oneOf("central", ["central", "forward"]),
    on: bool(true),
    start: nums([0, 0], { length: 2 }),
    act: words(["relu"], ["relu", "tanh"]),
    eps: optNum(),
    alpha: suffixed("_alpha"),
    hp: keyed(["momentum", "rho"]),
  });

test("state round-trips through the query string as a whole", () => {
  const s = spec();
  const state = s.read(
    "?expr=sin(x)&x0=-2.5&steps=7&method=forward&on=0&start=1,2&act=tanh,relu&eps=1e-8" +
      "&leaky_relu_alpha=0.2&momentum=0.5",
  );
  assert.deepEqual(state, {
    expr: "sin(x)",
    x0: -2.5,
    steps: 7,
    method: "forward",
    on: false,
    start: [1, 2],
    act: ["tanh", "relu"],
    eps: 1e-8,
    alpha: { leaky_relu: 0.2 },
    hp: { momentum: 0.5 },
  });
  assert.deepEqual(s.read(`?${s.query(state)}`), state);
  // Every declared field is written, in the declared order; unset optional ones are left out.
  assert.equal(s.query(s.read("")), "expr=x**2&x0=1&steps=10&method=central&on=1&start=0%2C0&act=relu");
});

test("values that do not parse fall back to their defaults", () => {
  const state = spec().read("?x0=abc&steps=2.5&method=sideways&on=maybe&start=1&act=nope&eps=&momentum=x");
  assert.deepEqual(state, { ...spec().read(""), act: [] });
  const defaults = spec().read("");
  defaults.start.push(9); // a default array is a fresh copy each time
  assert.deepEqual(spec().read("").start, [0, 0]);
});

test("numbers for people", () => {
  assert.equal(sci(3.2e-4, 1), "3.2e-4");
  assert.equal(sci(null), "—");
  assert.equal(num(2.0000000000131024, 15), "2.0000000000131");
  assert.equal(num(1e-9, 3), "1.00e-9");
  assert.equal(texNumber(-1e-7), "(-1 \\times 10^{-7})");
  assert.deepEqual(as2d([1, 2]), [[1, 2]]);
  assert.equal(
    shapeText([
      [1, 2, 3],
      [4, 5, 6],
    ]),
    "(2 × 3)",
  );
  assert.deepEqual(
    extent([
      [3, null],
      [-1, 2],
    ]),
    [-1, 3],
  );
});

test("a kink is told from steep smooth ground", () => {
  const xs = Array.from({ length: 801 }, (_, i) => -5 + i * 0.0125);
  const sign = xs.map((x) => Math.sign(x)); // |x|'
  assert.deepEqual(kinkAt(xs, sign, 0), { left: -1, right: 1 });
  assert.equal(
    kinkAt(
      xs,
      xs.map((x) => 2 * x),
      0,
    ),
    null,
  ); // (x²)' is smooth
  assert.equal(
    kinkAt(
      xs,
      xs.map((x) => 50 * Math.cosh(50 * x) ** -2),
      0.3,
    ),
    null,
  ); // tanh(50x)'
  assert.ok(
    kinkAt(
      xs,
      xs.map((x) => (x > 1.23 ? 1 : 0) + 2 * x),
      1.23,
    ),
  ); // relu(x - 1.23) + x²
  assert.equal(nearest(xs, 0.006), 400);
  const y =
    interp(
      xs,
      xs.map((x) => 2 * x),
      0.00625,
    ) ?? NaN;
  assert.ok(Math.abs(y - 0.0125) < 1e-12);
});

test("the layer stack round-trips through its URL text", () => {
  const preset = {
    name: "toy",
    title: "",
    x: [[1, 2]],
    targets: [0],
    loss: "mse",
    layers: [
      {
        type: "affine",
        W: [
          [1, 2, 3],
          [4, 5, 6],
        ],
        b: [0, 0, 0],
      },
      { type: "tanh" },
      { type: "affine", out: 2, init: "xavier", seed: 3 },
    ],
  };
  const layers = fromPreset(preset);
  const text = encode(layers);
  assert.equal(text, "affine:=toy.0~tanh~affine:2:xavier:3");
  assert.deepEqual(decode(text, { toy: preset }, ["he", "xavier"]), layers);
  assert.deepEqual(widths(layers, 2), { inputs: [2, 3, 3], out: 2 });
  // Weights of a preset that is gone become a seeded layer; an unknown init the first one.
  assert.deepEqual(decode("affine:=gone.0~affine:5:magic:1", {}, ["he"]), [
    { kind: "seeded", out: 4, init: "he", seed: 0 },
    { kind: "seeded", out: 5, init: "he", seed: 1 },
  ]);
});

test("write() keeps the host's keys (a lesson's place) first and drops other strangers", () => {
  const calls = /** @type {string[]} */ ([]);
  const g = /** @type {any} */ (globalThis);
  const saved = { location: g.location, history: g.history };
  g.location = { pathname: "/lessons/chain-rule", search: "?at=3&present=1&x0=2&junk=1", hash: "" };
  g.history = {
    replaceState: (/** @type {unknown} */ _s, /** @type {string} */ _t, /** @type {string} */ url) => calls.push(url),
  };
  try {
    const s = new UrlState({ x0: numProp(1) });
    s.write({ x0: 5 });
    assert.equal(calls.pop(), "/lessons/chain-rule?x0=5"); // no host keys declared: the page's own only
    HOST_KEYS.add("at").add("present");
    s.write({ x0: 5 });
    assert.equal(calls.pop(), "/lessons/chain-rule?at=3&present=1&x0=5");
  } finally {
    HOST_KEYS.clear();
    Object.assign(g, saved);
  }
});
