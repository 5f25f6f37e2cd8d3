// Training playground: pick (or upload) a data set, build the hidden layers, choose the loss and
// the optimizer, and watch the network learn as POST /api/v1/train streams its epochs: the
// decision boundary under the points, the loss curves, each layer's gradient norm and its
// update-to-weight ratio. The server keeps no run: Pause closes the stream and Play resumes from
// the last report's checkpoint, bit for bit. This module only wires the panels.
import { get, nested, post } from "../../kit/api.js";
import { byId } from "../../kit/dom.js";
import { Cycle, debounce } from "../../kit/lifecycle.js";
import { start } from "../../kit/page.js";
import { plotly } from "../../kit/plot.js";
import { UrlState, keyed, num, oneOf, str } from "../../kit/state.js";
import { meta } from "../../kit/verdict.js";
import { expectsOf } from "../../kit/kinds.js";
import { dataPanel } from "./data-panel.js";
import { exportPanel } from "./export-panel.js";
import { bindKeys } from "./keys.js";
import { layersPanel } from "./layers-panel.js";
import { linkPanel, readLink } from "./link.js";
import { lossFor } from "./choices.js";
import { optimizerPanel } from "./optimizer-panel.js";
import { carried, doneNote, newRun, rewind, takeLine } from "./progress.js";
import { player as playerOf } from "./player.js";
import { trainBody } from "./request.js";
import { apiLayers, describe, outputs } from "./stack.js";
import { streamLines } from "./stream.js";
import { trainView } from "./view.js";

const TRAIN = "/api/v1/train";

