// The words and formulas of a computational graph: what each node is called, its forward step
// ("q = x + y = −2 + 5 = 3") and its chain-rule step with the numbers plugged in
// ("∂f/∂q = ∂f/∂f · ∂f/∂q = 1 · z = 1 · (−4) = −4"), the sum over its uses written out when it
// has several. Numbers come from the API; the symbolic local derivatives of functions come from
// the engine's own rules (the template passes them in), those of the operators are the
// arithmetic rules below. The names of things (symbols, numbers, operations) are words.js's.
import { usesOf } from "./steps.js";
import { MINUS, applyText, factor, fmt, group, operand } from "./words.js";

/** @typedef {import("./steps.js").Graph} Graph */
/** @typedef {import("./steps.js").GraphNode} GraphNode */
/** @typedef {import("./steps.js").Step} Step */
/** @typedef {import("./steps.js").Use} Use */
/** @typedef {Record<string, string>} Rules each function's derivative rule, e.g. {sin: "cos(u)*du"} */
/**
 * One use of a node in its chain-rule sum: the upstream gradient times the local derivative.
 * @typedef {{use: number, k: number, upstream: number | null, local: number | null, localText: string}} Term
 */

/**
 * A function's rule d f(u), e.g. "cos(u)*du", made into ∂f/∂u over the symbol `u`.
 * @param {string} rule
 * @param {string} u
 */
function functionLocal(rule, u) {
  let r = rule.trim();
  if (r.endsWith("*du")) r = r.slice(0, -3);
  else if (r.startsWith("du/")) r = `1/${r.slice(3)}`;
  else if (r === "du") r = "1";
  r = r.replace(/\bu\b/g, operand(u));
  return r.replace(/\*\*/g, "^").replace(/\*/g, " · ").replace(/ - /g, ` ${MINUS} `).replace(/^-/, MINUS);
}

/**
 * The symbolic local derivative ∂n/∂(input k), over the inputs' symbols: "z", "1", "cos(n3)".
 * @param {Graph} graph
 * @param {GraphNode} n
 * @param {number} k
 * @param {string[]} syms
 * @param {Rules} [rules]
 */
export function localText(graph, n, k, syms, rules = {}) {
  const [a, b] = n.inputs.map((j) => operand(syms[j]));
  switch (n.op) {
    case "add":
      return "1";
    case "sub":
      return k === 0 ? "1" : `${MINUS}1`;
    case "mul":
      return k === 0 ? b : a;
    case "div":
      return k === 0 ? `1/${b}` : `${MINUS}${a}/${b}^2`;
    case "neg":
      return `${MINUS}1`;
    case "pow": {
      if (k === 1) return `${a}^${b} · ln ${a}`;
      const e = graph.nodes[n.inputs[1]];
      if (e.op === "const" && e.value !== null) {
        const p = e.value - 1;
        if (p === 0) return b;
        return p === 1 ? `${b} · ${a}` : `${b} · ${a}^${operand(fmt(p))}`;
      }
      return `${b} · ${a}^(${b} ${MINUS} 1)`;
    }
    default:
      return rules[n.op] ? functionLocal(rules[n.op], a) : `${n.op}′(${a})`;
  }
}

/**
 * The forward step of node `n` with its numbers: "q = x + y = −2 + 5 = 3".
 * @param {Graph} graph
 * @param {GraphNode} n
 * @param {string[]} syms
 * @param {number} [digits]
 */
export function forwardText(graph, n, syms, digits = 6) {
  const me = syms[n.id];
  if (n.op === "var") return `${me} = ${fmt(n.value, digits)} (input)`;
  if (n.op === "const") return n.name ? `${me} = ${fmt(n.value, digits)} (constant)` : `${me} (constant)`;
  const symbolic = applyText(
    n,
    n.inputs.map((j) => operand(syms[j])),
  );
  // A negative number needs parentheses after an operator (3 · (−4)) or under a power.
  const plain = (/** @type {number} */ k) => k === 0 && n.op !== "pow" && n.op !== "neg";
  const numbers = applyText(
    n,
    n.inputs.map((j, k) => (plain(k) ? fmt : factor)(graph.nodes[j].value, digits)),
  );
  return `${me} = ${symbolic} = ${numbers} = ${fmt(n.value, digits)}`;
}

/**
 * ∂top/∂bottom as text, "∂f/∂q".
 * @param {string} top
 * @param {string} bottom
 */
export const partial = (top, bottom) => `∂${top}/∂${bottom}`;

