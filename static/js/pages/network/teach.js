// Step mode's teaching copy: each kind's formula written out with the numbers of one cell. It
// copies the engine's maths on purpose (the page shows the arithmetic, then compares its total
// with the API's entry), so tests/api/test_teaching_copy.py holds it to the records: it fails
// when a registered kind has no entry here, or when an entry disagrees with the engine on sample
// points. A kind without an entry is shown as such, never filled in from the API's own numbers.
import { num } from "../../kit/format.js";

/** A factor of a product: negatives in parentheses. @param {number} v */
const f = (v) => (v < 0 ? `(${num(v, 5)})` : num(v, 5));
/** @param {number} x */
const sigma = (x) => 1 / (1 + Math.exp(-x));
/** ln(1 + e^x) without overflow. @param {number} x */
const softplus = (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
/** @param {number[]} v */
const mean = (v) => v.reduce((a, b) => a + b, 0) / v.length;

/** @typedef {[number, string]} Worked a value and its formula written with the numbers */

/**
 * f(x) of each activation with the numbers, `alpha` its parameter.
 * @type {Record<string, (x: number, alpha: number) => Worked>}
 */
export const FORWARDS = {
  relu: (x) => [Math.max(x, 0), `relu(x) = max(${f(x)}, 0)`],
  leaky_relu: (x, a) => (x > 0 ? [x, `x as x > 0`] : [a * x, `α·x = ${f(a)}·${f(x)}`]),
  elu: (x, a) => (x > 0 ? [x, `x as x > 0`] : [a * Math.expm1(x), `α(e^x − 1) = ${f(a)}·(e^${f(x)} − 1)`]),
  sigmoid: (x) => [sigma(x), `1/(1 + e^−${f(x)})`],
  tanh: (x) => [Math.tanh(x), `tanh(${f(x)})`],
  identity: (x) => [x, `x`],
  softplus: (x) => [softplus(x), `ln(1 + e^${f(x)})`],
  silu: (x) => [x * sigma(x), `x·σ(x) = ${f(x)}·${num(sigma(x), 8)}`],
  mish: (x) => [x * Math.tanh(softplus(x)), `x·tanh(softplus x) = ${f(x)}·tanh(${num(softplus(x), 8)})`],
  softsign: (x) => [x / (1 + Math.abs(x)), `x/(1 + |x|) = ${f(x)}/(1 + ${num(Math.abs(x), 5)})`],
  gelu: (x) => {
    const u = Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3);
    return [x * sigma(2 * u), `½x(1 + tanh u) = x·σ(2u), u = ${num(u, 8)}`];
  },
};

/**
 * f′(x) of each activation with the numbers: `x` the layer's input, `y` its output.
 * @type {Record<string, (x: number, y: number, alpha: number) => Worked>}
 */
export const DERIVATIVES = {
  relu: (x) => (x > 0 ? [1, `relu′ = 1 as x = ${num(x, 5)} > 0`] : [0, `relu′ = 0 as x = ${num(x, 5)} ≤ 0`]),
  leaky_relu: (x, _y, a) =>
    x > 0 ? [1, `leaky_relu′ = 1 as x = ${num(x, 5)} > 0`] : [a, `leaky_relu′ = α = ${num(a, 5)} as x ≤ 0`],
  elu: (x, _y, a) =>
    x > 0
      ? [1, `elu′ = 1 as x = ${num(x, 5)} > 0`]
      : [a * Math.exp(x), `elu′ = α·e^x = ${f(a)}·e^${f(x)} = ${num(a * Math.exp(x), 8)}`],
  sigmoid: (_x, y) => [y * (1 - y), `σ′ = y(1 − y) = ${f(y)}·(1 − ${f(y)}) = ${num(y * (1 - y), 8)}`],
  tanh: (_x, y) => [1 - y * y, `tanh′ = 1 − y² = 1 − ${f(y)}² = ${num(1 - y * y, 8)}`],
  identity: () => [1, "identity′ = 1"],
  softplus: (x) => [sigma(x), `softplus′ = σ(x) = 1/(1 + e^−${f(x)}) = ${num(sigma(x), 8)}`],
  silu: (x) => {
    const s = sigma(x);
    const d = s * (1 + x * (1 - s));
    return [d, `silu′ = σ(x)(1 + x(1 − σ(x))) = ${f(s)}·(1 + ${f(x)}·(1 − ${f(s)})) = ${num(d, 8)}`];
  },
  mish: (x) => {
    const t = Math.tanh(softplus(x));
    const d = t + x * sigma(x) * (1 - t * t);
    return [d, `mish′ = tanh(sp) + x·σ(x)·sech²(sp), tanh(sp) = ${num(t, 8)}: ${num(d, 8)}`];
  },
  softsign: (x) => {
    const d = 1 / (1 + Math.abs(x)) ** 2;
    return [d, `softsign′ = 1/(1 + |x|)² = 1/(1 + ${num(Math.abs(x), 5)})² = ${num(d, 8)}`];
  },
  gelu: (x) => {
    const c = Math.sqrt(2 / Math.PI);
    const u = c * (x + 0.044715 * x ** 3);
    const t = Math.tanh(u);
    const d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x);
    return [d, `gelu′ = ½(1 + tanh u) + ½x·sech²u·√(2/π)(1 + 0.134145x²), u = ${num(u, 5)}: ${num(d, 8)}`];
  },
};

