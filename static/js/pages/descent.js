// Gradient-descent lab: a contour of a typed f(x1, x2), several optimizers' paths on it, f and
// |∇f| per step, the learning-rate limit 2/λmax, and warnings when f has no minimum in view.
import { start } from "../kit/page.js";
import { post } from "../kit/api.js";
import { diverging, paletteColor } from "../kit/colors.js";
import { byId, chips, h, logSlider, numberInput, radios } from "../kit/dom.js";
import { extent, num, sci } from "../kit/format.js";
import { Cycle, debounce } from "../kit/lifecycle.js";
import { draw, layout, line, onAreaClick } from "../kit/plot.js";
import { UrlState, keyed, nums, num as numProp, oneOf, str, words } from "../kit/state.js";
import { meta, verdictBadge, warningList } from "../kit/verdict.js";

/** @typedef {import("../types/kit").Schemas["DescentOut"]} Run */
/** @typedef {import("../types/kit").Schemas["GridOut"]} Grid */

const GRID = 64; // grid points per side of the contour
// 1e-6 rather than 0.000001, so a small ε fits its narrow input.
const short = (/** @type {number} */ v) =>
  v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential().replace("e+", "e") : String(v);
const symlog = (/** @type {number | null} */ v) => (v === null ? null : Math.sign(v) * Math.log10(1 + Math.abs(v)));

/**
 * How many steps of a run to draw: a run that ends outside the view (diverged, or running down a
 * function unbounded below) is cut at the step where it leaves the view for good, so that its
 * huge values neither flatten the other curves nor spoil the log scale; an excursion that comes
 * back is kept. A non-finite value ends the drawing too. The contour draws one step more, to show
 * where the path goes.
 * @param {Run} r
 * @param {number[]} box [x1min, x1max, x2min, x2max]
 */
export function cutAt(r, box) {
  const [a, b, c, d] = box;
  const inside = (/** @type {(number | null)[]} */ p) =>
    p[0] !== null && p[1] !== null && p[0] >= a && p[0] <= b && p[1] >= c && p[1] <= d;
  const nulls = r.values.findIndex((v) => v === null);
  const end = nulls >= 0 ? nulls : r.path.length;
  if (end === r.path.length && inside(r.path[end - 1] ?? [])) return end;
  let last = -1;
  for (let i = 0; i < end; i++) if (inside(r.path[i])) last = i;
  return Math.max(1, Math.min(end, last + 1));
}