/**
 * The local partial of use `c` with respect to its input `k`, written so that it can never read
 * as a gradient ∂f/∂…: the output by its operation (∂(x · x)/∂x, not ∂f/∂x), and an input that
 * fills both sides of one operation by its side (∂(x · x)/∂(left x)).
 * @param {Graph} graph
 * @param {GraphNode} c
 * @param {number} k
 * @param {string[]} syms
 */
export function localPartial(graph, c, k, syms) {
  const j = c.inputs[k];
  const top =
    c.id === graph.output_id
      ? group(
          applyText(
            c,
            c.inputs.map((i) => operand(syms[i])),
          ),
        )
      : syms[c.id];
  const twice = c.inputs.filter((i) => i === j).length > 1;
  return partial(top, twice ? `(${k === 0 ? "left" : "right"} ${syms[j]})` : syms[j]);
}

/**
 * The chain-rule step that completes node `n`'s gradient, as lines: the symbols, the upstream
 * gradients times the symbolic local derivatives, the same with every number plugged in, the
 * result; for a node with several uses each line is the explicit sum over them.
 * @param {Graph} graph
 * @param {GraphNode} n
 * @param {string[]} syms
 * @param {Rules} [rules]
 * @param {number} [digits]
 * @param {Use[][]} [uses]
 * @returns {{lines: string[], uses: number, terms: Term[]}}
 */
export function backwardText(graph, n, syms, rules = {}, digits = 6, uses = usesOf(graph)) {
  const f = syms[graph.output_id];
  const lhs = partial(f, syms[n.id]);
  if (n.id === graph.output_id) {
    return { lines: [`${lhs} = 1 (the seed: the output's gradient with respect to itself)`], uses: 0, terms: [] };
  }
  /** @type {Term[]} */
  const terms = uses[n.id].map(({ node, k }) => {
    const c = graph.nodes[node];
    return { use: node, k, upstream: c.grad, local: c.local[k], localText: localText(graph, c, k, syms, rules) };
  });
  if (!terms.length || !graph.backward_order.includes(n.id)) {
    return { lines: [`${lhs} = 0 (${syms[n.id]} does not lead to the output)`], uses: terms.length, terms };
  }
  const chain = terms
    .map((t) => `${partial(f, syms[t.use])} · ${localPartial(graph, graph.nodes[t.use], t.k, syms)}`)
    .join(" + ");
  // The first number of the sum needs no parentheses (−4 · 1), the others do (1 · (−4)).
  const up = (/** @type {Term} */ t, /** @type {number} */ i) => (i === 0 ? fmt : factor)(t.upstream, digits);
  const half = terms.map((t, i) => `${up(t, i)} · ${group(t.localText)}`).join(" + ");
  const full = terms.map((t, i) => `${up(t, i)} · ${factor(t.local, digits)}`).join(" + ");
  const lines = [`${lhs} = ${chain}`, `= ${half}`];
  if (full !== half) lines.push(`= ${full}`);
  lines.push(`= ${fmt(n.grad, digits)}`);
  return { lines, uses: terms.length, terms };
}

/**
 * The local derivatives of `n` with respect to each input: "∂f/∂q = z = −4".
 * @param {Graph} graph
 * @param {GraphNode} n
 * @param {string[]} syms
 * @param {Rules} [rules]
 * @param {number} [digits]
 */
export function localLines(graph, n, syms, rules = {}, digits = 6) {
  return n.inputs.map((_, k) => {
    const sym = localText(graph, n, k, syms, rules);
    const value = fmt(n.local[k], digits);
    return `${localPartial(graph, n, k, syms)} = ${sym === value ? value : `${sym} = ${value}`}`;
  });
}

/**
 * The one-line formula of a step (always on screen while stepping).
 * @param {Graph} graph
 * @param {Step} step
 * @param {string[]} syms
 * @param {Rules} [rules]
 * @param {Use[][]} [uses]
 */
export function stepText(graph, step, syms, rules = {}, uses = usesOf(graph)) {
  if (step.kind === "start") return "Before the forward pass. Step (→) fills in one value at a time; Space plays.";
  const n = graph.nodes[step.node];
  if (step.kind === "forward") return `forward: ${forwardText(graph, n, syms)}`;
  if (step.kind === "seed") {
    const f = syms[graph.output_id];
    return `seed: ${partial(f, f)} = 1, the backward pass starts at the output`;
  }
  return `backward: ${backwardText(graph, n, syms, rules, 6, uses).lines.join(" ")}`;
}