/**
 * The seed each loss hands back, entry [n, j], from row n of the outputs `ys` and targets `ts`.
 * @type {Record<string, (ys: number[], ts: number[], j: number, N: number, n: number) => Worked>}
 */
export const SEEDS = {
  softmax_cross_entropy: (ys, ts, j, N, n) => {
    const top = Math.max(...ys);
    const ex = ys.map((v) => Math.exp(v - top));
    const p = ex[j] / ex.reduce((a, b) => a + b, 0);
    const t = ts[j];
    const value = (p - t) / N;
    return [
      value,
      `∂L/∂z[${n},${j}] = (softmax(z)[${n},${j}] − t[${n},${j}]) / N = (${num(p, 8)} − ${num(t, 5)}) / ${N}`,
    ];
  },
  cross_entropy: (ys, ts, j, N, n) => {
    const [y, t] = [ys[j], ts[j]];
    const value = t === 0 ? 0 : -t / (N * Math.max(y, 2.2250738585072014e-308));
    return [value, `∂L/∂y[${n},${j}] = −t / (N·y) = −${num(t, 5)} / (${N}·${num(y, 8)})`];
  },
  mse: (ys, ts, j, N, n) => [
    (ys[j] - ts[j]) / N,
    `∂L/∂y[${n},${j}] = (y − t) / N = (${num(ys[j], 8)} − ${f(ts[j])}) / ${N}`,
  ],
  huber: (ys, ts, j, N, n) => {
    const d = ys[j] - ts[j];
    const c = Math.max(-1, Math.min(1, d));
    const why = Math.abs(d) <= 1 ? "|y − t| ≤ 1, so y − t" : "|y − t| > 1, so sign(y − t)";
    return [c / N, `∂L/∂y[${n},${j}] = clip(y − t, −1, 1) / N: ${why} = ${num(c, 8)}, / ${N}`];
  },
};

/**
 * @typedef {{gamma?: number[], beta?: number[], eps: number}} RowParams a row layer's parameters
 * @typedef {{forward: (xs: number[], j: number, p: RowParams) => Worked,
 *   backward: (xs: number[], dys: number[], j: number, p: RowParams) => Worked}} RowStep
 */

/** @param {number[]} xs */
const softmaxRow = (xs) => {
  const top = Math.max(...xs);
  const ex = xs.map((v) => Math.exp(v - top));
  const sum = ex.reduce((a, b) => a + b, 0);
  return ex.map((e) => e / sum);
};

/** @param {number[]} xs @param {number} eps */
const normRow = (xs, eps) => {
  const mu = mean(xs);
  const v = mean(xs.map((x) => (x - mu) ** 2));
  const inv = 1 / Math.sqrt(v + eps);
  return { mu, v, inv, xhat: xs.map((x) => (x - mu) * inv) };
};

/**
 * Layers that mix the features of a row (step "row" in /meta): entry j of a row's output and of
 * its input gradient, from the whole row.
 * @type {Record<string, RowStep>}
 */
