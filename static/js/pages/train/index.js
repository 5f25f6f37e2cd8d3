// Training playground: pick (or upload) a data set, build the hidden layers, choose the loss and
// the optimizer, and watch the network learn as POST /api/v1/train streams its epochs: the
// decision boundary under the points, the loss curves, each layer's gradient norm and its
// update-to-weight ratio. The server keeps no run: Pause closes the stream and Play resumes from
// the last report's checkpoint, bit for bit.
import { activity, fieldError, get, nested, post } from "../../kit/api.js";
import { byId, h, numberInput, readNumber } from "../../kit/dom.js";
import { markField } from "../../kit/errors.js";
import { num } from "../../kit/format.js";
import { Cycle, debounce } from "../../kit/lifecycle.js";
import { UrlState, keyed, num as numProp, oneOf, str } from "../../kit/state.js";
import { start } from "../../kit/page.js";
import { plotly } from "../../kit/plot.js";
import { setTex } from "../../kit/tex.js";
import { meta } from "../../kit/verdict.js";
import { expectsOf, fillOptions } from "../../kit/kinds.js";
import { HEALTHY, drawBoundary, drawLosses, drawPerLayer, emptyHistory } from "./charts.js";
import { downloadText, networkPageUrl, trainedLayers } from "./exports.js";
import { Runner } from "./runner.js";
import { MAX_WIDTH, apiLayers, decode, describe, encode, outputs } from "./stack.js";
import { streamLines } from "./stream.js";

/** @typedef {import("../../types/kit").Schemas["DataOut"]} Data */
/** @typedef {import("../../types/kit").Schemas["TrainRequest"]} Body */
/** @typedef {import("../../types/kit").Schemas["ResumeOut"]} Resume */
/** @typedef {import("./stack.js").Hidden} Hidden */

const TRAIN = "/api/v1/train";
const REPORT_EVERY = 10; // epochs between reports while playing
const BOUNDARY_EVERY = 30; // and between boundaries (a multiple of REPORT_EVERY)
const GRID = 48; // the boundary's grid side

// The optimizers' update rules come from /meta, with g the gradient of the loss plus the L2 term.
const GRADIENT = String.raw`g = \frac{\partial L}{\partial \theta} + \lambda_{2} W`;

