// Step mode: the forward pass one layer at a time, then the loss and its seed gradient, then the
// backward pass one layer at a time, each step written out as the chain rule with the numbers of
// the selected cell.
import { num } from "../../kit/format.js";
import { targetRows } from "./result.js";

/** @typedef {import("./result.js").Result} Result */
/** @typedef {import("../../types/kit").Meta} Meta */
/** @typedef {import("./graph.js").Selection} Selection */
/**
 * One equation of a step: `name` the entry it gives ("dW[1,2]"), `value` what its written terms
 * add up to (computed here from the run's tensors), `api` the entry as the API computed it.
 * @typedef {{name: string, text: string, value: number, api: number}} Eq
 */
/**
 * @typedef {{sel: Selection, phase: "forward" | "loss" | "backward", head: string, eqs: Eq[]}} Step
 */
/**
 * The selected cell: sample row `n`, input column `k`, output column `j`; every tensor reads the
 * indices it has, clamped to its shape.
 * @typedef {{n: number, k: number, j: number}} Cell
 */

/** Sums of more terms than this are written as their first few, then "… (N terms)". */
export const SHOWN_TERMS = 4;

/** @param {unknown} v */
const at = (v) => (typeof v === "number" ? v : NaN);
/** A factor of a product: negatives in parentheses. @param {number} v */
const f = (v) => (v < 0 ? `(${num(v, 5)})` : num(v, 5));
/** A total. @param {number} v */
const total = (v) => num(v, 10);
/** @param {number} i @param {number} size */
const clamp = (i, size) => Math.max(0, Math.min(i, size - 1));

/**
 * The terms of a sum written out: all of them if few, else the first ones and the count.
 * @param {string[]} terms
 */
export function sumText(terms) {
  if (terms.length <= SHOWN_TERMS) return terms.join(" + ");
  return `${terms.slice(0, SHOWN_TERMS - 1).join(" + ")} + … (${terms.length} terms)`;
}

/** @param {number} x */
const sigma = (x) => 1 / (1 + Math.exp(-x));

/**
 * A row's shifted exponentials e^(v − max) and their sum: softmax(v)_j = ex[j] / sum.
 * @param {number[]} row
 */
const shiftedExp = (row) => {
  const top = Math.max(...row);
  const ex = row.map((v) => Math.exp(v - top));
  return { ex, sum: ex.reduce((a, b) => a + b, 0) };
};

/**
 * f′(x) of each activation from its formula (meta's LaTeX), with the numbers: [value, text].
 * `x` is the layer's input, `y` its output, `alpha` its parameter.
 * @type {Record<string, (x: number, y: number, alpha: number) => [number, string]>}
 */
