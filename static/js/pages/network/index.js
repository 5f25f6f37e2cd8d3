// Network explorer: build a layer stack, run it forward and backward (with a gradient check) on
// the API, and look at every tensor as a heatmap: values, the gradient flowing back, parameter
// gradients; the softmax Jacobian of one sample.
import { start } from "../../kit/page.js";
import { get, post } from "../../kit/api.js";
import { byId, h, numberInput } from "../../kit/dom.js";
import { Cycle, debounce } from "../../kit/lifecycle.js";
import { UrlState, bool, num, str } from "../../kit/state.js";
import { meta } from "../../kit/verdict.js";
import { expectsOf, fillOptions } from "../../kit/kinds.js";
import { decodeRows, encodeRows, matrixText, parseMatrix, parseTargets } from "./data.js";
import { checkKey, hasArrays, renderGradcheck } from "./gradcheck.js";
import { formatSelection, markSelected, parseSelection, renderGraph } from "./graph.js";
import { huntMode } from "./hunt.js";
import { formatPick, parsePick } from "./huntpick.js";
import { jacobianView, softmaxInput } from "./jacobian.js";
import { renderLayers } from "./layerlist.js";
import { apiLayers, decode, encode, fromPreset, seeded, widths } from "./stack.js";
import { partsFor } from "./result.js";
import { showSeed } from "./seed.js";
import { stepsOf } from "./step.js";
import { nudgeView } from "./nudge.js";
import { backwardView } from "./backward.js";
import { EXERCISE_STATE } from "./exercise.js";
import { tensorPanel } from "./tensors.js";

/** @typedef {import("./result.js").Result} Result */
/** @typedef {import("../../types/kit").Schemas["NetworkPreset"]} Preset */
/** @typedef {import("./stack.js").Layer} Layer */
/** @typedef {{x: number[][], targets: number[] | number[][]}} Data */

const STATE = new UrlState({
  data: str("notebook"), // a preset's name, or "custom" for the pasted matrices X and T
  L: str(""), // the stack (stack.js encode); empty: the preset's
  loss: str("cross_entropy"),
  gc: bool(true),
  gca: bool(false), // the gradient check's elementwise heatmap open (its arrays are fetched only then)
  h: num(1e-5),
  sel: str("0"), // the selected node: "x", a layer's index, or "loss"
  cell: str(""), // the selected cell "n,k,j" (sample, input column, output column) the steps are written with
  gct: str(""), // the gradient-check row shown: "<layer>:<param>"
  sample: num(0, { min: 0, integer: true }), // the Jacobian's sample
  base: str(""), // the preset whose rows the pasted data was started from (X and T refer to them)
  X: str(""),
  T: str(""),
  W: str(""), // a trained stack from the Training page (JSON layers), named "train" in L
  Wt: str(""), // what those weights are ("trained on the Training page to epoch 120")
  Xt: str(""), // which rows of the Training page's data X and T are ("test rows 1–16 of 120")
  ...EXERCISE_STATE, // "write the backward": the gradient, the answer, a teacher's fixings
  hunt: str(""), // a bug hunt's "seed:level" (hunt.js): a teacher's link sets the challenge
});
const AUTO_RUN_MAX_ROWS = 200; // bigger batches wait for the Run button
const URL_DATA_MAX = 30000; // pasted data longer than this (after the preset rows it reuses) is not put in the link

