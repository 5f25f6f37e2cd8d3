// The trained state in the link: when the run stops, its resume (the weights and the optimizer's
// state, exact) goes into the URL key R if it is short enough, else the weights alone, else
// nothing, and a note beside the status says so. A link with R reopens at that epoch. (No kit
// import: the pure functions run under node --test.)
/** @typedef {import("../../types/kit").Schemas["ResumeOut"]} Resume */

/** The longest R a link may carry (URL-encoded): a server reads request lines up to ~16 KB. */
export const LINK_MAX = 9000;

/**
 * What of `resume` fits a link: all of it, the weights without the optimizer's state (the
 * optimizer then starts afresh), or nothing.
 * @param {Resume | null} resume
 * @param {number} [max]
 * @returns {{text: string, kept: "all" | "weights" | "none"}}
 */
export function linkText(resume, max = LINK_MAX) {
  if (!resume) return { text: "", kept: "none" };
  const all = JSON.stringify(resume);
  if (encodeURIComponent(all).length <= max) return { text: all, kept: "all" };
  const weights = JSON.stringify({ ...resume, optimizer_state: {}, step: 0 });
  if (encodeURIComponent(weights).length <= max) return { text: weights, kept: "weights" };
  return { text: "", kept: "none" };
}

/**
 * The resume a link's R holds, or null when it holds none that reads as one.
 * @param {string} text
 * @returns {Resume | null}
 */
export function readLink(text) {
  if (!text) return null;
  try {
    const r = JSON.parse(text);
    const ok =
      r &&
      Array.isArray(r.params) &&
      Number.isInteger(r.epoch) &&
      r.epoch > 0 &&
      Number.isInteger(r.step) &&
      typeof r.optimizer_state === "object";
    return ok ? r : null;
  } catch {
    return null; // a damaged link opens untrained
  }
}

/**
 * What the note beside the status says about the link.
 * @param {"all" | "weights" | "none"} kept
 * @param {number} epoch
 */
export function linkNote(kept, epoch) {
  if (!epoch || kept === "all") return "";
  if (kept === "weights")
    return `This link keeps the weights of epoch ${epoch} but not the optimizer's state (too large for a link): Play from it restarts the optimizer.`;
  return `This link reopens untrained (epoch 0): the network trained to epoch ${epoch} is too large for a link. Export the weights as JSON to keep them.`;
}

/**
 * @typedef {object} LinkPanel
 * @property {(resume: Resume | null, epoch: number) => void} keep put the trained state (at
 *   `epoch`; 0: none) in the link, or say it is not there
 */

/**
 * @param {{state: {R: string}, save: () => void}} deps `save` writes the URL
 * @returns {LinkPanel}
 */
export function linkPanel({ state, save }) {
  const note = /** @type {HTMLElement} */ (document.getElementById("link-note"));
  return {
    keep: (resume, epoch) => {
      const { text, kept } = epoch > 0 ? linkText(resume) : { text: "", kept: /** @type {const} */ ("none") };
      state.R = text;
      note.textContent = linkNote(kept, epoch);
      note.hidden = !note.textContent;
      save();
    },
  };
}
