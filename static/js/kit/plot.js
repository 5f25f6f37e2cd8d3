// Plot helpers: plotly.js loaded once, one config (no cloud buttons, a short mode bar), one look
// for layouts, the diverging heatmap, and clicks anywhere in a plot's area. Only SVG trace types
// are used (scatter, contour, heatmap: the only traces in the vendored bundle); the WebGL ones need
// `Function`, which the Content-Security-Policy forbids.
import { activity } from "./api.js";
import { diverging } from "./colors.js";
import { loadScript } from "./dom.js";
import { as2d, extent, shapeText } from "./format.js";

/** @typedef {import("plotly.js").Data} Trace */
/** @typedef {import("plotly.js").Layout} Layout */
/** @typedef {import("plotly.js").Config} Config */
/** @typedef {import("../types/kit").PlotDiv} PlotDiv */

/** @type {Promise<import("../types/kit").Plotly> | null} */
let loading = null;

/**
 * plotly.js, loaded once from the page's body[data-plotly] (preloaded by the template); the
 * performance marks bpx:plotly-start and -ready time it (bench/page_load.py reads them).
 */
export function plotly() {
  loading ||= (async () => {
    performance.mark("bpx:plotly-start");
    if (!window.Plotly) await loadScript(document.body.dataset.plotly || "");
    if (!window.Plotly) throw new Error("plotly.js did not load");
    performance.mark("bpx:plotly-ready");
    return window.Plotly;
  })();
  return loading;
}

/**
 * The one config: nothing that sends data off this machine (Plotly's "Share chart"/Chart
 * Studio), and a mode bar of two buttons (save as PNG, reset axes) instead of seven.
 * @type {Partial<Config>}
 */
export const CONFIG = {
  displaylogo: false,
  responsive: true,
  showSendToCloud: false,
  showEditInChartStudio: false,
  showLink: false,
  sendData: false,
  modeBarButtons: [["toImage", "resetScale2d"]],
  toImageButtonOptions: { format: "png", scale: 2 },
};
/** For small matrix heatmaps: no mode bar (nothing worth zooming), so no tab stops either. */
export const QUIET = { ...CONFIG, displayModeBar: false };

const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: "#1e293b" };

/**
 * A layout with a title and labelled axes (every plot has both); `extra` is merged on top,
 * shallowly per axis.
 * @param {string} title
 * @param {string} xTitle
 * @param {string} yTitle
 * @param {Partial<Layout>} [extra]
 * @returns {Partial<Layout>}
 */
export function layout(title, xTitle, yTitle, extra = {}) {
  /** @param {string} text */
  const axis = (text) => ({
    title: { text, standoff: 4 },
    zeroline: true,
    zerolinecolor: "#c9d1da",
    gridcolor: "#eef1f4",
    automargin: true,
  });
  return {
    title: { text: title, font: { size: 14 }, x: 0.02, xanchor: "left", y: 0.97 },
    font: FONT,
    margin: { l: 56, r: 16, t: 34, b: 40 },
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    legend: { orientation: "h", x: 0, y: -0.16, yanchor: "top", font: { size: 11 } },
    hovermode: "closest",
    uirevision: "keep",
    ...extra,
    xaxis: { ...axis(xTitle), ...extra.xaxis },
    yaxis: { ...axis(yTitle), ...extra.yaxis },
  };
}

let firstPlot = false;
/** @type {Promise<unknown>} */
let queue = Promise.resolve();
/** Resolves once the browser has painted what is drawn so far. */
const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

/**
 * Draw (or redraw) `gd` with Plotly.react. Draws run one after the other, and a plot drawn for
 * the first time waits until the plots before it are on screen, so a page appears plot by plot
 * instead of all at once after the last. The div is labelled with the plot's title for screen
 * readers, and the page's first plot sets the performance mark "bpx:first-plot".
 * @param {HTMLElement} gd
 * @param {Trace[]} traces
 * @param {Partial<Layout>} lay
 * @param {Partial<Config>} [config]
 */
export function draw(gd, traces, lay, config = CONFIG) {
  const fresh = !isDrawn(gd);
  activity.inflight++; // a queued draw is work in progress too (tests settle on the counter)
  const run = queue.then(async () => {
    const P = await plotly();
    if (fresh && firstPlot) await painted();
    await P.react(gd, traces, lay, config);
    const title = typeof lay.title === "object" ? lay.title?.text : lay.title;
    if (title) gd.setAttribute("aria-label", title);
    if (!firstPlot) {
      firstPlot = true;
      performance.mark("bpx:first-plot");
    }
  });
  queue = run.catch(() => {}).finally(() => activity.inflight--);
  return run;
}

/**
 * Update a drawn plot's layout (cheap: moving shapes takes about 1 ms).
 * @param {HTMLElement} gd
 * @param {Partial<Layout>} update
 */