export async function init() {
  const first = Promise.all([meta(), get("/api/v1/train/datasets")]);
  // Those requests are out: plotly.js compiles while they and the data's round trip run, instead
  // of after them (the first cycle would start it only once the data is asked for).
  plotly().catch(() => {});
  const [m, info] = await first;
  const OPTIMIZERS = m.optimizers.map((o) => o.name);
  const HYPER = [...new Set(m.optimizers.flatMap((o) => Object.keys(o.defaults)))];
  const STATE = new UrlState({
    ds: oneOf("xor", [...info.datasets.map((k) => k.name), "csv"]),
    n: num(400, { min: 2, integer: true }),
    noise: num(0.3, { min: 0 }),
    classes: num(2, { min: 1, max: 10, integer: true }),
    dseed: num(0, { min: 0, integer: true }),
    test: num(0.5, { min: 0.01, max: 0.99 }),
    H: str("8:tanh~8:tanh"), // the hidden layers (stack.js encode)
    loss: oneOf(
      "softmax_cross_entropy",
      m.losses.map((l) => l.name),
    ),
    opt: oneOf("adam", OPTIMIZERS),
    hp: keyed(HYPER), // the optimizer's own settings
    lr: num(0.03, { min: 0 }),
    bs: num(10, { min: 1, integer: true }),
    l2: num(0, { min: 0 }),
    seed: num(0, { min: 0, integer: true }),
    send: oneOf("test:16", ["test:16", "test:all", "train:16", "train:all"]), // rows for the Network page
    R: str(""), // the trained state, when it fits a link (link.js)
  });
  const state = STATE.read();
  const run = newRun();
  window.__bpx = { run };

  const INITS = Object.fromEntries(m.activations.map((a) => [a.name, a.init]));
  const BATCH = new Set(m.layers.filter((l) => l.step === "batch").map((l) => l.name));
  // normalisations a hidden layer may take: the layer kinds with parameters that mix a row or a batch
  const NORMS = m.layers.filter((l) => l.params.length && (l.step === "row" || l.step === "batch")).map((l) => l.name);
  const expects = () => expectsOf(m, state.loss);
  /** The layer kind whose record gives what the loss expects (softmax for probabilities), if any. */
  const closing = () => m.layers.find((l) => l.gives !== "values" && l.gives === expects())?.name ?? null;

  /** @type {Set<() => unknown>} */
  const checks = new Set();
  const onError = (/** @type {unknown} */ err) => cycle.fail(err);
  const reset = () => void resetNow();
  const resetSoon = debounce(reset, 300);
  const data = dataPanel({
    state,
    info,
    checks,
    onError,
    loaded: () => run.data,
    onKind: (kind) => opt.setLoss(lossFor(m, state.loss, Boolean(kind.regression), Boolean(run.data?.regression))),
    reset,
    resetSoon,
  });
  const layers = layersPanel({ text: state.H, acts: m.activations.map((a) => a.name), norms: NORMS, reset });
  const opt = optimizerPanel({ m, state, checks, onError, retune: () => retune(), reset, resetSoon });
  const view = trainView({
    run,
    loss: () => state.loss,
    onRender: () => exports.show(),
    layerNames: () =>
      layers
        .hidden()
        .map((l, k) => `layer ${k + 1} (${l.act})`)
        .concat("output layer"),
  });
  const cycle = new Cycle({
    scope: byId("controls", HTMLFormElement),
    cards: view.cards,
    status: byId("stale", HTMLElement),
    placement: {
      alias: { test_fraction: "test", name: "dataset" },
      locate: (path) => {
        if (path[0] === "layers" && typeof path[1] === "number") return layers.rowAt(Math.floor(path[1] / 2)); // affine, activation, ...
        if (path[0] === "dataset") return data.fields[String(path[1])] ?? byId("dataset", HTMLElement);
        return null;
      },
    },
  });
  for (const check of checks) cycle.checks.add(/** @type {any} */ (check));

  // ---- the request and its stream --------------------------------------------------------------
  const out = () => outputs(data.task(), expects());
  const layersNow = () => apiLayers(layers.hidden(), out(), closing(), state.seed, INITS);
  const parts = () => ({
    ...state,
    dataset: data.dataset(),
    layers: layersNow(),
    options: opt.options(),
    resume: carried(run.resume, run.stateOf, state.opt),
  });
  /** One line of the stream. */
  const onLine = (/** @type {any} */ line) => {
    const took = takeLine(run, line, state.opt, layers.hidden().length + 1);
    const note = took === "done" ? doneNote(line) : null;
    if (note) view.say(note); // diverged, or not one epoch fitted in the time limit
    if (took === "report") view.redraw();
  };
  const link = linkPanel({ state, save: () => writeUrl() });
  // every stream goes through the player's runner, one at a time
  const player = playerOf({
    button: byId("play", HTMLButtonElement),
    maxEpochs: info.max_epochs,
    last: () => run.last,
    epoch: () => run.epoch,
    stream: (signal, epochs, every, boundaryEvery) =>
      streamLines(TRAIN, trainBody(parts(), epochs, every, boundaryEvery), signal, onLine),
    onMode: (mode) => {
      if (mode === "idle") link.keep(run.resume, run.epoch); // the link reopens where it stopped
      run.playing = mode === "playing";
    },
    onFail: (err) => cycle.fail(err),
    onPlayed: () => view.redraw(),
  });
  /**
   * Back to epoch 0: the data's points and the untrained network's boundary; or to the trained
   * state `from` (a link's) and its boundary.
   * @param {import("./link.js").Resume | null} [from]
   */
  const resetNow = (from = null) => {
    player.pause();
    rewind(run);
    if (from) Object.assign(run, { resume: from, stateOf: state.opt });
    else link.keep(null, 0);
    return cycle.run(
      async (signal) => {
        const missing = data.missing();
        if (missing) throw missing;
        const got = await post("/api/v1/train/data", /** @type {any} */ (data.dataset()), signal).catch((e) => {
          throw nested(e, ["dataset"]);
        });
        run.data = got;
        showLayers();
        await player.preview(signal, run.resume?.epoch ?? 0);
        return got;
      },
      () => view.render(),
    );
  };
  const writeUrl = () => {
    state.H = layers.encoded();
    STATE.write(state);
  };
  /** A change that keeps the trained parameters: it takes effect on the next Play (or now). */
  const retune = () => {
    writeUrl();
    run.warnings = {}; // they judged the old setting
    view.redraw();
    if (player.mode() === "playing") void player.play(); // from the checkpoint, with the new setting
  };
  const showLayers = () =>
    layers.show(describe(data.width(), layers.hidden(), out()) + (closing() ? ` → ${closing()}` : ""));

  const step = () => void player.step();
  byId("play", HTMLButtonElement).addEventListener("click", player.toggle);
  byId("step", HTMLButtonElement).addEventListener("click", step);
  byId("reset", HTMLButtonElement).addEventListener("click", reset);
  bindKeys(document, { toggle: player.toggle, step, reset });
  const exports = exportPanel({
    run,
    state,
    layers: layersNow,
    body: () => trainBody(parts(), run.epoch, 1, 1),
    expects,
    batch: BATCH,
    script: `${TRAIN}/script`,
    save: writeUrl,
  });

  data.show();
  showLayers();
  await resetNow(readLink(state.R));
}

start(init);
