// One palette for the whole app: the diverging scale for values and gradients, fixed colours per
// curve and per optimizer, so the same thing has the same colour on every page.

// TensorFlow Playground's orange (negative) / near-white (0) / blue (positive), centred at 0.
export const DIVERGING = [
  [0.0, "#b35806"],
  [0.2, "#f59322"],
  [0.5, "#f0f1f2"],
  [0.8, "#3b93cf"],
  [1.0, "#064f80"],
];

export const CURVE = {
  f: "#1e293b",          // the function itself
  dfExact: "#0b7a75",    // analytic / exact derivative
  dfNumeric: "#d81b60",  // numerical (finite-difference) derivative
  backward: "#7c3aed",   // upstream * f'
  tangent: "#e4572e",    // tangent line at x0
  point: "#e4572e",
};

export const METHOD = { central: "#0b7a75", forward: "#d81b60", backward: "#7c3aed" };

export const OPTIMIZER = {
  sgd: "#e4572e",
  momentum: "#2d2a9e",
  nesterov: "#0b7a75",
  adagrad: "#8a6d00",
  rmsprop: "#7c3aed",
  adam: "#d81b60",
};

// A distinct colour per activation when several are overlaid (function drawn solid, f' dashed).
export const ACTIVATION = {
  relu: "#e4572e", sigmoid: "#2d2a9e", tanh: "#0b7a75", leaky_relu: "#8a6d00",
  elu: "#7c3aed", softplus: "#d81b60", gelu: "#1e293b", identity: "#64748b",
};
const EXTRA = ["#2a9d8f", "#9c6644", "#6d597a", "#264653"];
export function activationColor(name, i = 0) {
  return ACTIVATION[name] || EXTRA[i % EXTRA.length];
}

// The two passes of a computational graph: values going forward, gradients coming back.
export const PASS = { forward: "#15803d", backward: CURVE.backward };

/** The DIVERGING colour of `v` on a scale symmetric about 0 reaching ±`vmax`. */
export function divergingColor(v, vmax) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "#ffffff";
  const t = vmax > 0 ? Math.max(0, Math.min(1, 0.5 + 0.5 * (v / vmax))) : 0.5;
  let i = 1;
  while (i < DIVERGING.length - 1 && DIVERGING[i][0] < t) i++;
  const [t0, c0] = DIVERGING[i - 1], [t1, c1] = DIVERGING[i];
  const w = t1 > t0 ? (t - t0) / (t1 - t0) : 0;
  const rgb = (c) => [1, 3, 5].map((j) => parseInt(c.slice(j, j + 2), 16));
  const a = rgb(c0), b = rgb(c1);
  return `rgb(${a.map((x, j) => Math.round(x + w * (b[j] - x))).join(", ")})`;
}
