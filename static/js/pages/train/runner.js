// One training stream per page, by construction. Every stream the page opens (the epoch-0
// preview, Play's streams, Step) is a run of one Runner, which aborts the run it holds and waits
// until that run has ended before it starts the next; and the page's mode (idle, playing,
// stepping, loading) belongs to the current run alone, so a run that was stopped or superseded
// can never mark the page idle while another one streams.

/** @typedef {"idle" | "playing" | "stepping" | "loading"} Mode */

/** @param {unknown} err */
const isAbort = (err) => err instanceof Error && err.name === "AbortError";

export class Runner {
  /** @type {AbortController | null} */
  #ctl = null;
  /** @type {Promise<void>} settles when the current run has ended, however it ended */
  #ended = Promise.resolve();
  #generation = 0;
  /** @type {Mode} */
  #mode = "idle";

  /** @param {(mode: Mode) => void} onMode called whenever the mode changes */
  constructor(onMode) {
    this.onMode = onMode;
  }

  /** @returns {Mode} */
  get mode() {
    return this.#mode;
  }

  /**
   * Stop the run in progress, wait until it has ended, then run `work` as the only run, in
   * `mode` until it ends (then idle). `work` gets the signal that stops it: a stream must end
   * (reject with an AbortError) when it aborts.
   * @template T
   * @param {Mode} mode
   * @param {(signal: AbortSignal) => Promise<T>} work
   * @returns {Promise<T | undefined>} work's value; undefined when stopped or superseded
   */
  async run(mode, work) {
    const generation = ++this.#generation;
    this.#ctl?.abort();
    await this.#ended;
    if (generation !== this.#generation) return undefined; // a later run or stop() came first
    const ctl = new AbortController();
    this.#ctl = ctl;
    this.#set(mode);
    const done = work(ctl.signal);
    this.#ended = done.then(
      () => {},
      () => {},
    );
    try {
      return await done;
    } catch (err) {
      if (isAbort(err) && ctl.signal.aborted) return undefined;
      throw err;
    } finally {
      if (generation === this.#generation) {
        this.#ctl = null;
        this.#set("idle");
      }
    }
  }

  /**
   * Stop the run in progress (the page is idle at once); resolves when its stream has ended.
   * @returns {Promise<void>}
   */
  stop() {
    this.#generation++;
    this.#ctl?.abort();
    this.#ctl = null;
    this.#set("idle");
    return this.#ended;
  }

  /** @param {Mode} mode */
  #set(mode) {
    if (mode === this.#mode) return;
    this.#mode = mode;
    this.onMode(mode);
  }
}
