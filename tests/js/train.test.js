// The training page's runner: one stream at a time, and a mode only the current run changes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { Runner } from "../../static/js/pages/train/runner.js";

/**
 * A fake stream that counts how many are open, ends when `finish()` is called, and rejects with
 * an AbortError (after a tick, as fetch does) when its signal aborts.
 */
function streams() {
  const count = { open: 0, max: 0, opened: 0 };
  /** @type {Set<() => void>} the open streams' ways to end normally */
  const finishers = new Set();
  /** @param {AbortSignal} signal */
  const open = (signal) =>
    new Promise((resolve, reject) => {
      count.open++;
      count.opened++;
      count.max = Math.max(count.max, count.open);
      const end = (/** @type {() => void} */ how) => {
        if (!finishers.delete(finish)) return;
        count.open--;
        how();
      };
      const finish = () => end(() => resolve("done"));
      finishers.add(finish);
      signal.addEventListener("abort", () =>
        setTimeout(() => end(() => reject(new DOMException("aborted", "AbortError"))), 5),
      );
    });
  return { count, open, finish: () => [...finishers].at(-1)?.() };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

test("a new run waits until the stream it stops has ended: never two at once", async () => {
  const s = streams();
  /** @type {string[]} */
  const modes = [];
  const runner = new Runner((m) => modes.push(m));
  const first = runner.run("playing", s.open);
  await tick();
  // Retune: the same mode again, while the first stream is open.
  const second = runner.run("playing", s.open);
  const third = runner.run("playing", s.open); // and again before the second started
  assert.equal(await first, undefined);
  assert.equal(await second, undefined); // superseded before it opened a stream
  await tick();
  assert.equal(runner.mode, "playing");
  assert.deepEqual(s.count, { open: 1, max: 1, opened: 2 });
  s.finish();
  assert.equal(await third, "done");
  assert.equal(runner.mode, "idle");
  assert.deepEqual(modes, ["playing", "idle"]); // no idle flicker between the runs
});

test("stop makes the page idle at once and resolves when the stream has ended", async () => {
  const s = streams();
  const runner = new Runner(() => {});
  const run = runner.run("playing", s.open);
  await tick();
  const stopped = runner.stop();
  assert.equal(runner.mode, "idle");
  assert.equal(s.count.open, 1);
  await stopped;
  assert.equal(s.count.open, 0);
  assert.equal(await run, undefined);
  assert.equal(runner.mode, "idle");
});

test("a step after play stops the play first; errors other than aborts reach the caller", async () => {
  const s = streams();
  const runner = new Runner(() => {});
  void runner.run("playing", s.open);
  await tick();
  const step = runner.run("stepping", s.open);
  await tick();
  assert.equal(runner.mode, "stepping");
  assert.equal(s.count.max, 1);
  s.finish();
  assert.equal(await step, "done");
  await assert.rejects(
    runner.run("loading", async () => {
      throw new Error("422");
    }),
    /422/,
  );
  assert.equal(runner.mode, "idle");
});
