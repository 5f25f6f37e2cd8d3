// The variables of a typed program: which names it reads before it assigns them (those need a
// value from the page), and their values as one URL key, "x:-2,y:5".

const TOKEN = /(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[A-Za-z_][A-Za-z0-9_]*/g;
const ASSIGN = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*([-+*/]?=)(?!=)(.*)$/s;
/** Python's keywords never name a variable: "import os" is a statement the server names. */
export const KEYWORDS = new Set(
  (
    "False None True and as assert async await break class continue def del elif else except " +
    "finally for from global if import in is lambda nonlocal not or pass raise return try while " +
    "with yield"
  ).split(" "),
);

/**
 * The names a program reads before it assigns them, in order of first use: its variables.
 * @param {string} expr
 * @param {Set<string>} reserved function and constant names
 */
export function variablesOf(expr, reserved) {
  /** @type {string[]} */
  const vars = [];
  const assigned = new Set();
  const read = (/** @type {string} */ name) => {
    if (!assigned.has(name) && !reserved.has(name) && !KEYWORDS.has(name) && !vars.includes(name)) vars.push(name);
  };
  for (const stmt of expr.split(/[\n;]/)) {
    const m = stmt.match(ASSIGN);
    if (m && m[2] !== "=") read(m[1]); // x += 1 reads x
    for (const tok of (m ? m[3] : stmt).match(TOKEN) || []) if (!/^[\d.]/.test(tok)) read(tok);
    if (m) assigned.add(m[1]);
  }
  return vars;
}

const NAME = /^[a-z][a-z0-9_]*$/;

/**
 * The variables' values as one URL key, "x:-2,y:5", in the program's order.
 * @type {import("../../kit/state.js").Prop<Record<string, number>>}
 */
export const valuesProp = {
  fallback: () => ({}), // the page's default program brings its own
  read: (q, key) => {
    const raw = q.get(key);
    if (raw === null) return undefined;
    /** @type {Record<string, number>} */
    const out = {};
    for (const part of raw.split(",")) {
      const [k, v] = part.split(":");
      const x = Number(v);
      if (k && NAME.test(k) && v !== undefined && v.trim() !== "" && Number.isFinite(x)) out[k] = x;
    }
    return out;
  },
  write: (q, key, value) => {
    q.set(
      key,
      Object.entries(value)
        .map(([k, v]) => `${k}:${v}`)
        .join(","),
    );
  },
};