export async function init() {
  const first = Promise.all([meta(), get("/api/v1/train/datasets")]);
  // Those requests are out: plotly.js compiles while they and the data's round trip run, instead
  // of after them (the first cycle would start it only once the data is asked for).
  plotly().catch(() => {});
  const [m, info] = await first;
  const ACTS = m.activations.map((a) => a.name);
  const OPTS = m.optimizers.map((o) => o.name);
  const HYPER = [...new Set(m.optimizers.flatMap((o) => Object.keys(o.defaults)))];
  const KINDS = Object.fromEntries(info.datasets.map((k) => [k.name, k]));
  const STATE = new UrlState({
    ds: oneOf("xor", [...Object.keys(KINDS), "csv"]),
    n: numProp(400, { min: 2, integer: true }),
    noise: numProp(0.3, { min: 0 }),
    classes: numProp(2, { min: 1, max: 10, integer: true }),
    dseed: numProp(0, { min: 0, integer: true }),
    test: numProp(0.5, { min: 0.01, max: 0.99 }),
    H: str("8:tanh~8:tanh"),
    loss: oneOf(
      "softmax_cross_entropy",
      m.losses.map((l) => l.name),
    ),
    opt: oneOf("adam", OPTS),
    hp: keyed(HYPER),
    lr: numProp(0.03, { min: 0 }),
    bs: numProp(10, { min: 1, integer: true }),
    l2: numProp(0, { min: 0 }),
    seed: numProp(0, { min: 0, integer: true }),
  });
  const state = STATE.read();
  // normalisations a hidden layer may take: the layer kinds with parameters that mix a row or a batch
  const NORMS = m.layers.filter((l) => l.params.length && (l.step === "row" || l.step === "batch")).map((l) => l.name);
  let hidden = decode(state.H, ACTS, NORMS);

  const form = byId("controls", HTMLFormElement);
  const el = {
    ds: byId("dataset", HTMLSelectElement),
    n: byId("n", HTMLInputElement),
    noise: byId("noise", HTMLInputElement),
    classes: byId("classes", HTMLInputElement),
    dseed: byId("dseed", HTMLInputElement),
    test: byId("test", HTMLInputElement),
    csv: byId("csv", HTMLInputElement),
    csvNote: byId("csv-note", HTMLElement),
    layers: byId("layers", HTMLOListElement),
    shape: byId("shape-hint", HTMLElement),
    loss: byId("loss", HTMLSelectElement),
    opt: byId("optimizer", HTMLSelectElement),
    hp: byId("hyper", HTMLElement),
    lr: byId("lr", HTMLInputElement),
    bs: byId("batch", HTMLInputElement),
    l2: byId("l2", HTMLInputElement),
    seed: byId("seed", HTMLInputElement),
    play: byId("play", HTMLButtonElement),
    step: byId("step", HTMLButtonElement),
    reset: byId("reset", HTMLButtonElement),
    status: byId("status", HTMLElement),
    rule: byId("rule", HTMLElement),
    boundary: byId("plot-boundary", HTMLElement),
    losses: byId("plot-loss", HTMLElement),
    grads: byId("plot-grads", HTMLElement),
    ratios: byId("plot-ratios", HTMLElement),
  };
  /** @type {Record<string, HTMLElement>} where an error about the data set's field goes */
  const DATASET_FIELDS = {
    n: el.n,
    noise: el.noise,
    classes: el.classes,
    seed: el.dseed,
    test_fraction: el.test,
    csv: el.csv,
  };
  const cycle = new Cycle({
    scope: form,
    cards: [el.boundary, el.losses, el.grads, el.ratios].map((gd) => /** @type {HTMLElement} */ (gd.parentElement)),
    status: byId("stale", HTMLElement),
    placement: {
      alias: { test_fraction: "test", name: "dataset" },
      locate: (path) => {
        if (path[0] === "layers" && typeof path[1] === "number")
          return el.layers.children[Math.floor(path[1] / 2)] ?? el.layers; // affine, activation, ...
        if (path[0] === "dataset") return DATASET_FIELDS[String(path[1])] ?? el.ds;
        return null;
      },
    },
  });

  /** The run as the page knows it. */
  const run = {
    /** @type {Data | null} */ data: null,
    /** @type {string | null} the uploaded file's text */ csv: null,
    epoch: 0,
    /** @type {Resume | null} where Play continues from */ resume: null,
    history: emptyHistory(),
    /** @type {any} */ boundary: null,
    /** @type {any} */ curve: null,
    /** @type {any} */ last: null,
    /** whether Play's streams run (the runner's mode, for the tests) */ playing: false,
    /** lines received and renders drawn (the tests count them) */ lines: 0,
    renders: 0,
    /** @type {string | null} the optimizer the checkpoint's state belongs to */ stateOf: null,
  };
  window.__bpx = { run };

  // ---- the request ------------------------------------------------------------------------------
  const dataset = () => ({
    name: /** @type {any} */ (state.ds),
    n: state.n,
    noise: state.noise,
    classes: state.classes,
    seed: state.dseed,
    test_fraction: state.test,
    ...(state.ds === "csv" ? { csv: run.csv ?? "" } : {}),
  });
  const shape = () =>
    run.data ?? {
      classes: KINDS[state.ds]?.max_classes ?? 2,
      regression: Boolean(KINDS[state.ds]?.regression),
      x_train: [[0, 0]],
    };
  const width = () => run.data?.x_train[0]?.length ?? KINDS[state.ds]?.width ?? 2;
  const INITS = Object.fromEntries(m.activations.map((a) => [a.name, a.init]));
  const BATCH = new Set(m.layers.filter((l) => l.step === "batch").map((l) => l.name));
  const expects = () => expectsOf(m, state.loss);
  /** The layer kind whose record gives what the loss expects (softmax for probabilities), if any. */
  const closing = () => m.layers.find((l) => l.gives !== "values" && l.gives === expects())?.name ?? null;
  const layersNow = () => apiLayers(hidden, outputs(shape(), expects()), closing(), state.seed, INITS);
  const options = () => {
    const own = m.optimizers.find((o) => o.name === state.opt)?.defaults ?? {};
    return Object.fromEntries(Object.entries(state.hp).filter(([k]) => k in own));
  };
  /**
   * @param {number} epochs
   * @param {number} every
   * @param {number} boundaryEvery
   * @returns {Body}
   */
  const body = (epochs, every, boundaryEvery) => {
    // A checkpoint of another optimizer carries the parameters on, the optimizer starts afresh.
    const resume =
      run.resume && (run.stateOf === state.opt ? run.resume : { ...run.resume, optimizer_state: {}, step: 0 });
    return /** @type {Body} */ ({
      dataset: dataset(),
      layers: layersNow(),
      loss: /** @type {any} */ (state.loss),
      optimizer: /** @type {any} */ (state.opt),
      ...options(),
      lr: state.lr,
      batch_size: state.bs,
      l2: state.l2,
      seed: state.seed,
      epochs,
      report_every: every,
      boundary_every: boundaryEvery,
      grid: GRID,
      checkpoint: true,
      ...(resume ? { resume } : {}),
    });
  };

  // ---- drawing ----------------------------------------------------------------------------------
  let frame = 0;
  const layerNames = () => hidden.map((l, k) => `layer ${k + 1} (${l.act})`).concat("output layer");
  const render = () => {
    frame = 0;
    run.renders++;
    const d = run.data;
    if (!d) return;
    void drawBoundary(el.boundary, d, run.boundary, run.curve, run.epoch);
    void drawLosses(el.losses, run.history, state.loss);
    void drawPerLayer(
      el.grads,
      run.history.epoch,
      run.history.grads,
      layerNames(),
      "gradient norm ‖∂L/∂W‖ per layer",
      "‖∂L/∂W‖",
    );
    void drawPerLayer(
      el.ratios,
      run.history.epoch,
      run.history.ratios,
      layerNames(),
      "update / weight ‖ΔW‖/‖W‖ per layer",
      "ratio",
      HEALTHY,
    );
    const r = run.last;
    const pct = (/** @type {number | null | undefined} */ v) =>
      v === null || v === undefined ? "—" : `${(100 * v).toFixed(2)}%`;
    el.status.textContent = r
      ? `epoch ${r.epoch} · loss train ${num(r.train_loss, 4)}, test ${num(r.test_loss, 4)}` +
        (d.regression ? "" : ` · accuracy train ${pct(r.train_accuracy)}, test ${pct(r.test_accuracy)}`)
      : "";
  };
  /** Draw at the next frame, once however many lines arrive before it (counted as activity). */
  const redraw = () => {
    if (frame) return;
    activity.pending++;
    frame = requestAnimationFrame(() => {
      activity.pending--;
      render();
    });
  };

  /** One line of the stream. */
  const onLine = (/** @type {any} */ line) => {
    run.lines++;
    if (line.done) {
      if (line.params) {
        run.resume = { params: line.params, optimizer_state: line.optimizer_state, epoch: line.epoch, step: line.step };
        run.stateOf = state.opt;
      }
      run.last = run.last && { ...run.last, reason: line.reason };
      // diverged, or not one epoch fitted in the time limit: Play's loop stops there
      if (line.msg) el.status.textContent = line.reason === "diverged" ? `Diverged: ${line.msg}` : line.msg;
      return;
    }
    const hist = run.history;
    if (hist.epoch.length && hist.epoch[hist.epoch.length - 1] >= line.epoch) return; // already shown
    hist.epoch.push(line.epoch);
    hist.train.push(line.train_loss);
    hist.test.push(line.test_loss);
    hist.grads.push(weightNorms(line.grad_norms));
    hist.ratios.push(line.update_ratios ?? hidden.map(() => null).concat(null));
    if (line.boundary) run.boundary = line.boundary;
    if (line.curve) run.curve = line.curve;
    if (line.resume) {
      run.resume = line.resume;
      run.stateOf = state.opt;
    }
    run.epoch = line.epoch;
    run.last = line;
    redraw();
  };
  /** The W norms of the affine layers (grad_norms holds W, b of each: every other entry). */
  const weightNorms = (/** @type {(number | null)[]} */ g) => g.filter((_, i) => i % 2 === 0);

  // ---- running ----------------------------------------------------------------------------------
  // Every stream goes through the runner: one at a time, and the Play button shows its mode.
  const runner = new Runner((mode) => {
    run.playing = mode === "playing";
    el.play.textContent = run.playing ? "❚❚ Pause" : "▶ Play";
    el.play.setAttribute("aria-pressed", String(run.playing));
  });
  /**
   * One stream from the checkpoint the page holds when it starts.
   * @param {AbortSignal} signal
   * @param {number} epochs
   * @param {number} every
   * @param {number} boundaryEvery
   */
  const stream = (signal, epochs, every, boundaryEvery) =>
    streamLines(TRAIN, body(epochs, every, boundaryEvery), signal, onLine);
  /** Streams until the epochs are done, training diverges or the runner stops it. */
  const play = async () => {
    try {
      await runner.run("playing", async (signal) => {
        // The server's bounds on one request's time and bytes: go on from the last line's resume.
        const again = () => !run.last?.msg && ["time_limit", "size_limit"].includes(run.last?.reason ?? "");
        do await stream(signal, info.max_epochs, REPORT_EVERY, BOUNDARY_EVERY);
        while (again());
      });
    } catch (err) {
      cycle.fail(err);
    }
    redraw();
  };
  const pause = () => void runner.stop();
  const step = async () => {
    try {
      await runner.run("stepping", (signal) => stream(signal, run.epoch + 1, 1, 1));
    } catch (err) {
      cycle.fail(err);
    }
  };
  /** Back to epoch 0: the data's points and the untrained network's boundary. */
  const reset = () => {
    pause();
    Object.assign(run, { epoch: 0, resume: null, history: emptyHistory(), boundary: null, curve: null, last: null });
    writeUrl();
    return cycle.run(
      async (signal) => {
        if (state.ds === "csv" && !run.csv) throw csvMissing();
        const data = await post("/api/v1/train/data", /** @type {any} */ (dataset()), signal).catch((e) => {
          throw nested(e, ["dataset"]);
        });
        run.data = data;
        showLayers();
        await runner.run("loading", (own) => {
          // A newer reset aborts this one's preview too.
          signal.addEventListener("abort", () => runner.mode === "loading" && void runner.stop());
          return stream(own, 0, 1, 1);
        });
        return data;
      },
      () => render(),
    );
  };
  const resetSoon = debounce(reset, 300);
  const csvMissing = () => fieldError(["csv"], "choose a CSV file x1,x2,label to upload (it is not kept in the link)");

  // ---- controls ---------------------------------------------------------------------------------
  const writeUrl = () => {
    state.H = encode(hidden);
    STATE.write(state);
  };
  const onError = (/** @type {unknown} */ err) => cycle.fail(err);
  /** A change that keeps the trained parameters: it takes effect on the next Play (or now). */
  const retune = () => {
    writeUrl();
    showRule();
    if (runner.mode === "playing") void play(); // from the checkpoint, with the new setting
  };

  el.ds.replaceChildren(
    ...info.datasets.map((k) => new Option(k.title, k.name)),
    new Option("Upload a CSV file (x1, x2, label)…", "csv"),
  );
  el.ds.value = state.ds;
  fillOptions(el.loss, m.losses);
  el.loss.value = state.loss;
  fillOptions(el.opt, m.optimizers);
  el.opt.value = state.opt;
  /** @type {[HTMLInputElement, "n" | "noise" | "classes" | "dseed" | "test", boolean][]} */
  const dataInputs = [
    [el.n, "n", true],
    [el.noise, "noise", false],
    [el.classes, "classes", true],
    [el.dseed, "dseed", true],
    [el.test, "test", false],
  ];
  for (const [input, key, integer] of dataInputs) {
    input.value = String(key === "test" ? state.test * 100 : state[key]);
    cycle.checks.add(
      numberInput(input, {
        integer,
        ...(key === "test" ? { min: 1, max: 99 } : {}), // percent here, a fraction in the API
        onError,
        onValue: (v) => {
          state[key] = key === "test" ? Number(v) / 100 : Number(v);
          resetSoon();
        },
      }),
    );
  }
  /** @type {[HTMLInputElement, "lr" | "bs" | "l2" | "seed", boolean, () => void][]} */
  const trainInputs = [
    [el.lr, "lr", false, retune],
    [el.bs, "bs", true, retune],
    [el.l2, "l2", false, retune],
    [el.seed, "seed", true, () => void resetSoon()],
  ];
  for (const [input, key, integer, then] of trainInputs) {
    input.value = String(state[key]);
    cycle.checks.add(numberInput(input, { integer, onError, onValue: (v) => ((state[key] = Number(v)), then()) }));
  }
  el.ds.addEventListener("change", () => {
    state.ds = /** @type {any} */ (el.ds.value);
    const kind = KINDS[state.ds];
    if (kind) {
      state.noise = kind.noise;
      state.classes = Math.min(kind.max_classes, Math.max(kind.min_classes, state.classes));
      el.noise.value = String(state.noise);
      el.classes.value = String(state.classes);
      // a regression needs a loss on values; leaving one, the loss on logits is the default
      const first = (/** @type {string} */ e) => m.losses.find((l) => l.expects === e)?.name ?? state.loss;
      if (kind.regression && expects() !== "values") state.loss = el.loss.value = first("values");
      if (!kind.regression && expects() === "values" && run.data?.regression)
        state.loss = el.loss.value = first("logits");
    }
    showData();
    void reset();
  });
  el.csv.addEventListener("change", async () => {
    const file = el.csv.files?.[0];
    if (!file) return;
    activity.pending++; // reading the file is the start of the request that follows
    try {
      run.csv = await file.text();
    } finally {
      activity.pending--;
    }
    state.ds = "csv";
    el.ds.value = "csv";
    showData();
    void reset();
  });
  el.loss.addEventListener("change", () => {
    state.loss = /** @type {any} */ (el.loss.value);
    void reset();
  });
  el.opt.addEventListener("change", () => {
    state.opt = /** @type {any} */ (el.opt.value);
    showHyper();
    retune();
  });
  el.play.addEventListener("click", () => (runner.mode === "playing" ? pause() : void play()));
  el.step.addEventListener("click", () => void step());
  el.reset.addEventListener("click", () => void reset());
  byId("add-layer", HTMLButtonElement).addEventListener("click", () => {
    hidden = [...hidden, { width: 4, act: hidden.at(-1)?.act ?? "tanh" }];
    void reset();
  });
  byId("export-json", HTMLButtonElement).addEventListener("click", () => {
    if (!run.resume) return;
    const trained = trainedLayers(layersNow(), run.resume.params, BATCH);
    const doc = { dataset: dataset(), layers: trained, loss: state.loss, epoch: run.epoch, report: run.last };
    downloadText(`weights_${state.ds}_epoch${run.epoch}.json`, JSON.stringify(doc, null, 1), "application/json");
  });
  byId("export-py", HTMLButtonElement).addEventListener("click", async () => {
    if (!run.resume) return;
    const res = await fetch(`${document.body.dataset.root || ""}${TRAIN}/script`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body(run.epoch, 1, 1)),
    });
    if (res.ok) downloadText(`trained_${state.ds}.py`, await res.text(), "text/x-python");
  });
  byId("open-network", HTMLButtonElement).addEventListener("click", () => {
    if (!run.resume || !run.data) return;
    location.href = networkPageUrl(layersNow(), run.resume.params, run.data, state.loss, expects(), BATCH);
  });

  function showData() {
    const kind = KINDS[state.ds];
    el.classes.disabled = !kind || kind.min_classes === kind.max_classes;
    el.n.disabled = el.noise.disabled = state.ds === "csv";
    el.csvNote.textContent =
      state.ds === "csv"
        ? run.csv
          ? `${run.csv.split("\n").filter((l) => l.trim()).length} lines loaded`
          : "choose a file: it is not kept in the link"
        : "";
  }

  function showHyper() {
    const own = m.optimizers.find((o) => o.name === state.opt)?.defaults ?? {};
    el.hp.replaceChildren(
      ...Object.entries(own).map(([k, def]) => {
        const input = h("input", {
          type: "number",
          id: `hp-${k}`,
          step: "any",
          value: state.hp[k] ?? "",
          placeholder: String(def),
          "data-field": k,
        });
        numberInput(input, {
          allowEmpty: true,
          onError,
          onValue: (v) => {
            if (v === null) delete state.hp[k];
            else state.hp[k] = v;
            retune();
          },
        });
        return h(
          "div",
          { class: "field" },
          h("label", { for: `hp-${k}` }, k),
          input,
          h("div", { class: "field-error", "data-error-for": k, role: "alert" }),
        );
      }),
    );
  }

  function showRule() {
    const rule = m.optimizers.find((o) => o.name === state.opt)?.rule ?? "";
    const l2 = state.l2 ? "" : String.raw`\ (\lambda_{2} = 0)`;
    void setTex(el.rule, `${GRADIENT}${l2},` + String.raw`\qquad ` + rule);
  }

  function showLayers() {
    el.layers.replaceChildren(
      ...hidden.map((l, k) => {
        const w = h("input", {
          type: "number",
          min: "1",
          max: String(MAX_WIDTH),
          value: String(l.width),
          "aria-label": `width of hidden layer ${k + 1}`,
        });
        w.addEventListener("change", () => {
          // 0, 2.5 or 5000 is said beside the box, never silently made 1 or 256
          const label = `width of hidden layer ${k + 1}`;
          const { value, error } = readNumber(w, { integer: true, min: 1, max: MAX_WIDTH, label });
          if (error) return void markField(w.closest("li") ?? el.layers, w, error.message);
          hidden = hidden.map((x, i) => (i === k ? { ...x, width: Number(value) } : x));
          void reset();
        });
        const act = h(
          "select",
          { "aria-label": `activation of hidden layer ${k + 1}` },
          ...ACTS.map((a) => new Option(a, a, false, a === l.act)),
        );
        act.addEventListener("change", () => {
          hidden = hidden.map((x, i) => (i === k ? { ...x, act: act.value } : x));
          void reset();
        });
        const norm = h(
          "select",
          { "aria-label": `normalisation of hidden layer ${k + 1}` },
          new Option("no norm", "", false, !l.norm),
          ...NORMS.map((n) => new Option(n, n, false, n === l.norm)),
        );
        norm.addEventListener("change", () => {
          hidden = hidden.map((x, i) =>
            i === k ? { width: x.width, act: x.act, ...(norm.value ? { norm: norm.value } : {}) } : x,
          );
          void reset();
        });
        const remove = h(
          "button",
          {
            type: "button",
            class: "btn btn-icon",
            "aria-label": `remove hidden layer ${k + 1}`,
            onclick: () => {
              hidden = hidden.filter((_, i) => i !== k);
              void reset();
            },
          },
          "✕",
        );
        return h(
          "li",
          { class: "layer-item" },
          h("span", { class: "idx" }, String(k + 1)),
          w,
          norm,
          act,
          h("span", { class: "grow" }),
          remove,
          h("div", { class: "field-error layer-err", role: "alert" }),
        );
      }),
    );
    el.shape.textContent =
      describe(width(), hidden, outputs(shape(), expects())) + (closing() ? ` → ${closing()}` : "");
  }

  showData();
  showHyper();
  showRule();
  showLayers();
  await reset();
}

start(init);
