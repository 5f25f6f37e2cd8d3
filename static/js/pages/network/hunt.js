// Bug hunt: a challenge network with one planted bug the learner finds with the gradient check,
// step mode and the nudge, then names (layer and gradient) to be judged on the server. Giving up
// shows the wrong and the right code side by side. The seed and level live in the page's URL, so
// a teacher's link fixes the challenge.
import { fieldError, post } from "../../kit/api.js";
import { h } from "../../kit/dom.js";
import { Cycle } from "../../kit/lifecycle.js";
import { formatPick, tensorLabel } from "./huntpick.js";

/** @typedef {import("../../types/kit").Schemas["HuntOut"]} HuntOut */
/** @typedef {import("../../types/kit").Schemas["GuessOut"]} GuessOut */
/** @typedef {import("../../types/kit").Schemas["FoundBug"]} FoundBug */
/** @typedef {import("./huntpick.js").Pick} Pick */

/**
 * @param {{host: HTMLElement, reveal: HTMLElement, pick: Pick | null,
 *   onStart: (network: HuntOut["network"], pick: Pick) => void,
 *   onStop: () => void}} opts
 */
export function huntMode({ host, reveal, pick, onStart, onStop }) {
  /** @type {{token: string, pick: Pick, types: string[], places: HuntOut["places"], tries: number} | null} */
  let active = null;
  const seed = h("input", {
    type: "number",
    id: "hunt-seed",
    min: "0",
    step: "1",
    value: String(pick?.seed ?? Math.floor(Math.random() * 1000)),
    "data-field": "seed",
  });
  const level = h(
    "select",
    { id: "hunt-level", "data-field": "level" },
    h("option", { value: "1" }, "1: a parameter's own gradient"),
    h("option", { value: "2" }, "2: an activation or softmax backward"),
    h("option", { value: "3" }, "3: a forward pass, an index, an in-place write"),
  );
  level.value = String(pick?.level ?? 1);
  const startButton = h("button", { type: "button", class: "btn btn-small", id: "hunt-start" }, "Start the hunt");
  const stopButton = h(
    "button",
    { type: "button", class: "btn btn-light btn-small", id: "hunt-stop", hidden: true },
    "Stop",
  );
  const about = h("p", { class: "hint", id: "hunt-about", "aria-live": "polite" });
  const layerSelect = h("select", { id: "hunt-layer", "data-field": "index" });
  const tensorSelect = h("select", { id: "hunt-tensor", "data-field": "tensor" });
  const guessButton = h("button", { type: "button", class: "btn btn-small", id: "hunt-guess" }, "Check my guess");
  const giveUpButton = h(
    "button",
    { type: "button", class: "btn btn-light btn-small", id: "hunt-give-up" },
    "Give up: show the bug",
  );
  const verdict = h("p", { class: "hunt-verdict", id: "hunt-verdict", "aria-live": "polite", role: "status" });
  const guessBox = h(
    "div",
    { class: "hunt-guess", hidden: true },
    h(
      "div",
      { class: "row" },
      h(
        "div",
        { class: "field" },
        h("label", { for: "hunt-layer" }, "The bug is in"),
        layerSelect,
        h("div", { class: "field-error", "data-error-for": "index", role: "alert" }),
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: "hunt-tensor" }, "and first spoils"),
        tensorSelect,
        h("div", { class: "field-error", "data-error-for": "tensor", role: "alert" }),
      ),
    ),
    h("div", { class: "row" }, guessButton, giveUpButton),
    verdict,
  );
  host.replaceChildren(
    h("h2", { id: "hunt-title" }, "Bug hunt"),
    h(
      "p",
      { class: "hint" },
      "One layer (or the loss) of a challenge network runs a planted bug. Run it with the gradient check, " +
        "step through it, nudge a weight: find where the gradients first go wrong, then name the layer " +
        "and the gradient it spoils. The link keeps the seed: send it to set the same challenge.",
    ),
    h(
      "div",
      { class: "row" },
      h(
        "div",
        { class: "field" },
        h("label", { for: "hunt-seed" }, "Seed"),
        seed,
        h("div", { class: "field-error", "data-error-for": "seed", role: "alert" }),
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: "hunt-level" }, "Level"),
        level,
        h("div", { class: "field-error", "data-error-for": "level", role: "alert" }),
      ),
    ),
    h("div", { class: "row" }, startButton, stopButton),
    h("div", { class: "form-error", role: "alert" }),
    about,
    guessBox,
  );
  const cycle = new Cycle({ scope: host });

  const fillTensors = () => {
    if (!active) return;
    const place = active.places.find((p) => p.index === Number(layerSelect.value));
    tensorSelect.replaceChildren(...(place?.tensors ?? []).map((t) => new Option(`${t}: ${tensorLabel(t)}`, t)));
  };
  layerSelect.addEventListener("change", fillTensors);

  /** @param {Pick} p */
  const start = (p) =>
    cycle.run(
      (signal) => /** @type {Promise<HuntOut>} */ (post("/api/v1/exercises/hunt", p, signal)),
      (r) => {
        const types = r.network.layers.map((l) => String(l.type));
        active = { token: r.challenge, pick: p, types, places: r.places, tries: 0 };
        layerSelect.replaceChildren(...r.places.map((place) => new Option(place.label, String(place.index))));
        fillTensors();
        guessBox.hidden = false;
        stopButton.hidden = false;
        verdict.textContent = "";
        reveal.replaceChildren();
        reveal.hidden = true;
        about.textContent = `Challenge ${p.seed} at level ${p.level}: the network below runs with its bug planted.`;
        onStart(r.network, p);
      },
    );

  /** @param {boolean} giveUp */
  const guess = (giveUp) => {
    if (!active) return Promise.resolve(null);
    const a = active;
    const body = {
      challenge: a.token,
      index: Number(layerSelect.value),
      tensor: tensorSelect.value,
      give_up: giveUp,
    };
    return cycle.run(
      (signal) => /** @type {Promise<GuessOut>} */ (post("/api/v1/exercises/hunt/guess", body, signal)),
      (r) => {
        if (!giveUp) a.tries += 1;
        verdict.dataset.correct = String(r.correct);
        const where = `${layerSelect.selectedOptions[0]?.text ?? ""}, ${body.tensor}`;
        verdict.textContent = r.correct
          ? `Found it on guess ${a.tries}: ${where}.`
          : giveUp
            ? "The bug, revealed:"
            : `Not quite (guess ${a.tries}): ${r.hint ?? ""}`;
        if (r.bug) showBug(reveal, r.bug, a.types);
      },
    );
  };

  startButton.addEventListener("click", () => {
    const s = Number(seed.value);
    if (!seed.value.trim() || !Number.isInteger(s)) {
      cycle.fail(fieldError(["seed"], "Seed must be a whole number"));
      return;
    }
    void start({ seed: s, level: Number(level.value) });
  });
  stopButton.addEventListener("click", () => {
    active = null;
    guessBox.hidden = true;
    stopButton.hidden = true;
    about.textContent = "";
    reveal.replaceChildren();
    reveal.hidden = true;
    onStop();
  });
  guessButton.addEventListener("click", () => void guess(false));
  giveUpButton.addEventListener("click", () => void guess(true));

  return {
    /** The fields a /network/run or /network/nudge body carries while a challenge is on. */
    extra: () => (active ? { challenge: active.token } : {}),
    /** The seed and level in force, for the URL ("" when no hunt is on). */
    pick: () => (active ? formatPick(active.pick) : ""),
    start,
  };
}

/**
 * The bug's record: where it was, the explanation, and the wrong and right code side by side.
 * @param {HTMLElement} box
 * @param {FoundBug} bug
 * @param {string[]} types the challenge's layer types
 */
function showBug(box, bug, types) {
  const where = bug.index < types.length ? `layer ${bug.index} (${bug.applies_to})` : `the loss (${bug.applies_to})`;
  box.hidden = false;
  box.replaceChildren(
    h("h3", {}, `The bug in ${where}: ${bug.name}`),
    h("p", {}, bug.explanation),
    h("p", { class: "hint" }, `Shows when: ${bug.shows_when}. Source: ${bug.source}.`),
    h(
      "div",
      { class: "code-pair" },
      h("figure", {}, h("figcaption", {}, "wrong"), h("pre", { class: "code wrong", tabindex: "0" }, bug.wrong)),
      h("figure", {}, h("figcaption", {}, "right"), h("pre", { class: "code right", tabindex: "0" }, bug.right)),
    ),
  );
}
