// Network explorer: build a layer stack, run it forward and backward (with a gradient check) on
// the API, and look at every tensor as a heatmap: values, the gradient flowing back, parameter
// gradients; the softmax Jacobian of one sample. This module only wires the panels together.
import { start } from "../../kit/page.js";
import { get } from "../../kit/api.js";
import { byId } from "../../kit/dom.js";
import { UrlState, bool, num, str } from "../../kit/state.js";
import { meta } from "../../kit/verdict.js";
import { expectsOf, fillOptions } from "../../kit/kinds.js";
import { backwardEls, backwardView } from "./backward.js";
import { dataEls, dataInput } from "./datainput.js";
import { EXERCISE_STATE } from "./exercise.js";
import { gradcheckCard, gradcheckEls } from "./gradcheck.js";
import { parseSelection } from "./graph.js";
import { huntMode } from "./hunt.js";
import { formatPick, parsePick } from "./huntpick.js";
import { jacobianEls, jacobianView, softmaxInput } from "./jacobian.js";
import { stackEditor, stackEls } from "./layerlist.js";
import { nodeView } from "./nodeview.js";
import { NUDGE_STATE, nudgeEls, nudgeView } from "./nudge.js";
import { nudgeBody, runBody } from "./result.js";
import { runner, runnerEls } from "./runner.js";
import { showSeed } from "./seed.js";
import { settings, settingsEls } from "./settings.js";
import { apiLayers, decode, encode, fromPreset, openPresets } from "./stack.js";
import { cellOf, cellText, clickCell, stepsOf } from "./step.js";
import { STEP_STATE, stepper, stepperEls } from "./stepper.js";
import { showWarnings } from "./warnings.js";

/** @typedef {import("./result.js").Result} Result */
/** @typedef {import("./datainput.js").Data} Data */
/** @typedef {import("../../types/kit").Schemas["NetworkRequest"]} RunBody */

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
  ...STEP_STATE, // the step shown
  ...NUDGE_STATE, // the weight nudged and the range of Δ
  hunt: str(""), // a bug hunt's "seed:level" (hunt.js): a teacher's link sets the challenge
});