export const ROWS = {
  softmax: {
    forward: (xs, j) => {
      const ys = softmaxRow(xs);
      return [ys[j], `e^(x_${j} − max) / Σ_k e^(x_k − max) over the row's ${xs.length} entries`];
    },
    backward: (xs, dys, j) => {
      const ys = softmaxRow(xs);
      const s = ys.reduce((a, y, c) => a + dys[c] * y, 0);
      return [
        ys[j] * (dys[j] - s),
        `y_j (dy_j − Σ_k dy_k y_k), Σ_k dy_k y_k = ${num(s, 8)}: ${f(ys[j])}·(${f(dys[j])} − ${f(s)})`,
      ];
    },
  },
  layernorm: {
    forward: (xs, j, p) => {
      const { mu, v, xhat } = normRow(xs, p.eps);
      const g = p.gamma?.[j] ?? 1;
      const b = p.beta?.[j] ?? 0;
      return [
        g * xhat[j] + b,
        `γ_j (x_j − μ)/√(σ² + ε) + β_j, μ = ${num(mu, 8)}, σ² = ${num(v, 8)} (over the row's ${xs.length} features): ${f(g)}·${f(xhat[j])} + ${f(b)}`,
      ];
    },
    backward: (xs, dys, j, p) => {
      const { inv, xhat } = normRow(xs, p.eps);
      const gs = dys.map((d, c) => d * (p.gamma?.[c] ?? 1));
      const mg = mean(gs);
      const mgx = mean(gs.map((g, c) => g * xhat[c]));
      const value = (gs[j] - mg - xhat[j] * mgx) * inv;
      return [
        value,
        `(g_j − mean g − x̂_j·mean(g x̂))/√(σ² + ε), g = dy ⊙ γ: (${f(gs[j])} − ${f(mg)} − ${f(xhat[j])}·${f(mgx)})·${num(inv, 8)}`,
      ];
    },
  },
};

/**
 * @typedef {{gamma: number, beta: number, mean: number, variance: number, eps: number,
 *   training: boolean}} ColumnParams a batch layer's parameters for one column
 * @typedef {{forward: (col: number[], n: number, p: ColumnParams) => Worked,
 *   backward: (col: number[], dcol: number[], n: number, p: ColumnParams) => Worked}} ColumnStep
 */

/**
 * Layers that mix the rows of a column (step "batch" in /meta): entry n of a column's output and
 * of its input gradient, from the whole column (every sample of the batch).
 * @type {Record<string, ColumnStep>}
 */
export const COLUMNS = {
  batchnorm: {
    forward: (col, n, p) => {
      if (!p.training) {
        const value = (p.gamma * (col[n] - p.mean)) / Math.sqrt(p.variance + p.eps) + p.beta;
        return [
          value,
          `γ (x − m)/√(v + ε) + β on the running statistics m = ${num(p.mean, 8)}, v = ${num(p.variance, 8)}: ${f(p.gamma)}·(${f(col[n])} − ${f(p.mean)})/√(${num(p.variance, 8)} + ε) + ${f(p.beta)}`,
        ];
      }
      const { mu, v, xhat } = normRow(col, p.eps);
      return [
        p.gamma * xhat[n] + p.beta,
        `γ (x − μ_B)/√(σ_B² + ε) + β over the batch: μ_B = ${num(mu, 8)}, σ_B² = ${num(v, 8)} (this column's ${col.length} samples, biased): ${f(p.gamma)}·${f(xhat[n])} + ${f(p.beta)}`,
      ];
    },
    backward: (col, dcol, n, p) => {
      if (!p.training) {
        const inv = 1 / Math.sqrt(p.variance + p.eps);
        return [dcol[n] * p.gamma * inv, `dy·γ/√(v + ε) = ${f(dcol[n])}·${f(p.gamma)}·${num(inv, 8)}`];
      }
      const { inv, xhat } = normRow(col, p.eps);
      const gs = dcol.map((d) => d * p.gamma);
      const mg = mean(gs);
      const mgx = mean(gs.map((g, q) => g * xhat[q]));
      return [
        (gs[n] - mg - xhat[n] * mgx) * inv,
        `(g_n − mean g − x̂_n·mean(g x̂))/√(σ_B² + ε), g = dy·γ, means over the batch: (${f(gs[n])} − ${f(mg)} − ${f(xhat[n])}·${f(mgx)})·${num(inv, 8)}`,
      ];
    },
  },
};
