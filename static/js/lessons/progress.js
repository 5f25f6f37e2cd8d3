// A learner's progress through the lessons, kept in the browser only (the server stays
// stateless): for each lesson, the steps seen and the last one open, under one localStorage key.

/** @typedef {{seen: number[], last: number}} Progress */

/** @param {string} id */
const key = (id) => `bpx:lesson:${id}`;

/**
 * The progress stored for lesson `id` (nothing seen when absent or unreadable).
 * @param {Pick<Storage, "getItem">} storage
 * @param {string} id
 * @returns {Progress}
 */
export function readProgress(storage, id) {
  try {
    const v = JSON.parse(storage.getItem(key(id)) || "null");
    const seen = Array.isArray(v?.seen)
      ? v.seen.filter((/** @type {unknown} */ k) => Number.isInteger(k) && Number(k) > 0)
      : [];
    const last = Number.isInteger(v?.last) && v.last > 0 ? v.last : 0;
    return { seen: [...new Set(/** @type {number[]} */ (seen))].sort((a, b) => a - b), last };
  } catch {
    return { seen: [], last: 0 };
  }
}

/**
 * Record that step `k` (from 1) of lesson `id` was opened; the new progress.
 * @param {Pick<Storage, "getItem" | "setItem">} storage
 * @param {string} id
 * @param {number} k
 * @returns {Progress}
 */
export function markSeen(storage, id, k) {
  const p = readProgress(storage, id);
  const next = { seen: [...new Set([...p.seen, k])].sort((a, b) => a - b), last: k };
  try {
    storage.setItem(key(id), JSON.stringify(next));
  } catch {
    // storage full or disabled (a private window): progress is a convenience, not a must
  }
  return next;
}

/**
 * The progress in words for the list of lessons: "", "3 of 7 steps seen" or "done".
 * @param {Progress} p
 * @param {number} steps
 */
export function progressText(p, steps) {
  const seen = p.seen.filter((k) => k <= steps).length;
  if (!seen) return "";
  return seen >= steps ? "done ✓" : `${seen} of ${steps} steps seen`;
}
