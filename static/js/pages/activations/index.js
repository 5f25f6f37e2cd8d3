// Activations explorer: f, the analytic and numerical f' (overlaid, with the worst gap judged),
// and the backward pass upstream · f'(x), for one or several activations; click any plot (or
// type an x) to read the numbers at that x with the chain rule plugged in. This module wires the
// panels: alpha.js (α inputs), requests.js, plots.js, probe.js, table.js (errors and formulas) and
// panels/sketch.js; logic.js holds the pure parts.
import { start } from "../../kit/page.js";
import { fieldError } from "../../kit/api.js";
import { paletteColor } from "../../kit/colors.js";
import { byId, chips, numberInput } from "../../kit/dom.js";
import { num, sci } from "../../kit/format.js";
import { Cycle, debounce } from "../../kit/lifecycle.js";
import { onAreaClick } from "../../kit/plot.js";
import { UrlState, bool, num as numProp, optNum, suffixed, words } from "../../kit/state.js";
import { meta } from "../../kit/verdict.js";
import { Sketch } from "../../panels/sketch.js";
import { AlphaFields } from "./alpha.js";
import { takesAlpha } from "./logic.js";
import { PLOTS, drawAll } from "./plots.js";
import { showProbe } from "./probe.js";
import { fetchCurves } from "./requests.js";
import { showFormulas, showTable } from "./table.js";

/** @typedef {import("./logic.js").Curve} Curve */
/** @typedef {import("./logic.js").Activation} Activation */

const STATE = new UrlState({
  act: words(["relu", "sigmoid"]),
  xmin: numProp(-6),
  xmax: numProp(6),
  up: numProp(10),
  h: numProp(1e-5, { min: 1e-300 }),
  alpha: suffixed("_alpha"), // leaky_relu_alpha=0.2; unset: the API's default
  sketch: bool(false), // sketch f' of the first activation before it is shown (panels/sketch.js)
  probe: optNum(), // the x the numbers are read at; unset: none
});