export async function init() {
  const state = STATE.read();
  const form = byId("controls", HTMLFormElement);
  const xText = byId("x-text", HTMLTextAreaElement);
  const tText = byId("t-text", HTMLTextAreaElement);
  const status = byId("status", HTMLElement);
  const runButton = byId("run", HTMLButtonElement);
  const graph = byId("graph", HTMLElement);
  const layerList = byId("layers", HTMLOListElement);
  const sample = byId("sample", HTMLInputElement);
  const cycle = new Cycle({
    scope: form,
    cards: [
      byId("card-tensors", HTMLElement),
      byId("card-gc", HTMLElement),
      byId("card-jac", HTMLElement),
      byId("card-seed", HTMLElement),
      graph,
    ],
    placement: {
      locate: (path) =>
        path[0] === "layers" && typeof path[1] === "number" ? (layerList.children[path[1]] ?? null) : null,
    },
  });
  for (const card of cycle.cards) card.dataset.stale = "out of date — Run";
  const onError = (/** @type {unknown} */ err) => cycle.fail(err);

  /**
   * The API's warnings beside what they concern: a layer, the loss, or the input.
   * @param {{code: string, msg: string, loc: (string | number)[]}[]} warnings
   */
  const showWarnings = (warnings) => {
    form.querySelectorAll(".warn-note").forEach((n) => n.remove());
    for (const w of warnings) {
      const [head, i] = w.loc;
      const host =
        head === "layers" && typeof i === "number"
          ? layerList.children[i]
          : byId(head === "loss" ? "loss" : "data", HTMLElement).closest(".field");
      host?.append(h("div", { class: "field-note warn-note", role: "status", dataset: { warn: w.code } }, w.msg));
    }
  };
  const nudgeCard = byId("card-nudge", HTMLElement);
  const nudge = nudgeView({
    card: nudgeCard,
    gd: byId("hm-nudge", HTMLElement),
    note: byId("nudge-note", HTMLElement),
    title: byId("nudge-title", HTMLElement),
    warnings: byId("nudge-warnings", HTMLElement),
    noWarnings: byId("nudge-no-warnings", HTMLElement),
    min: byId("nudge-min", HTMLInputElement),
    max: byId("nudge-max", HTMLInputElement),
    cycle: new Cycle({ scope: nudgeCard, cards: [nudgeCard] }),
  });
  /** @type {Record<string, unknown> | null} */
  let lastBody = null;
  /** @type {import("../../types/kit").Schemas["NetworkRequest"] | null} the last run's request */
  let lastRun = null;
  const panel = tensorPanel({
    onWeight: (index, entry) => {
      if (lastBody) void nudge.pick(lastBody, index, entry);
    },
    onCell: (role, i, j) => {
      const c = cellOf(state.cell);
      if (role === "nj") Object.assign(c, { n: i, j });
      else if (role === "nk") Object.assign(c, { n: i, k: j });
      else if (role === "nc") Object.assign(c, { n: i, k: j, j });
      else if (role === "kj") Object.assign(c, { k: i, j });
      else c.j = j;
      state.cell = `${c.n},${c.k},${c.j}`;
      writeUrl();
      void panel.mark();
      if (result) void showSeed(seedEls, result, state.loss, m, panel.start, c);
      if (stepAt >= 0) writeStep();
    },
    cell: () => cellOf(state.cell),
    title: byId("sel-title", HTMLElement),
    sub: byId("sel-sub", HTMLElement),
    formula: byId("sel-formula", HTMLElement),
    slots: ["hm-a", "hm-b", "hm-c", "hm-d"].map((id) => byId(id, HTMLElement)),
    window: byId("row-window", HTMLInputElement),
    windowNote: byId("row-window-note", HTMLElement),
    // The seed, the gradient check's heatmap and the Jacobian follow the same window of rows.
    onWindow: (start) => {
      if (result) void showSeed(seedEls, result, state.loss, m, start, cellOf(state.cell));
      void showGradcheck();
      void jac.window(start);
    },
    extraRows: () => {
      const rows = result && shownData ? softmaxInput(result, shownData.x, expectsOf(m, state.loss)) : null;
      return rows?.[0]?.length ?? 0; // the Jacobian is as tall as the softmax is wide
    },
  });
  const jac = jacobianView({
    card: byId("card-jac", HTMLElement),
    gd: byId("hm-jac", HTMLElement),
    sample,
    note: byId("jac-note", HTMLElement),
  });
  const seedEls = { gd: byId("hm-seed", HTMLElement), formula: byId("seed-formula", HTMLElement) };
  const gcEls = {
    table: byId("gc-table", HTMLTableElement),
    heat: byId("hm-rel", HTMLElement),
    rule: byId("gc-rule", HTMLElement),
  };
  const gcMore = byId("gc-more", HTMLDetailsElement);
  const exercise = backwardView(
    {
      open: byId("bw-open", HTMLDetailsElement),
      form: byId("bw-form", HTMLFormElement),
      target: byId("bw-target", HTMLSelectElement),
      answer: byId("bw-answer", HTMLTextAreaElement),
      names: byId("bw-names", HTMLElement),
      reveal: byId("bw-reveal", HTMLButtonElement),
      allow: byId("bw-allow", HTMLInputElement),
      link: byId("bw-link", HTMLAnchorElement),
      verdict: byId("bw-verdict", HTMLElement),
      hint: byId("bw-hint", HTMLElement),
      heat: byId("hm-bw", HTMLElement),
      reference: byId("bw-reference", HTMLElement),
      page: document.body,
    },
    {
      state,
      save: () => writeUrl(),
      // the graph shows the node whose gradient is asked for (the loss for the seed)
      onTarget: (i) => select(parseSelection(String(i), result?.forward.length ?? layers.length)),
    },
  );
  const gcCycle = new Cycle({ scope: byId("card-gc", HTMLElement), cards: [gcEls.heat] });

  const [m, pr] = await Promise.all([meta(), get("/api/v1/network/presets")]);
  /** @type {Record<string, Preset>} */
  const presets = Object.fromEntries(pr.presets.map((p) => [p.name, p]));
  const trained = trainedPreset(state.W, state.loss);
  if (trained) presets.train = trained;
  const types = m.layers.map((l) => l.name);
  fillOptions(byId("loss", HTMLSelectElement), m.losses);
  if (state.data !== "custom" && !presets[state.data]) state.data = pr.presets[0].name;
  if (!m.losses.some((l) => l.name === state.loss)) state.loss = m.losses[0].name;
  /** @type {Layer[]} */
  let layers = state.L ? decode(state.L, presets, m.inits) : fromPreset(presets[state.data] || pr.presets[0]);
  if (!state.L && state.data !== "custom") state.loss = presets[state.data].loss;
  /** @type {Result | null} */
  let result = null;
  /** @type {Data | null} */
  let shownData = null;

  /** The data to run on: a preset's, or the pasted matrices (refused at their box if not numbers). */
  const currentData = () => {
    if (state.data !== "custom") {
      const p = presets[state.data];
      return /** @type {Data} */ ({ x: p.x, targets: p.targets });
    }
    return {
      x: parseMatrix(xText.value, "x"),
      targets: parseTargets(tText.value, expectsOf(m, state.loss) !== "values"),
    };
  };
  /** The data if it parses (else the run shows why, at its box). */
  const parsed = () => {
    try {
      return currentData();
    } catch {
      return null;
    }
  };
  const dataWidth = () => (parsed() ?? shownData)?.x[0]?.length ?? 2;

  const writeUrl = () => {
    const custom = state.data === "custom";
    const base = custom ? presets[state.base] : undefined;
    if (!base) state.base = "";
    const [X, T] = custom ? [encodeRows(xText.value, base?.x), encodeRows(tText.value, base?.targets)] : ["", ""];
    const fits = X.length + T.length <= URL_DATA_MAX;
    Object.assign(state, { L: encode(layers), ...(fits ? { X, T } : { X: "", T: "" }) });
    byId("link-note", HTMLElement).textContent = fits
      ? ""
      : "This data is too long for the link: a copied link opens without it.";
    STATE.write(state);
  };

  function showLayers() {
    renderLayers(layerList, layers, {
      width: dataWidth(),
      types,
      inits: m.inits,
      given: (ref) => (ref.startsWith("train.") && state.Wt ? `W and b ${state.Wt}` : "the preset's W and b"),
      onError,
      onChange: (next) => {
        layers = next;
        changed();
      },
    });
    byId("add-type", HTMLSelectElement).replaceChildren(...types.map((t) => new Option(t, t)));
    const w = widths(layers, dataWidth());
    const x = parsed()?.x;
    const rows = x ? `x is ${x.length} × ${x[0]?.length ?? 0}; ` : "";
    byId("shape-hint", HTMLElement).textContent = `${rows}output width ${w.out}`;
  }

  /** Whether the gradient check of a node passed: all its rows, or null without a check. */
  const gcStatus = (/** @type {import("./graph.js").Selection} */ s) => {
    const rows = (result?.gradcheck ?? []).filter((g) =>
      s.kind === "input" ? g.param === "x" : s.kind === "layer" ? g.index === s.index && g.param !== "x" : false,
    );
    return rows.length ? (rows.every((g) => g.passed) ? "pass" : "fail") : null;
  };

  const selection = () => parseSelection(state.sel, result?.forward.length ?? layers.length);
  const select = (/** @type {import("./graph.js").Selection} */ s) => {
    state.sel = formatSelection(s);
    writeUrl();
    markSelected(graph, s);
    if (result && shownData) void panel.show(s, result, shownData, state.loss, m);
  };
  const showGradcheck = () =>
    renderGradcheck(gcEls, gcMore.open ? result : result && { ...result, gradcheck: withoutArrays(result) }, {
      key: state.gct,
      enabled: state.gc,
      meta: m,
      start: panel.start,
      onPick: (key) => {
        state.gct = key;
        writeUrl();
        void showGradcheck();
      },
    });

  const run = () => {
    writeUrl();
    cycle.placement.alias = state.data === "custom" ? {} : { x: "data", targets: "data" };
    status.textContent = "running…";
    runButton.disabled = true;
    const t0 = performance.now();
    return cycle
      .run(
        async (signal) => {
          const data = currentData();
          const body = {
            x: data.x,
            targets: data.targets,
            layers: apiLayers(layers, data.x[0]?.length ?? 0),
            loss: /** @type {"mse"} */ (state.loss),
            gradcheck: state.gc,
            h: state.h,
            // Only what the page draws: the check's per-entry arrays while their heatmap is open.
            include: partsFor({ gradcheck: state.gc, arrays: state.gca }),
            ...hunt.extra(), // a bug hunt's challenge: the run plants its hidden bug
          };
          // forward, backward, params and seed are always asked for: the answer has them.
          const r = /** @type {Result} */ (await post("/api/v1/network/run", body, signal));
          return { data, r, body };
        },
        async ({ data, r, body }) => {
          lastBody = { x: body.x, targets: body.targets, layers: body.layers, loss: body.loss, ...hunt.extra() };
          lastRun = body;
          exercise.update(body, r.backward);
          result = r;
          shownData = data;
          showWarnings(r.warnings ?? []);
          status.textContent = `done in ${Math.round(performance.now() - t0)} ms`;
          if (r.gradcheck?.length && !r.gradcheck.some((g) => checkKey(g) === state.gct))
            state.gct = checkKey(r.gradcheck[0]);
          const sel = selection();
          state.sel = formatSelection(sel);
          writeUrl();
          renderGraph(graph, r, { x: data.x, selected: sel, loss: state.loss, status: gcStatus, onSelect: select });
          await Promise.all([
            panel.show(sel, r, data, state.loss, m),
            showGradcheck(),
            showSeed(seedEls, r, state.loss, m, panel.start, cellOf(state.cell)),
            jac.update(r, data.x, state.loss, state.sample),
          ]);
          if (stepAt >= 0) showStep();
          if (gcMore.open && !hasArrays(r)) void fetchArrays();
        },
      )
      .finally(() => {
        runButton.disabled = false;
        if (status.textContent === "running…") status.textContent = "";
      });
  };
  const runSoon = debounce(run, 250);

  /** The gradient check's per-entry arrays of the run shown, asked for when their heatmap opens. */
  const fetchArrays = () => {
    const [r0, body] = [result, lastRun];
    if (!r0 || !body?.gradcheck) return Promise.resolve(null);
    return gcCycle.run(
      (signal) => post("/api/v1/network/run", { ...body, include: ["gradcheck_arrays"] }, signal),
      (a) => {
        if (result !== r0 || !a.gradcheck) return null; // a newer run has come meanwhile
        r0.gradcheck = a.gradcheck;
        return Promise.all([showGradcheck(), shownData ? panel.show(selection(), r0, shownData, state.loss, m) : null]);
      },
    );
  };
  gcMore.addEventListener("toggle", () => {
    state.gca = gcMore.open;
    writeUrl();
    if (gcMore.open && result && !hasArrays(result)) void fetchArrays();
    else void showGradcheck();
  });

  // ---- step mode: -1 is the all-at-once view --------------------------------------------------
  let stepAt = -1;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let playing = null;
  const stepText = byId("step-text", HTMLElement);
  const playButton = byId("step-play", HTMLButtonElement);
  const stop = () => {
    if (playing !== null) clearTimeout(playing);
    playing = null;
    playButton.textContent = "▶ play";
  };
  const stepList = () =>
    result && shownData ? stepsOf(result, shownData, state.loss, cellOf(state.cell), m, lastRun?.layers) : [];
  /** Write the current step's chain rule with the selected cell's numbers. */
  const writeStep = () => {
    const steps = stepList();
    const s = steps[stepAt];
    if (!s) return;
    Object.assign(stepText.dataset, { step: String(stepAt), phase: s.phase });
    stepText.replaceChildren(
      h(
        "div",
        { class: "step-head" },
        `step ${stepAt + 1} of ${steps.length}, ${s.head}`,
        h("span", { class: "step-cell" }, ` · the outlined cell's numbers (click another cell to choose it)`),
      ),
      ...s.eqs.map((e) =>
        h("div", { class: "eq", dataset: { name: e.name, value: String(e.value), api: String(e.api) } }, e.text),
      ),
    );
  };
  const showStep = () => {
    if (!result || !shownData) return;
    const steps = stepList();
    stepAt = Math.min(stepAt, steps.length - 1);
    graph.querySelectorAll(".node.current").forEach((b) => b.classList.remove("current"));
    if (stepAt < 0) {
      stepText.replaceChildren();
      delete stepText.dataset.step;
      delete stepText.dataset.phase;
      select(selection());
      return;
    }
    const s = steps[stepAt];
    writeStep();
    graph.querySelector(`.node[data-node='${formatSelection(s.sel)}']`)?.classList.add("current");
    state.sel = formatSelection(s.sel);
    writeUrl();
    markSelected(graph, s.sel);
    void panel.show(s.sel, result, shownData, state.loss, m).then(() => {
      // Going forward only the layer's output exists yet.
      if (s.phase === "forward") panel.slots.slice(1).forEach((gd) => (gd.style.visibility = "hidden"));
    });
  };
  const stepBy = (/** @type {number} */ d) => {
    if (!result || !shownData) return;
    const last = stepList().length - 1;
    stepAt = Math.max(-1, Math.min(last, stepAt + d));
    showStep();
    return stepAt < last;
  };
  const play = () => {
    if (playing !== null) return stop();
    playButton.textContent = "❚❚ pause";
    const tick = () => {
      playing = stepBy(1) ? setTimeout(tick, Number(byId("step-speed", HTMLSelectElement).value)) : null;
      if (playing === null) stop();
    };
    tick();
  };
  const reset = () => {
    stop();
    stepAt = -1;
    showStep();
  };
  byId("step-next", HTMLButtonElement).addEventListener("click", () => stepBy(1));
  byId("step-back", HTMLButtonElement).addEventListener("click", () => stepBy(-1));
  playButton.addEventListener("click", play);
  byId("step-reset", HTMLButtonElement).addEventListener("click", reset);
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    const typing =
      t instanceof HTMLInputElement ||
      t instanceof HTMLTextAreaElement ||
      t instanceof HTMLSelectElement ||
      (t instanceof HTMLElement && t.isContentEditable) ||
      // space on a button or a focusable row is its own click
      (e.key === " " && t instanceof HTMLElement && t.closest("button, [tabindex]") !== null);
    if (typing || e.altKey || e.ctrlKey || e.metaKey) return;
    const act = { ArrowRight: () => stepBy(1), ArrowLeft: () => stepBy(-1), " ": play, r: reset }[e.key];
    if (!act) return;
    e.preventDefault();
    act();
  });

  function changed() {
    showLayers();
    writeUrl();
    cycle.outdated();
    showWarnings([]);
    const rows = parsed()?.x.length ?? 0; // 0: the run shows why the data does not parse
    if (rows <= AUTO_RUN_MAX_ROWS) runSoon();
    else status.textContent = `changed: press Run (${rows} samples${state.gc ? ", with gradient check" : ""})`;
  }

  // ---- events ----------------------------------------------------------------------------------
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    runSoon.flush();
  });
  const dataSelect = byId("data", HTMLSelectElement);
  dataSelect.addEventListener("change", () => {
    const prev = state.data;
    state.data = dataSelect.value;
    byId("custom-data", HTMLElement).hidden = state.data !== "custom";
    if (state.data === "custom") {
      if (!xText.value.trim()) {
        const src = presets[prev] && presets[prev].x.length <= 60 ? presets[prev] : presets.toy_2d;
        if (src) [xText.value, tText.value] = [matrixText(src.x), matrixText(src.targets)];
        state.base = src ? src.name : "";
      }
    } else {
      layers = fromPreset(presets[state.data]);
      state.loss = presets[state.data].loss;
      byId("loss", HTMLSelectElement).value = state.loss;
    }
    state.sel = "0";
    changed();
  });
  for (const box of [xText, tText]) box.addEventListener("input", debounce(changed, 400));
  // the rows the Training page sent, said until the learner edits them
  const sentNote = byId("sent-note", HTMLElement);
  const showSent = () => {
    sentNote.hidden = !state.Xt;
    sentNote.textContent = state.Xt ? `x and targets: ${state.Xt} of the Training page's data.` : "";
  };
  for (const box of [xText, tText])
    box.addEventListener("input", () => {
      state.Xt = "";
      showSent();
    });
  showSent();
  byId("loss", HTMLSelectElement).addEventListener("change", (e) => {
    state.loss = /** @type {HTMLSelectElement} */ (e.target).value;
    changed();
  });
  byId("gc", HTMLInputElement).addEventListener("change", (e) => {
    state.gc = /** @type {HTMLInputElement} */ (e.target).checked;
    changed();
  });
  byId("h", HTMLSelectElement).addEventListener("change", (e) => {
    state.h = Number(/** @type {HTMLSelectElement} */ (e.target).value);
    changed();
  });
  byId("add-layer", HTMLButtonElement).addEventListener("click", () => {
    const t = byId("add-type", HTMLSelectElement).value;
    layers = [...layers, t === "affine" ? seeded(layers.length) : { kind: "plain", type: t }];
    changed();
  });
  jac.cycle.checks.add(
    numberInput(sample, {
      integer: true,
      label: "sample",
      onError: (err) => jac.cycle.fail(err),
      onValue: (v) => {
        state.sample = Math.max(0, v ?? 0);
        writeUrl();
        if (result && shownData) void jac.update(result, shownData.x, state.loss, state.sample);
      },
    }),
  );

  // ---- bug hunt: its network replaces the stack and the data, with its bug hidden on the server ---
  const hunt = huntMode({
    host: byId("hunt", HTMLElement),
    reveal: byId("hunt-reveal", HTMLElement),
    pick: parsePick(state.hunt),
    onStart: (network, pick) => {
      state.hunt = formatPick(pick);
      Object.assign(state, { data: "custom", base: "", loss: network.loss, gc: true, sel: "0" });
      [dataSelect.value, byId("loss", HTMLSelectElement).value] = ["custom", network.loss];
      byId("custom-data", HTMLElement).hidden = false;
      byId("gc", HTMLInputElement).checked = true;
      [xText.value, tText.value] = [matrixText(network.x), matrixText(network.targets)];
      layers = fromPreset({ name: "hunt", title: "", ...network });
      changed();
      runSoon.flush();
    },
    onStop: () => {
      state.hunt = "";
      changed();
    },
  });

  // ---- first view ------------------------------------------------------------------------------
  dataSelect.value = state.data;
  byId("custom-data", HTMLElement).hidden = state.data !== "custom";
  if (state.data === "custom")
    [xText.value, tText.value] = [
      decodeRows(state.X, presets[state.base]?.x),
      decodeRows(state.T, presets[state.base]?.targets),
    ];
  byId("loss", HTMLSelectElement).value = state.loss;
  byId("gc", HTMLInputElement).checked = state.gc;
  gcMore.open = state.gca;
  const hOption = [...byId("h", HTMLSelectElement).options].find((o) => Number(o.value) === state.h);
  if (hOption) byId("h", HTMLSelectElement).value = hOption.value;
  sample.value = String(state.sample);
  showLayers();
  const pick = parsePick(state.hunt);
  if (pick) await hunt.start(pick);
  else await run();
}

start(init);

/**
 * The run's checks as the table shows them while the heatmap is closed (verdicts only).
 * @param {Result} r
 */
function withoutArrays(r) {
  return r.gradcheck?.map(({ numeric: _n, rel_error: _r, ...g }) => g) ?? null;
}

/**
 * The selected cell a URL names ("n,k,j"; missing or damaged parts are 0).
 * @param {string} text
 * @returns {import("./step.js").Cell}
 */
function cellOf(text) {
  const [n = 0, k = 0, j = 0] = text.split(",").map((v) => Math.max(0, Math.round(Number(v)) || 0));
  return { n, k, j };
}

/**
 * The stack the Training page sent (its layers with their trained W and b), as a preset named
 * "train" that the stack's URL text refers to ("affine:=train.0"); null if there is none.
 * @param {string} text
 * @param {string} loss
 * @returns {Preset | null}
 */
function trainedPreset(text, loss) {
  if (!text) return null;
  try {
    const layers = JSON.parse(text);
    if (!Array.isArray(layers)) return null;
    return /** @type {Preset} */ ({
      name: "train",
      title: "trained on the Training page",
      x: [],
      targets: [],
      layers,
      loss,
    });
  } catch {
    return null; // a damaged link: the layers fall back to seeded ones
  }
}