const DERIVATIVES = {
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
 * Every step of one run: n forward, the loss, n backward, written with the numbers of `cell`.
 * @param {Result} r
 * @param {{x: number[][], targets: number[] | number[][]}} data
 * @param {string} loss
 * @param {Cell} cell
 * @param {Meta} [m] for the activations' alpha
 * @returns {Step[]}
 */
export function stepsOf(r, data, loss, cell, m) {
  const n = r.forward.length;
  const N = data.x.length;
  const row = clamp(cell.n, N);
  /** @param {number} i */
  const inputOf = (i) => /** @type {(number | null)[][]} */ (i === 0 ? data.x : r.forward[i - 1].output);
  /** @param {number} i */
  const outputOf = (i) => /** @type {(number | null)[][]} */ (r.forward[i].output);
  const seed = /** @type {(number | null)[][]} */ (r.seed ?? []);
  /** ∂L/∂(output of layer i): the next layer's grad_input, or the loss's seed. @param {number} i */
  const dyOf = (i) => /** @type {(number | null)[][]} */ (i + 1 < n ? r.backward[i + 1].grad_input : seed);
  const width = (/** @type {(number | null)[][]} */ t) => t[0]?.length ?? 1;
  const alpha = (/** @type {string} */ type) => m?.activations.find((a) => a.name === type)?.alpha ?? 0;

  /** @type {Step[]} */
  const steps = [];
  for (let i = 0; i < n; i++) {
    const type = r.forward[i].type;
    const x = inputOf(i);
    const y = outputOf(i);
    const j = clamp(cell.j, width(y));
    const out = at(y[row]?.[j]);
    const p = r.params.find((q) => q.index === i);
    const sel = /** @type {Selection} */ ({ kind: "layer", index: i });
    const head = `forward, layer ${i} (${type})`;
    const name = `y[${row},${j}]`;
    /** @type {Eq} */
    let eq;
    if (type === "affine" && p) {
      const W = /** @type {(number | null)[][]} */ (p.W);
      const xs = (x[row] ?? []).map(at);
      const ws = xs.map((_, k) => at(W[k]?.[j]));
      const b = at(p.b[j]);
      const value = xs.reduce((s, v, k) => s + v * ws[k], 0) + b;
      const terms = xs.map((v, k) => `${f(v)}·${f(ws[k])}`);
      const text = `${name} = Σ_k x[${row},k] W[k,${j}] + b[${j}] = ${sumText(terms)} + ${f(b)} = ${total(value)}`;
      eq = { name, text, value, api: out };
    } else if (type === "softmax") {
      const { ex, sum } = shiftedExp((x[row] ?? []).map(at));
      const value = ex[j] / sum;
      const text =
        `${name} = e^(x[${row},${j}] − max) / Σ_k e^(x[${row},k] − max) = ${num(ex[j], 6)} / ` +
        `(${sumText(ex.map((v) => num(v, 5)))}) = ${total(value)}`;
      eq = { name, text, value, api: out };
    } else {
      const text = `${name} = ${type}(x[${row},${j}]) = ${type}(${num(at(x[row]?.[j]), 8)}) = ${total(out)}`;
      eq = { name, text, value: out, api: out };
    }
    steps.push({ sel, phase: "forward", head, eqs: [eq] });
  }

  // The loss and the seed it hands back: ∂L/∂y of the last output (∂L/∂z of the fused loss's logits).
  const y = outputOf(n - 1);
  const j = clamp(cell.j, width(y));
  const yv = at(y[row]?.[j]);
  const t = at(targetRows(data.targets, width(y))[row]?.[j]);
  /** @type {[number, string]} the seed's value and its formula with the numbers */
  let seedOf;
  if (loss === "softmax_cross_entropy") {
    const { ex, sum } = shiftedExp((y[row] ?? []).map(at));
    const p = ex[j] / sum;
    const value = (p - t) / N;
    seedOf = [
      value,
      `∂L/∂z[${row},${j}] = (softmax(z)[${row},${j}] − t[${row},${j}]) / N = (${num(p, 8)} − ${num(t, 5)}) / ${N} = ${total(value)}`,
    ];
  } else if (loss === "cross_entropy") {
    const value = t === 0 ? 0 : -t / (N * yv);
    seedOf = [value, `∂L/∂y[${row},${j}] = −t / (N·y) = −${num(t, 5)} / (${N}·${num(yv, 8)}) = ${total(value)}`];
  } else {
    const value = (yv - t) / N;
    seedOf = [value, `∂L/∂y[${row},${j}] = (y − t) / N = (${num(yv, 8)} − ${f(t)}) / ${N} = ${total(value)}`];
  }
  const [seedValue, seedText] = seedOf;
  steps.push({
    sel: { kind: "loss" },
    phase: "loss",
    head: `loss: L = ${num(r.loss, 10)}; the seed leaving it`,
    eqs: [{ name: `seed[${row},${j}]`, text: seedText, value: seedValue, api: at(seed[row]?.[j]) }],
  });

  for (let i = n - 1; i >= 0; i--) {
    const type = r.forward[i].type;
    const b = r.backward[i];
    const x = inputOf(i);
    const y = outputOf(i);
    const dy = dyOf(i);
    const dx = /** @type {(number | null)[][]} */ (b.grad_input);
    const p = r.params.find((q) => q.index === i);
    const sel = /** @type {Selection} */ ({ kind: "layer", index: i });
    const head = `backward, layer ${i} (${type})`;
    const j = clamp(cell.j, width(y));
    /** @type {Eq[]} */
    let eqs;
    if (type === "affine" && p && b.grads?.W && b.grads.b) {
      const W = /** @type {(number | null)[][]} */ (p.W);
      const k = clamp(cell.k, width(x));
      const dys = (dy[row] ?? []).map(at);
      const dxv = dys.reduce((s, v, c) => s + v * at(W[k]?.[c]), 0);
      const col = (/** @type {(number | null)[][]} */ t, /** @type {number} */ c) => t.map((r0) => at(r0[c]));
      const xk = col(x, k);
      const dyj = col(dy, j);
      const dW = xk.reduce((s, v, q) => s + v * dyj[q], 0);
      const db = dyj.reduce((s, v) => s + v, 0);
      const gW = /** @type {(number | null)[][]} */ (b.grads.W);
      const gb = /** @type {(number | null)[]} */ (b.grads.b);
      eqs = [
        {
          name: `dx[${row},${k}]`,
          text: `dx[${row},${k}] = Σ_j dy[${row},j] W[${k},j] = ${sumText(dys.map((v, c) => `${f(v)}·${f(at(W[k]?.[c]))}`))} = ${total(dxv)}`,
          value: dxv,
          api: at(dx[row]?.[k]),
        },
        {
          name: `dW[${k},${j}]`,
          text: `dW[${k},${j}] = Σ_n x[n,${k}] dy[n,${j}] = ${sumText(xk.map((v, q) => `${f(v)}·${f(dyj[q])}`))} = ${total(dW)}`,
          value: dW,
          api: at(gW[k]?.[j]),
        },
        {
          name: `db[${j}]`,
          text: `db[${j}] = Σ_n dy[n,${j}] = ${sumText(dyj.map(f))} = ${total(db)}`,
          value: db,
          api: at(gb[j]),
        },
      ];
    } else if (type === "softmax") {
      const ys = (y[row] ?? []).map(at);
      const dys = (dy[row] ?? []).map(at);
      const s = ys.reduce((a, v, c) => a + dys[c] * v, 0);
      const value = ys[j] * (dys[j] - s);
      eqs = [
        {
          name: `dx[${row},${j}]`,
          text:
            `dx[${row},${j}] = y_j (dy_j − Σ_k dy_k y_k), Σ_k dy_k y_k = ` +
            `${sumText(dys.map((v, c) => `${f(v)}·${f(ys[c])}`))} = ${num(s, 8)}: ` +
            `dx = ${f(ys[j])}·(${f(dys[j])} − ${f(s)}) = ${total(value)}`,
          value,
          api: at(dx[row]?.[j]),
        },
      ];
    } else {
      const xv = at(x[row]?.[j]);
      const yv = at(y[row]?.[j]);
      const dyv = at(dy[row]?.[j]);
      const api = at(dx[row]?.[j]);
      const known = DERIVATIVES[type];
      // An activation this page has no formula for: f′ as the API's dx / dy.
      const [d, dText] = known ? known(xv, yv, alpha(type)) : [api / dyv, `f′ = dx / dy = ${num(api / dyv, 8)}`];
      const value = dyv * d;
      eqs = [
        {
          name: `dx[${row},${j}]`,
          text: `dx[${row},${j}] = dy[${row},${j}] · f′(x[${row},${j}]), ${dText}: dx = ${f(dyv)}·${f(d)} = ${total(value)}`,
          value,
          api,
        },
      ];
    }
    steps.push({ sel, phase: "backward", head, eqs });
  }
  return steps;
}
