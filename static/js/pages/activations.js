// Activations explorer: f, the analytic and numerical f' (overlaid, with the worst gap judged),
// and the backward pass upstream · f'(x), for one or several activations; click any plot (or
// type an x) to read the numbers at that x with the chain rule plugged in.
import { start } from "../kit/page.js";
import { ApiError, fieldError, post } from "../kit/api.js";
import { CURVE, paletteColor } from "../kit/colors.js";
import { kinkAt, nearest } from "../kit/curves.js";
import { byId, chips, h, numberInput } from "../kit/dom.js";
import { num, sci, texNumber } from "../kit/format.js";
import { Cycle, debounce } from "../kit/lifecycle.js";
import { draw, layout, line, onAreaClick } from "../kit/plot.js";
import { UrlState, bool, num as numProp, suffixed, words } from "../kit/state.js";
import { renderTex } from "../kit/tex.js";
import { meta, verdictBadge } from "../kit/verdict.js";
import { Sketch } from "../panels/sketch.js";

/** @typedef {import("../types/kit").Schemas["CurveOut"]} Curve */
/** @typedef {import("../types/kit").Schemas["ActivationMeta"]} Activation */
/** @typedef {import("../types/kit").Meta} Meta */

const STATE = new UrlState({
  act: words(["relu", "sigmoid"]),
  xmin: numProp(-6),
  xmax: numProp(6),
  up: numProp(10),
  h: numProp(1e-5, { min: 1e-300 }),
  alpha: suffixed("_alpha"), // leaky_relu_alpha=0.2; unset: the API's default
  sketch: bool(false), // sketch f' of the first activation before it is shown (panels/sketch.js)
});
const NUM = 801;
const PLOTS = ["plot-f", "plot-df", "plot-back", "plot-err"];
/** @type {Record<string, string>} each activation's label, from its record (/meta) */
let labels = {};
const label = (/** @type {string} */ n) => labels[n] ?? n;
/** @param {Activation} a */
const takesAlpha = (a) => a.alpha !== null && a.alpha !== undefined;

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
  const m = await meta();
  const catalog = m.activations;
  labels = Object.fromEntries(catalog.map((a) => [a.name, a.label]));
  const byName = (/** @type {string} */ n) => catalog.find((a) => a.name === n);
  const index = (/** @type {string} */ n) => catalog.findIndex((a) => a.name === n);
  state.act = state.act.filter((n) => byName(n));
  /** @type {Record<string, Curve>} */
  const curves = {};
  /** @type {number | null} */
  let probeX = null;
  const alphaOf = (/** @type {Activation} */ a) => state.alpha[a.name] ?? a.alpha ?? null;

  chips(
    byId("act-list", HTMLElement),
    catalog.map((a, i) => ({ value: a.name, label: label(a.name), color: paletteColor(i) })),
    { checked: state.act, idPrefix: "act-", onChange: (on) => ((state.act = on), refresh()) },
  );

  // α inputs for the activations that take one, shown only while that activation is picked.
  const alphaBox = byId("alpha-fields", HTMLElement);
  for (const a of catalog.filter(takesAlpha)) {
    const input = h("input", {
      type: "number",
      id: `alpha-${a.name}`,
      step: String(a.alpha && a.alpha < 1 ? a.alpha : 0.1),
      placeholder: String(a.alpha),
      value: String(alphaOf(a)),
      title: `default ${a.alpha}; empty for the default`,
      dataset: { field: `${a.name}_alpha` },
    });
    const field = h(
      "div",
      { class: "field", id: `alpha-field-${a.name}` },
      h("label", { for: input.id }, `${label(a.name)} α`),
      input,
      h("div", { class: "field-error", role: "alert", dataset: { errorFor: `${a.name}_alpha` } }),
    );
    alphaBox.append(field);
    const check = numberInput(input, {
      event: "input",
      allowEmpty: true,
      label: `${label(a.name)} α`,
      onError,
      onValue: (v) => {
        if (v === null) delete state.alpha[a.name];
        else state.alpha[a.name] = v;
        showFormulas();
        refreshSoon();
      },
    });
    cycle.checks.add(() => (input.disabled ? null : check()));
  }
  cycle.checks.add(() => (state.act.length ? null : fieldError(["activation"], "Pick at least one activation.")));

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
      sketch.set(c, name, takesAlpha(a) ? alphaOf(a) : null);
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
    for (const a of catalog.filter(takesAlpha)) {
      const on = state.act.includes(a.name);
      byId(`alpha-field-${a.name}`, HTMLElement).hidden = !on;
      byId(`alpha-${a.name}`, HTMLInputElement).disabled = !on;
    }
  }

  function showFormulas() {
    const box = byId("formulas", HTMLElement);
    box.replaceChildren(
      ...state.act.map((n) => {
        const a = /** @type {Activation} */ (byName(n));
        const alpha = takesAlpha(a) ? alphaOf(a) : null;
        const plug = (/** @type {string} */ tex) =>
          alpha === null ? tex : tex.replaceAll("\\alpha", `${texNumber(alpha)}\\,`);
        return h(
          "div",
          { class: "fm", style: { borderLeftColor: paletteColor(index(n)) } },
          h("b", {}, label(n) + (alpha === null ? "" : ` (α = ${alpha})`)),
          h("span", { class: "tex", dataset: { tex: `f(x) = ${plug(a.formula)}` } }),
          h("br"),
          h("span", { class: "tex", dataset: { tex: `f'(x) = ${plug(a.derivative)}` } }),
        );
      }),
    );
    return renderTex(box);
  }

  /** Indices of a curve's points farther than 2h from every point where the activation is not smooth. */
  const checked = (/** @type {string} */ n, /** @type {Curve} */ r) => {
    const bad = byName(n)?.nonsmooth ?? [];
    return r.x.map((_, i) => i).filter((i) => bad.every((k) => Math.abs((r.x[i] ?? 0) - k) > 2 * state.h));
  };

  function showTable() {
    const rows = state.act
      .filter((n) => curves[n])
      .map((n) => {
        const r = curves[n];
        let worst = -1;
        let gap = -1;
        for (const i of checked(n, r)) {
          const a = r.dy[i];
          const b = r.dy_numeric[i];
          if (a !== null && b !== null && Math.abs(a - b) > gap) [worst, gap] = [i, Math.abs(a - b)];
        }
        // The verdict is the server's, on the whole curve (one rule for every page).
        const cell = h("td", {}, verdictBadge(r.verdict));
        return h(
          "tr",
          { title: `worst at x = ${num(r.x[worst], 5)}, away from kinks` },
          h("td", {}, label(n)),
          h("td", {}, sci(r.max_abs_error, 2)),
          cell,
        );
      });
    byId("errors-table", HTMLTableElement).tBodies[0].replaceChildren(...rows);
  }

  /** @param {number} i the activation's index in the catalogue */
  const colorsFor = (i) =>
    state.act.length === 1
      ? { f: CURVE.f, df: CURVE.dfExact, num: CURVE.dfNumeric, back: CURVE.backward, err: CURVE.dfNumeric }
      : { f: paletteColor(i), df: paletteColor(i), num: CURVE.dfNumeric, back: paletteColor(i), err: paletteColor(i) };

  /** @param {boolean} [backOnly] */
  function drawAll(backOnly = false) {
    const names = state.act.filter((n) => curves[n]);
    // With several activations the chips are the legend: per-plot legends would squash the plots.
    const several = names.length > 1;
    /** @type {Record<string, any[]>} */
    const t = { f: [], df: [], back: [], err: [] };
    for (const n of names) {
      const r = curves[n];
      const c = colorsFor(index(n));
      const nm = label(n);
      const hover = (/** @type {string} */ what) => `${nm}<br>x = %{x:.4g}<br>${what} = %{y:.6g}<extra></extra>`;
      const e = r.dy.map((v, i) => {
        const w = r.dy_numeric[i];
        return v === null || w === null ? null : Math.abs(v - w) || null;
      });
      t.f.push(line(`${nm}: f`, r.x, r.y, { color: c.f, width: 2.5, hover: hover("f") }));
      t.df.push(line(`${nm}: analytic f′`, r.x, r.dy, { color: c.df, width: 2.5, hover: hover("f′") }));
      t.df.push(
        line(`${nm}: numerical f′`, r.x, r.dy_numeric, { color: c.num, dash: "dot", hover: hover("numerical f′") }),
      );
      t.back.push(
        line(`${nm}: ${num(state.up, 4)}·f′`, r.x, r.backward, { color: c.back, width: 2.5, hover: hover("∂L/∂x") }),
      );
      t.err.push(line(nm, r.x, e, { color: c.err, width: 1.5, hover: hover("|f′ − numerical|") }));
      const kinks = (byName(n)?.nonsmooth ?? []).filter(
        (k) => k >= state.xmin && k <= state.xmax && kinkAt(r.x, r.dy, k),
      );
      if (kinks.length) {
        t.err.push({
          type: "scatter",
          mode: "markers",
          name: `${nm}: kink (f′ undefined)`,
          x: kinks,
          y: kinks.map((k) => e[nearest(r.x, k)] ?? null),
          marker: { color: c.err, size: 10, symbol: "x" },
          hovertemplate: `${nm}: kink at x = %{x:.4g}, f′ undefined<extra></extra>`,
        });
      }
    }
    if (several) {
      for (const [name, dash] of [
        ["analytic f′ (solid)", "solid"],
        ["numerical f′ (dotted)", "dot"],
      ]) {
        t.df.push({ ...line(name, [null], [null], { color: "#64748b", dash }), showlegend: true });
      }
    }
    const legend = (/** @type {any[]} */ traces) => traces.map((tr) => ({ showlegend: !several, ...tr }));
    const back = layout(`Backward pass: ∂L/∂x = ${num(state.up, 4)} · f′(x)`, "x", "∂L/∂x");
    if (backOnly) return draw(byId("plot-back", HTMLElement), legend(t.back), back);
    const worst = Math.max(0, ...names.map((n) => curves[n].max_abs_error ?? 0));
    return Promise.all([
      draw(byId("plot-f", HTMLElement), legend(t.f), layout("f(x): the activation", "x", "f(x)")),
      draw(
        byId("plot-df", HTMLElement),
        legend(t.df),
        layout(`f′(x): analytic and numerical (max error ${sci(worst, 1)})`, "x", "f′(x)"),
      ),
      draw(byId("plot-back", HTMLElement), legend(t.back), back),
      draw(
        byId("plot-err", HTMLElement),
        legend(t.err),
        layout(`|analytic − numerical f′| with h = ${sci(state.h, 0)}`, "x", "absolute error (log)", {
          yaxis: { type: "log", exponentformat: "power" },
        }),
      ),
    ]);
  }

  // The numbers at x, for every activation shown, with the chain rule plugged in.
  function showProbe() {
    const box = byId("probe", HTMLElement);
    if (probeX === null) {
      box.textContent = "Click any plot, or type an x above, to read the numbers there.";
      return;
    }
    const x = probeX;
    const shown = state.act.filter((n) => curves[n]);
    const at = shown.map((n) => {
      const r = curves[n];
      const i = nearest(r.x, x);
      const dy = r.dy[i];
      const dyn = r.dy_numeric[i];
      const kink = (byName(n)?.nonsmooth ?? []).some(
        (k) => Math.abs(k - (r.x[i] ?? x)) <= 2 * state.h && kinkAt(r.x, r.dy, k),
      );
      return { n, r, i, dy, dyn, kink };
    });
    const first = at[0];
    // One column per activation, so that ten of them still fit one line each.
    const row = (
      /** @type {string} */ head,
      /** @type {(a: typeof at[number]) => Node | string} */ cell,
      /** @type {(a: typeof at[number]) => Record<string, string>} */ props = () => ({}),
    ) => h("tr", {}, h("th", { scope: "row" }, head), ...at.map((a) => h("td", props(a), cell(a))));
    box.replaceChildren(
      h(
        "table",
        { class: "numbers readout-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, `x = ${num(first?.r.x[first.i] ?? x, 6)}`),
            ...at.map((a) =>
              h(
                "th",
                { scope: "col" },
                h("span", {
                  class: "dot",
                  style: { background: paletteColor(index(a.n)) },
                  "aria-hidden": "true",
                }),
                label(a.n),
              ),
            ),
          ),
        ),
        h(
          "tbody",
          {},
          row("f(x)", (a) => num(a.r.y[a.i], 6)),
          row("analytic f′(x)", (a) => (a.kink ? "undefined (kink)" : num(a.dy, 6))),
          row("numerical f′(x)", (a) => num(a.dyn, 6)),
          row(`∂L/∂x = ${num(state.up, 4)} · f′`, (a) => num(a.r.backward[a.i], 6)),
        ),
      ),
    );
  }

  const refresh = () => {
    STATE.write(state);
    syncControls();
    void showFormulas();
    return cycle.run(
      (signal) =>
        Promise.all(
          state.act.map((name) => {
            const a = /** @type {Activation} */ (byName(name));
            const alpha = takesAlpha(a) ? state.alpha[name] : undefined; // sent only when set
            const body = {
              activation: /** @type {any} */ (name),
              x_min: state.xmin,
              x_max: state.xmax,
              num: NUM,
              upstream: state.up,
              h: state.h,
              ...(alpha === undefined ? {} : { alpha }),
            };
            return post("/api/v1/activations/curve", body, signal).catch((err) => {
              throw alphaAt(err, name);
            });
          }),
        ),
      async (results) => {
        state.act.forEach((n, i) => (curves[n] = results[i]));
        await drawAll();
        showTable();
        showProbe();
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
    cycle.checks.add(
      numberInput(byId(id, HTMLInputElement), {
        label: text,
        onError,
        onValue: (v) => ((state[key] = v ?? state[key]), refresh()),
      }),
    );
  }
  cycle.checks.add(
    numberInput(byId("probe-x", HTMLInputElement), {
      label: "x",
      allowEmpty: true,
      onError,
      onValue: (v) => {
        probeX = v;
        showProbe();
      },
    }),
  );
  upstream.addEventListener("input", () => {
    state.up = Number(upstream.value);
    byId("up-pill", HTMLElement).textContent = num(state.up, 4);
    // The backward curve is upstream · f': redraw it at once from the curves held, then confirm.
    for (const n of state.act) {
      const r = curves[n];
      if (r) r.backward = r.dy.map((v) => (v === null ? null : state.up * v));
    }
    void drawAll(true);
    refreshSoon();
  });
  hSelect.addEventListener("change", () => ((state.h = Number(hSelect.value)), refresh()));
  for (const id of PLOTS) {
    onAreaClick(byId(id, HTMLElement), (x) => {
      probeX = x;
      byId("probe-x", HTMLInputElement).value = String(Number(x.toPrecision(6)));
      showProbe();
    });
  }
  showProbe();
  await refresh();
}

/**
 * A 422 on `alpha` from the request for `name` belongs next to that activation's α input.
 * @param {unknown} err
 * @param {string} name
 */
function alphaAt(err, name) {
  if (!(err instanceof ApiError)) return err;
  const items = err.items.map((it) => {
    const path = it.loc[0] === "body" ? it.loc.slice(1) : it.loc;
    return path[0] === "alpha" ? { ...it, loc: [`${name}_alpha`] } : it;
  });
  return new ApiError(err.status, items);
}

start(init);
