// Step mode: the forward pass one layer at a time, then the loss and its seed gradient, then the
// backward pass one layer at a time, each step written out as the chain rule with the numbers of
// the selected cell.
import { num } from "../../kit/format.js";
import { targetRows } from "./result.js";
import { COLUMNS, DERIVATIVES, FORWARDS, ROWS, SEEDS } from "./teach.js";

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

/** Step mode's word for a kind this page has no worked formula for (a newer server). */
const missing = (/** @type {string} */ what) => `this page has no worked formula for ${what}`;
/** The ε of a layernorm step (the request's default; the page's stack does not set it). */
const EPS = 1e-5;

/**
 * Every step of one run: n forward, the loss, n backward, written with the numbers of `cell`.
 * @param {Result} r
 * @param {{x: number[][], targets: number[] | number[][]}} data
 * @param {string} loss
 * @param {Cell} cell
 * @param {Meta} [m] for the activations' alpha
 * @param {readonly {type: string, training?: boolean, eps?: number}[]} [layers] the request's
 *   layers, for a batchnorm's mode and a norm's ε
 * @returns {Step[]}
 */
export function stepsOf(r, data, loss, cell, m, layers = []) {
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
  /** A row layer's parameters from the run's params (gamma, beta) and its ε. */
  const rowParams = (/** @type {{gamma?: unknown, beta?: unknown} | undefined} */ p, /** @type {number} */ i) => ({
    gamma: Array.isArray(p?.gamma) ? p.gamma.map(at) : undefined,
    beta: Array.isArray(p?.beta) ? p.beta.map(at) : undefined,
    eps: layers[i]?.eps ?? EPS,
  });
  /** Column j of a batch layer's parameters, its mode and its ε. */
  const colParams = (/** @type {any} */ p, /** @type {number} */ i, /** @type {number} */ j) => ({
    gamma: at(p?.gamma?.[j] ?? 1),
    beta: at(p?.beta?.[j] ?? 0),
    mean: at(p?.running_mean?.[j] ?? 0),
    variance: at(p?.running_var?.[j] ?? 1),
    eps: layers[i]?.eps ?? EPS,
    training: layers[i]?.training ?? true,
  });
  const column = (/** @type {(number | null)[][]} */ t, /** @type {number} */ c) => t.map((r0) => at(r0[c]));

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
    } else if (ROWS[type]) {
      const [value, how] = ROWS[type].forward((x[row] ?? []).map(at), j, rowParams(p, i));
      eq = { name, text: `${name} = ${how} = ${total(value)}`, value, api: out };
    } else if (COLUMNS[type]) {
      const [value, how] = COLUMNS[type].forward(column(x, j), row, colParams(p, i, j));
      eq = { name, text: `${name} = ${how} = ${total(value)}`, value, api: out };
    } else if (FORWARDS[type]) {
      const [value, how] = FORWARDS[type](at(x[row]?.[j]), alpha(type));
      eq = { name, text: `${name} = ${type}(x[${row},${j}]) = ${how} = ${total(value)}`, value, api: out };
    } else {
      eq = { name, text: `${name}: ${missing(type)}`, value: NaN, api: out };
    }
    steps.push({ sel, phase: "forward", head, eqs: [eq] });
  }

  // The loss and the seed it hands back: ∂L/∂y of the last output (∂L/∂z of the fused loss's logits).
  const y = outputOf(n - 1);
  const j = clamp(cell.j, width(y));
  const ts = targetRows(data.targets, width(y))[row] ?? [];
  const [seedValue, seedText] =
    loss in SEEDS
      ? SEEDS[loss]((y[row] ?? []).map(at), ts.map(at), j, N, row)
      : [NaN, `seed[${row},${j}]: ${missing(`the ${loss} loss`)}`];
  steps.push({
    sel: { kind: "loss" },
    phase: "loss",
    head: `loss: L = ${num(r.loss, 10)}; the seed leaving it`,
    eqs: [
      {
        name: `seed[${row},${j}]`,
        text: loss in SEEDS ? `${seedText} = ${total(seedValue)}` : seedText,
        value: seedValue,
        api: at(seed[row]?.[j]),
      },
    ],
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
    } else if (ROWS[type]) {
      const [value, how] = ROWS[type].backward((x[row] ?? []).map(at), (dy[row] ?? []).map(at), j, rowParams(p, i));
      eqs = [
        { name: `dx[${row},${j}]`, text: `dx[${row},${j}] = ${how} = ${total(value)}`, value, api: at(dx[row]?.[j]) },
      ];
    } else if (COLUMNS[type]) {
      const [value, how] = COLUMNS[type].backward(column(x, j), column(dy, j), row, colParams(p, i, j));
      eqs = [
        { name: `dx[${row},${j}]`, text: `dx[${row},${j}] = ${how} = ${total(value)}`, value, api: at(dx[row]?.[j]) },
      ];
    } else if (DERIVATIVES[type]) {
      const dyv = at(dy[row]?.[j]);
      const [d, dText] = DERIVATIVES[type](at(x[row]?.[j]), at(y[row]?.[j]), alpha(type));
      const value = dyv * d;
      eqs = [
        {
          name: `dx[${row},${j}]`,
          text: `dx[${row},${j}] = dy[${row},${j}] · f′(x[${row},${j}]), ${dText}: dx = ${f(dyv)}·${f(d)} = ${total(value)}`,
          value,
          api: at(dx[row]?.[j]),
        },
      ];
    } else {
      // no fallback to the API's own dx: a check of the API against itself could not fail
      eqs = [{ name: `dx[${row},${j}]`, text: `dx[${row},${j}]: ${missing(type)}`, value: NaN, api: at(dx[row]?.[j]) }];
    }
    steps.push({ sel, phase: "backward", head, eqs });
  }
  return steps;
}

/**
 * The selected cell a URL names ("n,k,j"; missing or damaged parts are 0).
 * @param {string} text
 * @returns {Cell}
 */
export function cellOf(text) {
  const [n = 0, k = 0, j = 0] = text.split(",").map((v) => Math.max(0, Math.round(Number(v)) || 0));
  return { n, k, j };
}

/** @param {Cell} c */
export const cellText = (c) => `${c.n},${c.k},${c.j}`;

/**
 * The cell after a click on [i, j] of a tensor whose rows and columns are the indices `role`
 * names (tensors.js CellRole): "nj" sample × output, "nk" sample × input, "nc" an elementwise
 * layer's sample × column (its input and output column alike), "kj" input × output, "j" a column.
 * @param {Cell} c
 * @param {import("./tensors.js").CellRole} role
 * @param {number} i
 * @param {number} j
 * @returns {Cell}
 */
export function clickCell(c, role, i, j) {
  if (role === "nj") return { ...c, n: i, j };
  if (role === "nk") return { ...c, n: i, k: j };
  if (role === "nc") return { n: i, k: j, j };
  if (role === "kj") return { ...c, k: i, j };
  return { ...c, j };
}