export async function init() {
  const m = await meta();
  /** The landscapes on offer, the engine's records; each opens on a view that shows something. */
  const PRESETS = m.presets.descent;
  const P0 = PRESETS[0];
  const OPTS = m.optimizers.map((o) => o.name);
  const DEFAULTS = Object.fromEntries(m.optimizers.map((o) => [o.name, o.defaults]));
  const HYPER = [...new Set(m.optimizers.flatMap((o) => Object.keys(o.defaults)))];
  /** Each hyper-parameter's symbol as text ("μ"), from the optimizer records. */
  const SYMBOL = Object.fromEntries(m.optimizers.flatMap((o) => o.hyper.map((x) => [x.name, x.glyph])));
  /** What a page says beside an optimizer's path (adamw: where its decay makes it stop). */
  const NOTE = Object.fromEntries(m.optimizers.map((o) => [o.name, o.note]));
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
  /** @type {Grid | null} */
  let grid = null;
  /** @type {Record<string, Run>} */
  let runs = {};
  const box = () => [state.x1min, state.x1max, state.x2min, state.x2max];

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
        syncSettings();
        runSoon.flush();
      },
    },
  );
  const scale = radios(form, "scale", (v) => {
    state.scale = /** @type {typeof state.scale} */ (v);
    STATE.write(state);
    if (grid) void drawContour(grid);
  });
  // One input per hyper-parameter, labelled with the optimizers that take it and their defaults.
  const hpBox = byId("hp-fields", HTMLElement);
  for (const k of HYPER) {
    const users = OPTS.filter((o) => k in DEFAULTS[o]);
    const input = h("input", {
      type: "number",
      id: `hp-${k}`,
      step: "any",
      min: "0",
      dataset: { field: k },
      placeholder: short(DEFAULTS[users[users.length - 1]][k]),
      title: `default ${users.map((o) => `${o} ${DEFAULTS[o][k]}`).join(", ")}`,
    });
    hpBox.append(
      h(
        "div",
        { class: "field hp-row" },
        h("label", { for: input.id }, h("span", { class: "sym" }, SYMBOL[k] || k), ` ${k}: ${users.join(", ")}`),
        input,
        h("div", { class: "field-error", role: "alert", dataset: { errorFor: k } }),
      ),
    );
    cycle.checks.add(
      numberInput(input, {
        event: "input",
        allowEmpty: true,
        label: k,
        onError,
        onValue: (v) => {
          if (v === null) delete state.hp[k];
          else state.hp[k] = v;
          syncSettings();
          runSoon();
        },
      }),
    );
  }

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
    for (const k of HYPER)
      byId(`hp-${k}`, HTMLInputElement).value = state.hp[k] === undefined ? "" : short(state.hp[k]);
    syncSettings();
  }

  /** Dim the settings no chosen optimizer uses; list the ones set in the summary line. */
  function syncSettings() {
    for (const k of HYPER) {
      const used = state.opt.some((o) => k in DEFAULTS[o]);
      byId(`hp-${k}`, HTMLInputElement).closest(".field")?.classList.toggle("unused", !used);
    }
    const set = HYPER.filter((k) => state.hp[k] !== undefined).map((k) => `${SYMBOL[k] || k}=${short(state.hp[k])}`);
    byId("settings-summary", HTMLElement).textContent = set.length ? set.join(" ") : "defaults";
    byId("opt-note", HTMLElement).textContent = state.opt
      .filter((o) => NOTE[o])
      .map((o) => `${o}: ${NOTE[o]}`)
      .join(" ");
  }

  /** The options a request for optimizer `o` carries: those it takes that the user set. */
  const optionsFor = (/** @type {string} */ o) =>
    Object.fromEntries(
      Object.keys(DEFAULTS[o])
        .filter((k) => state.hp[k] !== undefined)
        .map((k) => [k, state.hp[k]]),
    );

  // ---- drawing ---------------------------------------------------------------------------------
  /** The grid's lowest point, and whether it lies on the edge of the view (no minimum inside). */
  const lowest = (/** @type {Grid} */ g) => {
    let best = { i: -1, j: -1, v: Infinity };
    g.z.forEach((row, i) => row.forEach((v, j) => v !== null && v < best.v && (best = { i, j, v })));
    const n = g.z.length;
    const edge = best.i <= 0 || best.j <= 0 || best.i >= n - 1 || best.j >= (g.z[0]?.length ?? 0) - 1;
    return { x1: g.x1[best.j] ?? 0, x2: g.x2[best.i] ?? 0, f: best.v, edge };
  };

  /** @param {Grid} g */
  function drawContour(g) {
    const logc = state.scale === "log";
    const z = logc ? g.z.map((row) => row.map(symlog)) : g.z;
    const [lo, hi] = extent(z);
    const colours = diverging(lo, hi);
    /** @type {any[]} */
    const traces = [
      {
        type: "contour",
        name: "f",
        x: g.x1,
        y: g.x2,
        z,
        ...colours,
        ...(colours.zmin === -colours.zmax ? { zmid: 0 } : {}),
        ncontours: 24,
        contours: { coloring: "fill", showlines: true },
        line: { color: "rgba(30,41,59,0.18)", width: 0.7 },
        colorbar: { title: { text: logc ? "sign·log₁₀(1+|f|)" : "f", side: "right" }, thickness: 10, outlinewidth: 0 },
        hovertemplate: `x1 = %{x:.3g}, x2 = %{y:.3g}<br>${logc ? "sign·log₁₀(1+|f|)" : "f"} = %{z:.5g}<extra></extra>`,
      },
    ];
    state.opt.forEach((o) => {
      const r = runs[o];
      if (!r) return;
      const path = r.path.slice(0, cutAt(r, box()) + 1);
      const color = paletteColor(OPTS.indexOf(o));
      traces.push({
        type: "scatter",
        mode: path.length <= 300 ? "lines+markers" : "lines",
        name: o,
        x: path.map((p) => p[0]),
        y: path.map((p) => p[1]),
        line: { color, width: 2.2 },
        marker: { size: 3.5, color },
        hovertemplate: `${o}<br>step %{pointNumber}<br>(%{x:.4g}, %{y:.4g})<extra></extra>`,
      });
    });
    traces.push({
      type: "scatter",
      mode: "markers",
      name: "start",
      x: [state.start[0]],
      y: [state.start[1]],
      marker: { symbol: "star", size: 15, color: "#fff", line: { color: "#1e293b", width: 1.5 } },
      hovertemplate: "start (%{x:.4g}, %{y:.4g})<extra></extra>",
    });
    const low = lowest(g);
    if (!low.edge) {
      traces.push({
        type: "scatter",
        mode: "markers",
        name: "lowest grid point",
        x: [low.x1],
        y: [low.x2],
        marker: { symbol: "x-thin", size: 13, color: "#1e293b", line: { width: 2.5, color: "#1e293b" } },
        hovertemplate: `lowest grid point (%{x:.4g}, %{y:.4g})<br>f = ${num(low.f, 5)}<extra></extra>`,
      });
    }
    return draw(
      gdC,
      traces,
      layout(`f(x1, x2) = ${state.expr}`, "x1", "x2", {
        xaxis: { range: [state.x1min, state.x1max], zeroline: false, showgrid: false },
        yaxis: { range: [state.x2min, state.x2max], zeroline: false, showgrid: false },
        uirevision: `${state.expr}|${box().join("|")}`,
        legend: { orientation: "h", x: 0, y: -0.12, yanchor: "top" },
        margin: { l: 50, r: 10, t: 34, b: 40 },
      }),
    );
  }

  function drawCurves() {
    /** @type {any[]} */
    const vals = [];
    /** @type {any[]} */
    const norms = [];
    state.opt.forEach((o) => {
      const r = runs[o];
      if (!r) return;
      const n = cutAt(r, box());
      const steps = r.values.slice(0, n).map((_, i) => i);
      const color = paletteColor(OPTS.indexOf(o));
      vals.push(
        line(o, steps, r.values.slice(0, n), { color, hover: `${o}<br>step %{x}<br>f = %{y:.6g}<extra></extra>` }),
      );
      norms.push({
        ...line(o, steps, r.grad_norms.slice(0, n), {
          color,
          hover: `${o}<br>step %{x}<br>|∇f| = %{y:.3e}<extra></extra>`,
        }),
        showlegend: false,
      });
      if (n < r.path.length) {
        const t = n - 1;
        vals.push({
          type: "scatter",
          mode: "markers",
          name: `${o} diverged`,
          x: [t],
          y: [r.values[t]],
          showlegend: false,
          marker: { symbol: "x", size: 10, color },
          hovertemplate: `${o} diverged: cut at step %{x}<extra></extra>`,
        });
      }
    });
    const positive = vals.every((t) => t.y.every((/** @type {number | null} */ v) => v === null || v > 0));
    const ytype = positive ? "log" : "linear";
    const compact = { margin: { l: 56, r: 10, t: 30, b: 36 } };
    return Promise.all([
      draw(
        byId("plot-values", HTMLElement),
        vals,
        layout(`f(x_t) per step${positive ? " (log)" : ""}`, "step t", "f(x_t)", {
          yaxis: { type: ytype, exponentformat: "power" },
          legend: { orientation: "v", x: 1, xanchor: "right", y: 1 },
          ...compact,
        }),
      ),
      draw(
        byId("plot-gnorm", HTMLElement),
        norms,
        layout("gradient norm |∇f(x_t)| (log)", "step t", "|∇f|", {
          yaxis: { type: "log", exponentformat: "power" },
          ...compact,
        }),
      ),
    ]);
  }

  /** @param {Grid} g */
  function showResults(g) {
    const rows = state.opt
      .filter((o) => runs[o])
      .map((o) => {
        const r = runs[o];
        const what = {
          max_steps: ["warn", "ran all", "used every step without converging"],
          converged: ["pass", "converged", "gradient norm fell below tol"],
          diverged: ["fail", "diverged", "a value became too large or not finite"],
        }[r.stopped];
        return h(
          "tr",
          { title: `final point (${r.final.map((v) => num(v, 6)).join(", ")})` },
          h("td", {}, h("span", { class: "swatch-line", style: { background: paletteColor(OPTS.indexOf(o)) } }), o),
          h("td", {}, num(r.values[r.values.length - 1], 4)),
          h("td", {}, String(r.steps_taken)),
          h("td", {}, h("span", { class: `badge ${what[0]}`, title: what[2] }, what[1])),
        );
      });
    byId("results", HTMLTableElement).tBodies[0].replaceChildren(...rows);
    // What to warn about, most important first.
    /** @type {string[]} */
    const warn = [];
    const low = lowest(g);
    if (low.edge) {
      warn.push(
        `f has no minimum inside this view: its lowest grid value, ${num(low.f, 4)}, lies on the edge at (${num(low.x1, 3)}, ${num(low.x2, 3)}).`,
      );
    }
    const shown = state.opt.filter((o) => runs[o]);
    const lastOf = (/** @type {Run} */ r) => r.values.filter((v) => v !== null).at(-1) ?? null;
    const cut = shown.filter((o) => cutAt(runs[o], box()) < runs[o].path.length);
    const falling = shown.filter((o) => {
      const last = lastOf(runs[o]);
      return (
        (cut.includes(o) || runs[o].stopped === "diverged") &&
        last !== null &&
        last < Math.min(low.f, runs[o].values[0] ?? 0)
      );
    });
    if (falling.length) {
      const lowest = Math.min(...falling.map((o) => /** @type {number} */ (lastOf(runs[o]))));
      warn.push(
        `f falls without bound along the path of ${falling.join(", ")} (to ${sci(lowest, 1)}): f is unbounded below there, so there is no minimum to find.`,
      );
    }
    const diverged = shown.filter((o) => runs[o].stopped === "diverged" && !falling.includes(o));
    if (diverged.length) warn.push(`${diverged.join(", ")} diverged: the steps grew without bound.`);
    if (cut.length) warn.push(`The curves of ${cut.join(", ")} stop where the path leaves the view for good.`);
    const first = runs[state.opt[0]];
    const limit = first?.lr_limit ?? null;
    const advice = state.opt.map((o) => runs[o]?.warning).find(Boolean);
    if (advice) warn.push(advice);
    // The server's other warnings about each path (its gradients' steps straddling a kink).
    for (const o of shown)
      for (const x of runs[o].warnings ?? [])
        if (x.code !== "lr_above_stability_bound" && !warn.includes(`${o}: ${x.msg}`)) warn.push(`${o}: ${x.msg}`);
    const w = byId("lr-warning", HTMLElement);
    const limitText = limit !== null ? `2/λmax at the start = ${num(limit, 4)}; η = ${num(state.lr, 4)}.` : "";
    if (warn.length) {
      w.replaceChildren(...warn.map((t) => h("p", {}, `⚠ ${t}`)));
      w.classList.add("shown");
    } else {
      w.textContent =
        limit !== null ? `η is below the stability limit of plain descent at the start: ${limitText}` : "";
      w.classList.remove("shown");
    }
  }

  /** @param {import("../types/kit").Schemas["GradientOut"]} r */
  function showGradient(r) {
    const fmt = (/** @type {number[]} */ v) => `(${v.map((x) => num(x, 6)).join(", ")})`;
    byId("g-num", HTMLElement).textContent = fmt(r.gradient);
    byId("g-exact", HTMLElement).textContent = fmt(r.exact);
    const gaps = r.gradient.map((g, i) => Math.abs(g - r.exact[i]));
    byId("g-err", HTMLElement).textContent = sci(Math.max(...gaps), 2);
    // The server's verdict and warnings (a kink or pole within ±h of the start, cancellation).
    byId("g-badge", HTMLElement).replaceChildren(verdictBadge(r.verdict));
    byId("g-warnings", HTMLElement).replaceChildren(warningList(r.warnings));
  }

  // ---- requests --------------------------------------------------------------------------------
  /** @param {{withGrid?: boolean}} [opts] */
  const refresh = ({ withGrid = false } = {}) => {
    STATE.write(state);
    return cycle.run(
      (signal) =>
        Promise.all([
          withGrid || !grid
            ? post(
                "/api/v1/numdiff/grid",
                {
                  expr: state.expr,
                  x1_min: state.x1min,
                  x1_max: state.x1max,
                  x2_min: state.x2min,
                  x2_max: state.x2max,
                  num: GRID,
                },
                signal,
              )
            : Promise.resolve(grid),
          Promise.all(
            state.opt.map((o) =>
              post(
                "/api/v1/numdiff/descent",
                {
                  expr: state.expr,
                  start: state.start,
                  lr: state.lr,
                  steps: state.steps,
                  optimizer: /** @type {any} */ (o),
                  h: 1e-5,
                  ...optionsFor(o),
                },
                signal,
              ),
            ),
          ),
          post("/api/v1/numdiff/gradient", { expr: state.expr, point: state.start, h: 1e-5 }, signal),
        ]),
      async ([g, results, grad]) => {
        grid = g;
        runs = Object.fromEntries(state.opt.map((o, i) => [o, results[i]]));
        byId("grid-note", HTMLElement).textContent = g.nonfinite ? `${g.nonfinite} grid points not finite (blank)` : "";
        showResults(g);
        showGradient(grad);
        // The light per-step plots first: they are on screen while the contour is drawn.
        await Promise.all([drawCurves(), drawContour(g)]);
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
    cycle.checks.add(
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
    cycle.checks.add(
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
  cycle.checks.add(
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
  cycle.checks.add(
    numberInput(byId("steps", HTMLInputElement), {
      integer: true,
      onError,
      onValue: (v) => ((state.steps = v ?? state.steps), runSoon.flush()),
    }),
  );
  preset.addEventListener("change", () => {
    const p = PRESETS.find((q) => q.name === preset.value);
    if (!p) return;
    Object.assign(state, {
      expr: p.expr,
      start: [...p.start],
      x1min: p.box[0],
      x1max: p.box[1],
      x2min: p.box[2],
      x2max: p.box[3],
      lr: p.lr,
      steps: p.steps,
      opt: [...p.optimizers],
      scale: p.scale,
    });
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