export async function init() {
  const state = STATE.read();
  const form = byId("controls", HTMLFormElement);
  const hSelect = byId("h", HTMLSelectElement);
  const upstream = byId("upstream", HTMLInputElement);
  const cycle = new Cycle({
    scope: form,
    cards: PLOTS.map((id) => /** @type {HTMLElement} */ (byId(id, HTMLElement).parentElement)),
  });
  const onError = (/** @type {unknown} */ err) => cycle.fail(err);
  const addCheck = (/** @type {() => any} */ c) => cycle.checks.add(c);
  const catalog = (await meta()).activations;
  /** @type {Record<string, string>} each activation's label, from its record (/meta) */
  const labels = Object.fromEntries(catalog.map((a) => [a.name, a.label]));
  const byName = (/** @type {string} */ n) => catalog.find((a) => a.name === n);
  state.act = state.act.filter((n) => byName(n));
  /** @type {Record<string, Curve>} */
  const curves = {};
  /** @returns {import("./view.js").View} */
  const view = () => ({
    ...state,
    curves,
    label: (n) => labels[n] ?? n,
    index: (n) => catalog.findIndex((a) => a.name === n),
    byName,
  });
  const label = (/** @type {string} */ n) => labels[n] ?? n;

  chips(
    byId("act-list", HTMLElement),
    catalog.map((a, i) => ({ value: a.name, label: label(a.name), color: paletteColor(i) })),
    { checked: state.act, idPrefix: "act-", onChange: (on) => ((state.act = on), refresh()) },
  );
  const alphas = new AlphaFields({
    box: byId("alpha-fields", HTMLElement),
    catalog,
    label,
    state,
    addCheck,
    onError,
    onChange: () => {
      void formulas();
      refreshSoon();
    },
  });
  addCheck(() => (state.act.length ? null : fieldError(["activation"], "Pick at least one activation.")));
  const formulas = () => showFormulas(byId("formulas", HTMLElement), view(), (a) => alphas.of(a));
  const probe = () => showProbe(byId("probe", HTMLElement), state.probe, view());
  const probeInput = byId("probe-x", HTMLInputElement);
  /** Read the numbers at x (null: nowhere), and keep it in the link. */
  const probeAt = (/** @type {number | null} */ x) => {
    state.probe = x;
    STATE.write(state);
    // A good x after a bad one: run the cycle, which clears the message and checks the rest.
    if (probeInput.classList.contains("invalid")) void refresh();
    else probe();
  };

  const sketchBox = byId("sk-on", HTMLInputElement);
  const sketch = new Sketch({
    svg: byId("sketch-svg", SVGSVGElement),
    out: byId("sketch-verdict", HTMLElement),
    button: byId("sketch-go", HTMLButtonElement),
    reset: byId("sketch-reset", HTMLButtonElement),
    onChange: () => showSketch(),
  });
  /** Sketch mode: f′ and everything that gives it away stay hidden until the sketch is checked. */
  function showSketch() {
    sketchBox.checked = state.sketch;
    byId("card-sketch", HTMLElement).hidden = !state.sketch;
    const name = state.act[0];
    const c = name ? curves[name] : undefined;
    if (state.sketch && name && c) {
      const a = /** @type {Activation} */ (byName(name));
      sketch.set(c, name, takesAlpha(a) ? alphas.of(a) : null);
      byId("sketch-title", HTMLElement).textContent =
        `Sketch ${label(name)}′(x): draw it over ${label(name)}(x) (faint)`;
    }
    document.body.classList.toggle("sketching", state.sketch && sketch.result === null);
  }
  sketchBox.addEventListener("change", () => {
    state.sketch = sketchBox.checked;
    STATE.write(state);
    showSketch();
  });

  function syncControls() {
    byId("xmin", HTMLInputElement).value = String(state.xmin);
    byId("xmax", HTMLInputElement).value = String(state.xmax);
    upstream.value = String(state.up);
    byId("up-pill", HTMLElement).textContent = num(state.up, 4);
    if (![...hSelect.options].some((o) => Number(o.value) === state.h))
      hSelect.append(new Option(sci(state.h, 1), String(state.h)));
    hSelect.value = [...hSelect.options].find((o) => Number(o.value) === state.h)?.value ?? hSelect.value;
    alphas.sync();
  }

  const refresh = () => {
    STATE.write(state);
    syncControls();
    void formulas();
    return cycle.run(
      (signal) => fetchCurves(state, byName, signal),
      async (results) => {
        state.act.forEach((n, i) => (curves[n] = results[i]));
        await drawAll(view());
        showTable(byId("errors-table", HTMLTableElement), view());
        probe();
        showSketch();
      },
    );
  };
  const refreshSoon = debounce(refresh, 120);

  form.addEventListener("submit", (e) => e.preventDefault());
  for (const [id, key, text] of /** @type {const} */ ([
    ["xmin", "xmin", "x from"],
    ["xmax", "xmax", "x to"],
  ])) {
    addCheck(
      numberInput(byId(id, HTMLInputElement), {
        label: text,
        onError,
        onValue: (v) => ((state[key] = v ?? state[key]), refresh()),
      }),
    );
  }
  addCheck(numberInput(probeInput, { label: "x", allowEmpty: true, onError, onValue: probeAt }));
  upstream.addEventListener("input", () => {
    state.up = Number(upstream.value);
    byId("up-pill", HTMLElement).textContent = num(state.up, 4);
    // The backward curve is upstream · f': redraw it at once from the curves held, then confirm.
    for (const n of state.act) {
      const r = curves[n];
      if (r) r.backward = r.dy.map((v) => (v === null ? null : state.up * v));
    }
    void drawAll(view(), true);
    refreshSoon();
  });
  hSelect.addEventListener("change", () => ((state.h = Number(hSelect.value)), refresh()));
  for (const id of PLOTS) {
    onAreaClick(byId(id, HTMLElement), (x) => {
      const at = Number(x.toPrecision(6));
      probeInput.value = String(at);
      probeAt(at);
    });
  }
  probeInput.value = state.probe === null ? "" : String(state.probe);
  probe();
  await refresh();
}

start(init);
