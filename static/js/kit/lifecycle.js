// A page's request cycle: debounced changes, one request in flight (a newer one aborts it),
// errors shown at their field by loc, and the last good plots kept, marked stale while the
// inputs are wrong (or, before any good result, an empty card that says why).
import { activity, errorItems, isAbort } from "./api.js";
import { clearErrors, showErrors } from "./errors.js";
import { plotly } from "./plot.js";

/** @typedef {import("./errors.js").Placement} Placement */

/**
 * Delay `fn` until `ms` have passed without another call; `flush()` runs it now.
 * @template {unknown[]} A
 * @param {(...args: A) => unknown} fn
 * @param {number} ms
 */
export function debounce(fn, ms) {
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  const cancel = () => {
    if (timer === null) return;
    clearTimeout(timer);
    timer = null;
    activity.pending--;
  };
  /** @param {A} args */
  const wrapped = (...args) => {
    cancel();
    activity.pending++;
    timer = setTimeout(() => {
      timer = null;
      activity.pending--;
      fn(...args);
    }, ms);
  };
  /** @param {A} args */
  wrapped.flush = (...args) => {
    cancel();
    fn(...args);
  };
  wrapped.cancel = cancel;
  return wrapped;
}

/** One request slot: a new run aborts the one in flight, so a slow answer never wins. */
export class Latest {
  /** @type {AbortController | null} */
  #ctl = null;

  /**
   * @template T
   * @param {(signal: AbortSignal) => Promise<T>} work
   * @returns {Promise<T>} rejects with an AbortError when a newer run started
   */
  async run(work) {
    this.#ctl?.abort();
    const ctl = new AbortController();
    this.#ctl = ctl;
    try {
      const value = await work(ctl.signal);
      if (ctl.signal.aborted) throw new DOMException("superseded", "AbortError");
      return value;
    } finally {
      if (this.#ctl === ctl) this.#ctl = null;
    }
  }
}

/** @typedef {() => import("./api.js").ApiError | null} Check */

export class Cycle {
  /**
   * @param {{scope: HTMLElement, cards?: HTMLElement[], status?: HTMLElement | null,
   *          placement?: Placement, onFail?: () => void}} options `scope` holds the inputs and
   *   their error boxes; `cards` the plots whose last good state is kept; `onFail` runs after
   *   errors are shown (e.g. to open a collapsed section holding a marked input).
   */
  constructor({ scope, cards = [], status = null, placement = {}, onFail = () => {} }) {
    this.onFail = onFail;
    this.scope = scope;
    this.cards = cards;
    this.status = status;
    this.placement = placement;
    this.latest = new Latest();
    /** Whether a good result has been drawn. */
    this.drawn = false;
    /** @type {Set<Check>} */
    this.checks = new Set();
  }

  /**
   * Check the inputs, run `work` (aborting the run in flight), then `draw` its result. On
   * failure the errors are shown by loc and the cards keep their last good plots, marked stale.
   * @template T
   * @param {(signal: AbortSignal) => Promise<T>} work
   * @param {(result: T) => unknown} draw
   * @returns {Promise<T | null>} null when aborted or failed
   */
  async run(work, draw) {
    activity.inflight++;
    try {
      for (const check of this.checks) {
        const err = check();
        if (err) throw err;
      }
      const pending = this.latest.run(work);
      // The requests are on their way: plotly.js (preloaded, not yet run) compiles meanwhile.
      if (document.body.dataset.plots !== undefined) plotly().catch(() => {});
      const result = await pending;
      clearErrors(this.scope);
      await draw(result);
      this.drawn = true;
      this.#mark(null);
      return result;
    } catch (err) {
      if (isAbort(err)) return null;
      this.fail(err);
      return null;
    } finally {
      activity.inflight--;
    }
  }

  /**
   * Show `err` as a failed run would: at its field, the plots marked stale (or empty).
   * @param {unknown} err
   */
  fail(err) {
    clearErrors(this.scope);
    showErrors(this.scope, err, this.placement);
    this.#mark(errorItems(err)[0]?.msg ?? "");
    this.onFail();
  }

  /**
   * The inputs changed and no run has drawn them yet (e.g. a big batch waits for the Run
   * button): the last good plots are greyed and labelled so (`data-stale` of each card).
   */
  outdated() {
    if (!this.drawn) return;
    for (const card of this.cards) card.classList.add("stale");
  }

  /** @param {string | null} problem null: the plots show the inputs */
  #mark(problem) {
    const stale = problem !== null && this.drawn;
    const empty = problem !== null && !this.drawn;
    for (const card of this.cards) {
      card.classList.toggle("stale", stale);
      let note = card.querySelector(":scope > .empty-note");
      if (empty && !note) {
        note = document.createElement("p");
        note.className = "empty-note";
        card.prepend(note);
      }
      if (note) note.textContent = empty ? `Nothing to show yet: ${problem}` : "";
      card.classList.toggle("empty", empty);
    }
    if (this.status) this.status.textContent = stale ? "Showing the last good result: fix the marked input." : "";
  }
}