export function relayout(gd, update) {
  return window.Plotly?.relayout(gd, update);
}

/** @param {HTMLElement} gd */
export function purge(gd) {
  window.Plotly?.purge(gd);
}

/** @param {HTMLElement} gd @returns {gd is PlotDiv} */
export const isDrawn = (gd) => Boolean(/** @type {PlotDiv} */ (gd)._fullLayout);

/**
 * Call `fn(x, y)` with the data coordinates of a click anywhere inside the plot area (not only
 * on a curve, which is all that plotly_click reports).
 * @param {HTMLElement} gd
 * @param {(x: number, y: number) => void} fn
 */
export function onAreaClick(gd, fn) {
  gd.addEventListener("click", (ev) => {
    const fl = /** @type {any} */ (gd)._fullLayout;
    const area = gd.querySelector(".nsewdrag");
    if (!fl || !area) return;
    const r = area.getBoundingClientRect();
    if (ev.clientX < r.left || ev.clientX > r.right || ev.clientY < r.top || ev.clientY > r.bottom) return;
    const x = fl.xaxis.p2d(ev.clientX - r.left);
    const y = fl.yaxis.p2d(ev.clientY - r.top);
    if (Number.isFinite(x) && Number.isFinite(y)) fn(x, y);
  });
}

/**
 * A heatmap of `z` on the diverging scale with 0 at its white. `other` (same shape, optional)
 * is shown in the hover as `otherName` (e.g. the gradient of this value), with the cell's index
 * and the tensor's shape.
 * @param {import("./format.js").Tensor} z
 * @param {{name?: string, other?: import("./format.js").Tensor | null, otherName?: string,
 *          colorbar?: boolean}} [opts]
 * @returns {Trace}
 */
export function heatmap(z, { name = "value", other = null, otherName = "grad", colorbar = true } = {}) {
  const z2 = as2d(z);
  const o2 = other ? as2d(other) : null;
  const shape = shapeText(z);
  const custom = z2.map((row, i) => row.map((_, j) => [o2?.[i]?.[j] ?? null, shape]));
  const [lo, hi] = extent(z2);
  const scale = diverging(lo, hi);
  const hover = o2
    ? `[%{y}, %{x}]<br>${name} = %{z:.6g}<br>${otherName} = %{customdata[0]:.6g}<br>shape %{customdata[1]}<extra></extra>`
    : `[%{y}, %{x}]<br>${name} = %{z:.6g}<br>shape %{customdata[1]}<extra></extra>`;
  // customdata per cell is [other, shape]: plotly takes it, its types know only flat data.
  return /** @type {Trace} */ (
    /** @type {unknown} */ ({
      type: "heatmap",
      z: z2,
      customdata: custom,
      ...scale,
      ...(scale.zmin === -scale.zmax ? { zmid: 0 } : {}),
      hovertemplate: hover,
      xgap: (z2[0]?.length ?? 0) <= 40 ? 1 : 0,
      ygap: z2.length <= 40 ? 1 : 0,
      showscale: colorbar,
      colorbar: { thickness: 10, len: 0.9, outlinewidth: 0, tickfont: { size: 10 }, exponentformat: "e" },
    })
  );
}

/**
 * Layout for a matrix heatmap: row 0 at the top, integer ticks on small matrices.
 * @param {string} title
 * @param {string} rows the y axis' label
 * @param {string} cols the x axis' label
 * @param {import("./format.js").Tensor} z
 * @param {Partial<Layout>} [extra]
 */
export function matrixLayout(title, rows, cols, z, extra = {}) {
  const z2 = as2d(z);
  const ticks = (/** @type {number} */ n) => (n <= 16 ? { tickmode: /** @type {const} */ ("linear"), dtick: 1 } : {});
  return layout(title, cols, rows, {
    margin: { l: 44, r: 8, t: 30, b: 34 },
    ...extra,
    xaxis: { zeroline: false, showgrid: false, ...ticks(z2[0]?.length ?? 0), ...extra.xaxis },
    yaxis: { autorange: "reversed", zeroline: false, showgrid: false, ...ticks(z2.length), ...extra.yaxis },
  });
}

/**
 * A scatter trace drawn as a line.
 * @param {string} name the legend's entry
 * @param {unknown[]} x
 * @param {unknown[]} y
 * @param {{color: string, width?: number, dash?: string, hover?: string}} style `hover` is the
 *   hovertemplate
 * @returns {any}
 */
export const line = (name, x, y, { color, width = 2, dash, hover }) => ({
  type: "scatter",
  mode: "lines",
  name,
  x,
  y,
  line: { color, width, ...(dash ? { dash } : {}) },
  ...(hover ? { hovertemplate: hover } : { hoverinfo: "skip" }),
});
