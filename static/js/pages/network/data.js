// Pasted matrices: parsed into numbers (a value that is not one is refused at its text box,
// shaped like the API's 422) and written back compactly for the URL.
import { fieldError } from "../../kit/api.js";

/** @param {number} n */
const numbers = (n) => `${n} number${n === 1 ? "" : "s"}`;

/**
 * Rows of numbers, one per line (or `;`), separated by spaces or commas, all as long as the
 * first (lines counted from 1, as the box shows them).
 * @param {string} text
 * @param {"x" | "targets"} field the API's name of the box, for the error's loc
 * @returns {number[][]}
 */
export function parseMatrix(text, field) {
  const m = parseRows(text, field);
  const ragged = m.findIndex((r) => r.length !== m[0].length);
  if (ragged > 0)
    throw fieldError(
      [field],
      `line ${ragged + 1} has ${numbers(m[ragged].length)}, but line 1 has ${m[0].length}: ` +
        `every line needs the same number of columns`,
    );
  return m;
}

/**
 * What the shape hint says of a pasted x: its shape, or why it has none.
 * @param {string} text
 */
export function shapeHint(text) {
  try {
    const x = parseMatrix(text, "x");
    return `x is ${x.length} × ${x[0].length}; `;
  } catch {
    return "x has no shape yet (see the x box); ";
  }
}

/**
 * @param {string} text
 * @param {"x" | "targets"} field
 * @returns {number[][]}
 */
function parseRows(text, field) {
  const rows = text
    .split(/\n|;/)
    .map((r) => r.trim())
    .filter(Boolean);
  if (!rows.length) throw fieldError([field], "is empty: one row per line");
  return rows.map((r, i) =>
    r
      .split(/[\s,]+/)
      .filter(Boolean)
      .map((tok) => {
        const v = Number(tok);
        if (!Number.isFinite(v))
          throw fieldError([field], `line ${i + 1}: '${tok.slice(0, 12)}' is not a finite number`);
        return v;
      }),
  );
}

/**
 * Targets: a class index per line, or rows (one-hot, probabilities or real values).
 * A column of whole numbers is class indices when the loss takes them (`indices`), negative ones
 * too, so the server names them "not a class index: the classes are 0 to C−1"; for a loss on
 * values (mse) a -1/+1 column stays rows.
 * @param {string} text
 * @param {boolean} [indices] whether the loss takes class indices
 * @returns {number[] | number[][]}
 */
export function parseTargets(text, indices = true) {
  const t = parseMatrix(text, "targets");
  const column = t.every((r) => r.length === 1 && Number.isInteger(r[0]));
  return column && (indices || t.every((r) => r[0] >= 0)) ? t.map((r) => r[0]) : t;
}

/**
 * @param {(number | null)[][] | (number | null)[]} m
 */
export const matrixText = (m) => m.map((r) => (Array.isArray(r) ? r.join(", ") : String(r))).join("\n");

/** A text box's matrix as "1,2;3,4" for the URL. @param {string} text */
export const compact = (text) =>
  text
    .trim()
    .replace(/\n+/g, ";")
    .replace(/\s*,\s*|[ \t]+/g, ",")
    .replace(/,?;,?/g, ";");

/** @typedef {readonly (number | null)[] | number} Row */

/** @param {Row} r */
const rowText = (r) => (Array.isArray(r) ? r.join(",") : String(r));

/**
 * A text box's matrix for the URL as edits of a preset's rows: a run of the preset's rows a..b
 * is written "@a-b", any other row as its numbers ("@0-39;0.5,0.25": the 40 rows, one more).
 * @param {string} text
 * @param {readonly Row[] | undefined} base the preset's rows the data was pasted from
 */
export function encodeRows(text, base) {
  const rows = compact(text).split(";").filter(Boolean);
  if (!base?.length) return rows.join(";");
  const baseRows = base.map(rowText);
  /** @type {Map<string, number>} */
  const where = new Map();
  baseRows.forEach((r, i) => where.has(r) || where.set(r, i));
  /** @type {string[]} */
  const out = [];
  /** @type {[number, number] | null} */
  let run = null;
  const close = () => {
    if (run) out.push(run[0] === run[1] ? `@${run[0]}` : `@${run[0]}-${run[1]}`);
    run = null;
  };
  for (const r of rows) {
    if (run && baseRows[run[1] + 1] === r) run[1]++;
    else {
      close();
      const k = where.get(r);
      if (k === undefined) out.push(r);
      else run = [k, k];
    }
  }
  close();
  return out.join(";");
}

/**
 * The text box's lines a URL's rows describe (encodeRows undone).
 * @param {string} code
 * @param {readonly Row[] | undefined} base
 */
export function decodeRows(code, base) {
  return code
    .split(";")
    .filter(Boolean)
    .flatMap((tok) => {
      const m = /^@(\d+)(?:-(\d+))?$/.exec(tok);
      if (!m) return [tok];
      const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
      return (base ?? []).slice(a, b + 1).map((r) => (Array.isArray(r) ? r.join(", ") : String(r)));
    })
    .join("\n");
}
