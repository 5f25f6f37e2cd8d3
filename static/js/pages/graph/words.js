// The names of a computational graph's parts, for people: numbers with a real minus sign, each
// operation's symbol and words, each node's symbol in formulas (x, q, f, n3), and a node as an
// expression of its inputs ("x + y"). Pure; text.js writes the formulas with them.
import { num } from "../../kit/format.js";

/** @typedef {import("./steps.js").Graph} Graph */
/** @typedef {import("./steps.js").GraphNode} GraphNode */

export const MINUS = "−";

/**
 * A number for people, with a real minus sign: −4, 0.731059, 1.2e−7.
 * @param {number | null | undefined} v
 * @param {number} [digits] significant digits
 */
export function fmt(v, digits = 6) {
  if (v === null || v === undefined) return "—";
  return num(v, digits).replace(/-/g, MINUS);
}

/**
 * The same, in parentheses when negative, for a factor or a term: (−4).
 * @param {number | null} v
 * @param {number} digits
 */
export const factor = (v, digits) => (v !== null && v < 0 ? `(${fmt(v, digits)})` : fmt(v, digits));

/** @typedef {{show: string, text: (a: string, b: string) => string}} OpRule */
/** How each operation reads, over its operands a and b. @type {Record<string, OpRule>} */
const OPS = {
  add: { show: "+", text: (a, b) => `${a} + ${b}` },
  sub: { show: MINUS, text: (a, b) => `${a} ${MINUS} ${b}` },
  mul: { show: "×", text: (a, b) => `${a} · ${b}` },
  div: { show: "÷", text: (a, b) => `${a} / ${b}` },
  pow: { show: "^", text: (a, b) => `${a}^${b}` },
  neg: { show: "neg", text: (a) => `${MINUS}${a}` },
};

/** @type {Record<string, string>} */
const WORDS = {
  var: "input",
  const: "constant",
  add: "sum",
  sub: "difference",
  mul: "product",
  div: "quotient",
  pow: "power",
  neg: "negation",
};

/**
 * The symbol drawn as a node's operation: +, ×, exp, or the variable's or constant's label.
 * @param {GraphNode} n
 */
export function opSymbol(n) {
  if (n.op === "var") return n.label;
  if (n.op === "const") return n.label.replace(/^-/, MINUS);
  return OPS[n.op]?.show ?? n.op;
}

/**
 * Words for a node's kind, for the inspector's title and the nodes' accessible names.
 * @param {GraphNode} n
 */
export const opWords = (n) => WORDS[n.op] ?? `function ${n.op}`;

/**
 * The name of each node in formulas: a variable's name, a named step's name, a constant's value,
 * the output "f" (unless that name is taken), every other node "n<id>".
 * @param {Graph} graph
 * @returns {string[]}
 */
export function symbols(graph) {
  const taken = new Set(graph.nodes.map((n) => n.name || (n.op === "var" ? n.label : "")));
  return graph.nodes.map((n) => {
    if (n.name) return n.name;
    if (n.op === "var") return n.label;
    if (n.op === "const") return n.label.replace(/^-/, MINUS);
    if (n.id === graph.output_id) return taken.has("f") ? "out" : "f";
    return `n${n.id}`;
  });
}

/**
 * A symbol as an operand: a negative constant gets parentheses.
 * @param {string} s
 */
export const operand = (s) => (s.startsWith(MINUS) ? `(${s})` : s);

/**
 * A formula as a factor: parentheses unless it is one name, number or function call.
 * @param {string} s
 */
export const group = (s) => (/^[A-Za-z0-9_.]+(\([^()]*\))?$/.test(s) ? s : `(${s})`);

/**
 * Node `n` as an expression of its inputs' symbols (or numbers): "x + y", "exp(n11)".
 * @param {GraphNode} n
 * @param {string[]} args
 */
export function applyText(n, args) {
  const rule = OPS[n.op];
  return rule ? rule.text(args[0], args[1]) : `${n.op}(${args[0]})`;
}
