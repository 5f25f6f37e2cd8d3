// Pasted matrices: parsed into numbers (a value that is not one is refused at its text box,
// shaped like the API's 422) and written back compactly for the URL.
import { fieldError } from "../../kit/api.js";

/**
 * Rows of numbers, one per line (or `;`), separated by spaces or commas.
 * @param {string} text
 * @param {"x" | "targets"} field the API's name of the box, for the error's loc
 * @returns {number[][]}
 */
export function parseMatrix(text, field) {
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
 * @param {string} text
 * @returns {number[] | number[][]}
 */
export function parseTargets(text) {
  const t = parseMatrix(text, "targets");
  // class indices are whole and never negative; -1/+1 targets (mse on one output) stay rows
  return t.every((r) => r.length === 1 && Number.isInteger(r[0]) && r[0] >= 0) ? t.map((r) => r[0]) : t;
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
