// Gradient-descent lab: a contour of a typed f(x1, x2), several optimizers' paths on it, f and
// |∇f| per step, the learning-rate limit 2/λmax, and warnings when f has no minimum in view.
// This module wires the panels: settings.js (hyper-parameters), requests.js, contour.js,
// curves.js and results.js (what the runs did); logic.js holds the pure parts.
import { start } from "../../kit/page.js";
import { paletteColor } from "../../kit/colors.js";
import { byId, chips, logSlider, numberInput, radios } from "../../kit/dom.js";
import { num } from "../../kit/format.js";
import { Cycle, debounce } from "../../kit/lifecycle.js";
import { onAreaClick } from "../../kit/plot.js";
import { UrlState, keyed, nums, num as numProp, oneOf, str, words } from "../../kit/state.js";
import { meta } from "../../kit/verdict.js";
import { drawContour } from "./contour.js";
import { drawCurves } from "./curves.js";
import { presetOf } from "./logic.js";
import { ask } from "./requests.js";
import { showGradient, showResults } from "./results.js";
import { Settings } from "./settings.js";

/** @typedef {import("./logic.js").Run} Run */
/** @typedef {import("./logic.js").Grid} Grid */

export async function init() {
  const m = await meta();
  /** The landscapes on offer, the engine's records; each opens on a view that shows something. */
  const PRESETS = m.presets.descent;
  const P0 = PRESETS[0];
  const OPTS = m.optimizers.map((o) => o.name);
  const HYPER = [...new Set(m.optimizers.flatMap((o) => Object.keys(o.defaults)))];
  const STATE = new UrlState({
    expr: str(P0.expr),
    x1min: numProp(P0.box[0]),
    x1max: numProp(P0.box[1]),
    x2min: numProp(P0.box[2]),
    x2max: numProp(P0.box[3]),
    start: nums(P0.start, { length: 2 }),
    lr: numProp(P0.lr),
    steps: numProp(P0.steps),
    opt: words(P0.optimizers, OPTS),
    scale: oneOf(/** @type {"linear" | "log"} */ (P0.scale), /** @type {const} */ (["linear", "log"])),
    hp: keyed(HYPER), // optimizer settings; absent: the engine's default, not sent
  });
  const state = STATE.read();
  const form = byId("controls", HTMLFormElement);
  const gdC = byId("plot-contour", HTMLElement);
  const settings = byId("settings", HTMLDetailsElement);
  const lrSlider = logSlider(byId("loglr", HTMLInputElement), {
    format: (v) => num(v, 4),
    pill: byId("lr-pill", HTMLElement),
  });
  const cycle = new Cycle({
    scope: form,
    cards: [byId("card-contour", HTMLElement), byId("card-curves", HTMLElement)],
    // An error on a hyper-parameter must not hide inside the closed settings section.
    onFail: () => settings.querySelector(".invalid") && (settings.open = true),
  });
  const onError = (/** @type {unknown} */ err) => cycle.fail(err);
  const addCheck = (/** @type {() => any} */ c) => cycle.checks.add(c);
  /** @type {Grid | null} */
  let grid = null;
  /** @type {Record<string, Run>} */
  let runs = {};
  const box = () => [state.x1min, state.x1max, state.x2min, state.x2max];
  /** What the plots and the table show now. */
  const view = () => ({
    expr: state.expr,
    start: state.start,
    box: box(),
    opt: state.opt,
    scale: state.scale,
    lr: state.lr,
    runs,
    colorOf: (/** @type {string} */ o) => paletteColor(OPTS.indexOf(o)),
    minima: presetOf(PRESETS, state.expr)?.minima ?? [],
  });

  // ---- controls --------------------------------------------------------------------------------
  const preset = byId("preset", HTMLSelectElement);
  preset.replaceChildren(new Option("— choose a landscape —", ""), ...PRESETS.map((p) => new Option(p.title, p.name)));
  const picker = chips(
    byId("opt-list", HTMLElement),
    OPTS.map((o, i) => ({ value: o, label: o, color: paletteColor(i) })),
    {
      checked: state.opt,
      idPrefix: "opt-",
      onChange: (on) => {
        state.opt = on;
        hp.sync();
        runSoon.flush();
      },
    },
  );
  const scale = radios(form, "scale", (v) => {
    state.scale = /** @type {typeof state.scale} */ (v);
    STATE.write(state);
    if (grid) void drawContour(gdC, grid, view());
  });
  const hp = new Settings({
    box: byId("hp-fields", HTMLElement),
    optimizers: m.optimizers,
    state,
    addCheck,
    onError,
    onChange: () => runSoon(),
  });

  function syncControls() {
    byId("expr", HTMLInputElement).value = state.expr;
    for (const k of /** @type {const} */ (["x1min", "x1max", "x2min", "x2max", "steps"]))
      byId(k, HTMLInputElement).value = String(state[k]);
    byId("s1", HTMLInputElement).value = String(state.start[0]);
    byId("s2", HTMLInputElement).value = String(state.start[1]);
    byId("lr", HTMLInputElement).value = String(state.lr);
    lrSlider.value = state.lr;
    picker.set(state.opt);
    scale.set(state.scale);
    hp.syncInputs();
  }

  // ---- requests --------------------------------------------------------------------------------
  /** @param {{withGrid?: boolean}} [opts] */
  const refresh = ({ withGrid = false } = {}) => {
    STATE.write(state);
    return cycle.run(
      (signal) =>
        ask({ ...state, box: box(), optionsFor: (o) => hp.optionsFor(o) }, withGrid || !grid ? null : grid, signal),
      async ([g, results, grad]) => {
        grid = g;
        runs = Object.fromEntries(state.opt.map((o, i) => [o, results[i]]));
        const known = presetOf(PRESETS, state.expr);
        byId("grid-note", HTMLElement).textContent = [
          known?.note ? `${known.title}: ${known.note}.` : "",
          g.nonfinite ? `${g.nonfinite} grid points not finite (blank)` : "",
        ].join(" ");
        const v = view();
        showResults({ table: byId("results", HTMLTableElement), warnings: byId("lr-warning", HTMLElement) }, g, v);
        const el = (/** @type {string} */ id) => byId(id, HTMLElement);
        showGradient(
          {
            num: el("g-num"),
            exact: el("g-exact"),
            err: el("g-err"),
            badge: el("g-badge"),
            warnings: el("g-warnings"),
          },
          grad,
        );
        // The light per-step plots first: they are on screen while the contour is drawn.
        await Promise.all([drawCurves(el("plot-values"), el("plot-gnorm"), v), drawContour(gdC, g, v)]);
      },
    );
  };
  const runSoon = debounce(() => refresh(), 150);
  const gridSoon = debounce(() => refresh({ withGrid: true }), 350);
  const first = refresh({ withGrid: true }); // on its way while the rest of the page is wired

  // ---- events ----------------------------------------------------------------------------------
  form.addEventListener("submit", (e) => e.preventDefault());
  byId("expr", HTMLInputElement).addEventListener("input", (e) => {
    state.expr = /** @type {HTMLInputElement} */ (e.target).value;
    gridSoon();
  });
  for (const k of /** @type {const} */ (["x1min", "x1max", "x2min", "x2max"])) {
    addCheck(
      numberInput(byId(k, HTMLInputElement), {
        onError,
        onValue: (v) => ((state[k] = v ?? state[k]), gridSoon.flush()),
      }),
    );
  }
  for (const [i, id] of /** @type {const} */ ([
    [0, "s1"],
    [1, "s2"],
  ])) {
    addCheck(
      numberInput(byId(id, HTMLInputElement), {
        label: `start x${i + 1}`,
        onError,
        onValue: (v) => {
          state.start = i === 0 ? [v ?? 0, state.start[1]] : [state.start[0], v ?? 0];
          runSoon.flush();
        },
      }),
    );
  }
  lrSlider.onInput((v) => {
    state.lr = v;
    byId("lr", HTMLInputElement).value = String(v);
    runSoon();
  });
  addCheck(
    numberInput(byId("lr", HTMLInputElement), {
      label: "η",
      onError,
      onValue: (v) => {
        state.lr = v ?? state.lr;
        lrSlider.value = state.lr;
        runSoon.flush();
      },
    }),
  );
  addCheck(
    numberInput(byId("steps", HTMLInputElement), {
      integer: true,
      onError,
      onValue: (v) => ((state.steps = v ?? state.steps), runSoon.flush()),
    }),
  );
  preset.addEventListener("change", () => {
    const p = PRESETS.find((q) => q.name === preset.value);
    if (!p) return;
    const [x1min, x1max, x2min, x2max] = p.box;
    Object.assign(state, { expr: p.expr, start: [...p.start], x1min, x1max, x2min, x2max });
    Object.assign(state, { lr: p.lr, steps: p.steps, opt: [...p.optimizers], scale: p.scale });
    preset.value = "";
    syncControls();
    gridSoon.flush();
  });
  // Click the contour: start there.
  onAreaClick(gdC, (x1, x2) => {
    state.start = [Number(x1.toPrecision(4)), Number(x2.toPrecision(4))];
    syncControls();
    runSoon.flush();
  });

  syncControls();
  if (Object.keys(state.hp).length) settings.open = true; // a shared link shows its settings
  await first;
}

start(init);
