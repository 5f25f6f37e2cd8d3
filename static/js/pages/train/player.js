// Play, Pause, Step and the preview of a reset, as runs of one Runner: one stream at a time, and
// the Play button shows the mode. Play streams on across the server's bounds on one request
// (time, bytes) from the last line's resume, until the epochs are done or training diverges.
import { Runner } from "./runner.js";
import { goesOn } from "./progress.js";

/** @typedef {import("./runner.js").Mode} Mode */

const REPORT_EVERY = 10; // epochs between reports while playing
const BOUNDARY_EVERY = 30; // and between boundaries (a multiple of REPORT_EVERY)

/**
 * @typedef {object} Player
 * @property {() => Mode} mode
 * @property {() => Promise<void>} play stream until the end, divergence or a stop
 * @property {() => void} pause
 * @property {() => void} toggle
 * @property {() => Promise<void>} step train one epoch more
 * @property {(signal: AbortSignal, epoch: number) => Promise<unknown>} preview report the state
 *   at `epoch` (0, or a resume's) as the only run, until `signal` (a reset's) aborts
 */

/**
 * @param {{button: HTMLButtonElement, maxEpochs: number, last: () => any, epoch: () => number,
 *          stream: (signal: AbortSignal, epochs: number, every: number, boundaryEvery: number) => Promise<void>,
 *          onMode: (mode: Mode) => void, onFail: (err: unknown) => void, onPlayed: () => void}} deps
 *   `stream` one stream from the page's checkpoint; `last` the last report; `epoch` the run's
 * @returns {Player}
 */
export function player({ button, maxEpochs, last, epoch, stream, onMode, onFail, onPlayed }) {
  const runner = new Runner((mode) => {
    onMode(mode);
    const playing = mode === "playing";
    button.textContent = playing ? "❚❚ Pause" : "▶ Play";
    button.setAttribute("aria-pressed", String(playing));
  });
  const play = async () => {
    try {
      await runner.run("playing", async (signal) => {
        do await stream(signal, maxEpochs, REPORT_EVERY, BOUNDARY_EVERY);
        while (goesOn(last()));
      });
    } catch (err) {
      onFail(err);
    }
    onPlayed();
  };
  const pause = () => void runner.stop();
  return {
    mode: () => runner.mode,
    play,
    pause,
    toggle: () => (runner.mode === "playing" ? pause() : void play()),
    step: async () => {
      try {
        await runner.run("stepping", (signal) => stream(signal, epoch() + 1, 1, 1));
      } catch (err) {
        onFail(err);
      }
    },
    preview: (signal, at) =>
      runner.run("loading", (own) => {
        // A newer reset aborts this one's preview too.
        signal.addEventListener("abort", () => runner.mode === "loading" && void runner.stop());
        return stream(own, at, 1, 1);
      }),
  };
}