export async function init() {
  const state = STATE.read();
  const save = () => writeUrl();
  const form = byId("controls", HTMLFormElement);
  const layerList = byId("layers", HTMLOListElement);
  const nudge = nudgeView(nudgeEls(), { state, save });
  /** @type {{result: Result, data: Data, body: RunBody} | null} */
  let last = null;
  const seedEls = { gd: byId("hm-seed", HTMLElement), formula: byId("seed-formula", HTMLElement) };
  const drawSeed = () => last && showSeed(seedEls, last.result, state.loss, m, view.panel.start, cellOf(state.cell));
  const view = nodeView(byId("graph", HTMLElement), {
    state,
    save,
    layerCount: () => stack.layers().length,
    onWeight: (index, entry) => last && nudge.pick(nudgeBody(last.body), index, entry),
    onCell: (role, i, j) => {
      state.cell = cellText(clickCell(cellOf(state.cell), role, i, j));
      save();
      void view.panel.mark();
      void drawSeed();
      steps.write();
    },
    cell: () => cellOf(state.cell),
    // The seed, the gradient check's heatmap and the Jacobian follow the same window of rows.
    onWindow: (start) => [drawSeed(), gc.show(), jac.window(start)],
    extraRows: () => {
      const rows = last ? softmaxInput(last.result, last.data.x, expectsOf(m, state.loss), m) : null;
      return rows?.[0]?.length ?? 0; // the Jacobian is as tall as the softmax is wide
    },
  });
  const jac = jacobianView(jacobianEls(), {
    state,
    save,
    again: () => last && jac.update(last.result, last.data.x, state.loss, state.sample),
    meta: () => m ?? null,
  });
  const exercise = backwardView(backwardEls(), {
    state,
    save,
    // the graph shows the node whose gradient is asked for (the loss for the seed)
    onTarget: (i) => view.select(parseSelection(String(i), last?.result.forward.length ?? stack.layers().length)),
  });

  const [m, pr] = await Promise.all([meta(), get("/api/v1/network/presets")]);
  const presets = openPresets(state, pr.presets, m.losses);
  fillOptions(byId("loss", HTMLSelectElement), m.losses);

  const controls = settings(settingsEls(), { state, changed });
  const data = dataInput(dataEls(), {
    state,
    presets,
    indices: () => expectsOf(m, state.loss) !== "values",
    changed,
    chose: (p) => {
      state.sel = "0";
      if (!p) return;
      stack.set(fromPreset(p));
      controls.setLoss(p.loss);
    },
  });
  const dataWidth = () => (data.parsed() ?? last?.data)?.x[0]?.length ?? 2;
  const stack = stackEditor(
    stackEls(),
    {
      types: m.layers.map((l) => l.name),
      inits: m.inits,
      width: dataWidth,
      shape: data.shape,
      given: (ref) => (ref.startsWith("train.") && state.Wt ? `W and b ${state.Wt}` : "the preset's W and b"),
      onError: (err) => runs.cycle.fail(err),
      changed,
    },
    state.L ? decode(state.L, presets, m.inits) : fromPreset(presets[state.data] || pr.presets[0]),
  );
  const gc = gradcheckCard(gradcheckEls(), {
    state,
    meta: m,
    start: () => view.panel.start,
    save,
    result: () => last?.result ?? null,
    request: () => last?.body ?? null,
    redraw: () => view.redraw(),
  });

  function writeUrl() {
    data.encode();
    state.L = encode(stack.layers());
    STATE.write(state);
  }

  const runs = runner(runnerEls(), {
    custom: () => state.data === "custom",
    request: () => {
      writeUrl();
      const d = data.current();
      return { data: d, body: runBody(d, apiLayers(stack.layers(), d.x[0]?.length ?? 0), state, hunt.extra()) };
    },
    done: async (r, d, body) => {
      last = { result: r, data: d, body };
      exercise.update(body, r.backward);
      showWarnings(form, layerList, r.warnings ?? []);
      gc.arrived(r);
      const shown = view.show({ result: r, data: d, loss: state.loss, meta: m });
      await Promise.all([shown, gc.show(), drawSeed(), jac.update(r, d.x, state.loss, state.sample)]);
      if (steps.at() >= 0) steps.show();
      else steps.sync();
      nudge.resume(nudgeBody(body));
      gc.fetchIfOpen(r);
    },
  });

  // step mode: a step shows its node in the graph and the tensor panel
  const steps = stepper(stepperEls(), {
    state,
    steps: () => (last ? stepsOf(last.result, last.data, state.loss, cellOf(state.cell), m, last.body.layers) : null),
    show: (s) => view.step(s),
  });

  function changed() {
    stack.show();
    writeUrl();
    showWarnings(form, layerList, []);
    runs.changed(data.parsed()?.x.length ?? 0, state.gc); // 0 rows: the run shows why the data does not parse
  }

  // a bug hunt: its network replaces the stack and the data, with its bug hidden on the server
  const hunt = huntMode({
    host: byId("hunt", HTMLElement),
    reveal: byId("hunt-reveal", HTMLElement),
    pick: parsePick(state.hunt),
    onStart: (network, pick) => {
      Object.assign(state, { hunt: formatPick(pick), data: "custom", base: "", sel: "0" });
      controls.setLoss(network.loss);
      controls.checkOn();
      data.fill(network.x, network.targets);
      stack.set(fromPreset({ name: "hunt", title: "", ...network }));
      changed();
      runs.now();
    },
    onStop: () => {
      state.hunt = "";
      changed();
    },
  });

  // the first view
  data.restore();
  controls.restore();
  stack.show();
  const pick = parsePick(state.hunt);
  if (pick) await hunt.start(pick);
  else await runs.run();
}

start(init);
