// The graph page's examples: each a program and its variables' values. presetIdOf() is pure
// (tests/js/graph-panels.test.js): the example a typed program is, or "" for the learner's own.

/** @typedef {{id: string, title: string, expr: string, values: Record<string, number>}} Preset */

const NEURON = { w0: 2, x0: -1, w1: -3, x1: -2, w2: -3 };
/** @type {Preset[]} */
export const PRESETS = [
  {
    id: "cs231n",
    title: "CS231n: f = (x + y)·z, as q = x + y; f = q·z",
    expr: "q = x + y\nf = q * z",
    values: { x: -2, y: 5, z: -4 },
  },
  {
    id: "neuron",
    title: "CS231n: the sigmoid neuron, staged",
    expr: "1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))",
    values: NEURON,
  },
  {
    id: "gate",
    title: "The same neuron as one sigmoid gate (try expand)",
    expr: "sigmoid(w0*x0 + w1*x1 + w2)",
    values: NEURON,
  },
  { id: "square", title: "The notebook's x² + 5", expr: "x**2 + 5", values: { x: 1 } },
  { id: "cubic", title: "The notebook's x1² + x2³ + 1", expr: "x1**2 + x2**3 + 1", values: { x1: 2, x2: 3 } },
  {
    id: "net",
    title: "A 2–2–1 network with named weights",
    expr: "x1 = 1.0\nx2 = -2.0\nh1 = tanh(w11*x1 + w12*x2 + b1)\nh2 = tanh(w21*x1 + w22*x2 + b2)\ny = v1*h1 + v2*h2",
    values: { w11: 0.5, w12: -0.3, b1: 0.1, w21: -0.8, w22: 0.2, b2: 0.4, v1: 1.2, v2: -0.7 },
  },
  { id: "square2", title: "x · x: one variable, two edges", expr: "x * x", values: { x: 3 } },
];

/**
 * The example whose program `expr` is, or "" (the learner's own program).
 * @param {string} expr
 * @param {Preset[]} [presets]
 */
export const presetIdOf = (expr, presets = PRESETS) => presets.find((p) => p.expr === expr)?.id ?? "";
