// The step bar: reset, back, play/pause, step, end and the speed, the step count and the one-line
// formula of the current step. It drives a Player (steps.js) and shows what the page gives it.
import { byId } from "../../kit/dom.js";

/** @typedef {import("./steps.js").Player} Player */
/** @typedef {import("./steps.js").View} View */

/** The words of each kind of step, for the step count. */
export const PHASES = { start: "start", forward: "forward pass", seed: "seed", backward: "backward pass" };

export class StepBar {
  /**
   * @param {Player} player
   * @param {(speed: number) => void} onSpeed the learner chose a speed (steps per second)
   */
  constructor(player, onSpeed) {
    this.player = player;
    this.formula = byId("step-formula", HTMLElement);
    this.count = byId("step-count", HTMLElement);
    this.speed = byId("speed", HTMLSelectElement);
    this.buttons = {
      reset: byId("btn-reset", HTMLButtonElement),
      back: byId("btn-back", HTMLButtonElement),
      play: byId("btn-play", HTMLButtonElement),
      fwd: byId("btn-fwd", HTMLButtonElement),
      end: byId("btn-end", HTMLButtonElement),
    };
    const b = this.buttons;
    b.reset.addEventListener("click", () => player.reset());
    b.back.addEventListener("click", () => player.back());
    b.play.addEventListener("click", () => player.toggle());
    b.fwd.addEventListener("click", () => {
      player.pause();
      player.forward();
    });
    b.end.addEventListener("click", () => player.end());
    this.speed.addEventListener("change", () => {
      const s = Number(this.speed.value);
      player.setSpeed(s);
      onSpeed(s);
    });
  }

  /** @param {number} speed */
  setSpeed(speed) {
    this.speed.value = String(speed);
  }

  /**
   * Show step `v` with its formula.
   * @param {View} v
   * @param {string} text
   */
  show(v, text) {
    this.formula.setAttribute("aria-live", "polite");
    this.count.textContent = `step ${v.index} / ${v.last} · ${PHASES[v.step.kind]}`;
    this.formula.textContent = text;
    this.formula.className = `step-formula phase-${v.step.kind}`;
    const b = this.buttons;
    b.reset.disabled = b.back.disabled = v.index === 0;
    b.fwd.disabled = b.end.disabled = v.done;
    b.play.textContent = this.player.playing ? "■ Pause" : "▶ Play";
    b.play.setAttribute("aria-pressed", String(this.player.playing));
  }

  /**
   * "Your turn": the newest diagnosis stays in view here too (#yt-live announces it, so this is
   * not live).
   * @param {string} text
   */
  showTurn(text) {
    this.formula.setAttribute("aria-live", "off");
    this.formula.textContent = text;
    this.formula.className = "step-formula phase-backward";
  }
}
