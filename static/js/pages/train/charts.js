// The training page's four plots: the decision boundary under the points (or the fitted curve of
// the regression set), the loss curves, each layer's gradient norm and its update-to-weight
// ratio over the epochs, both on log axes.
import { DIVERGING, paletteColor } from "../../kit/colors.js";
import { draw, layout, line } from "../../kit/plot.js";

/** @typedef {import("../../types/kit").Schemas["DataOut"]} Data */
/** @typedef {import("../../types/kit").Schemas["Boundary"]} Boundary */
/** @typedef {import("../../types/kit").Schemas["Curve"]} Curve */
/**
 * What the stream has told so far, one entry per report.
 * @typedef {{epoch: number[], train: (number | null)[], test: (number | null)[],
 *            grads: (number | null)[][], ratios: (number | null)[][]}} History
 */

/** The epoch axis: from 0, at least ten epochs wide (one point alone would get Plotly's −1…1). */
const epochAxis = (/** @type {number[]} */ x) => ({ range: [0, Math.max(10, x.at(-1) ?? 0)] });

/** Two classes in the Playground's orange and blue (the ends of the diverging scale); more get
 * distinct hues. */
const CLASS = [
  "#e8850c",
  "#0b6fb8",
  "#2a9d3f",
  "#8e44ad",
  "#c0392b",
  "#16a085",
  "#7f8c8d",
  "#d35400",
  "#2c3e50",
  "#b7950b",
];
export const classColor = (/** @type {number} */ k) => CLASS[k % CLASS.length];
const layerColor = (/** @type {number} */ k) => paletteColor(k + 1);

/**
 * The points, training rows filled and test rows as rings, coloured by class.
 * @param {Data} d
 * @returns {any[]}
 */
function points(d) {
  if (d.regression) {
    const flat = (/** @type {any[]} */ m) => m.map((r) => (Array.isArray(r) ? r[0] : r));
    return [
      {
        type: "scatter",
        mode: "markers",
        name: "training points",
        x: flat(d.x_train),
        y: flat(d.y_train),
        marker: { color: CLASS[1], size: 5 },
        hovertemplate: "train (%{x:.3f}, %{y:.3f})<extra></extra>",
      },
      {
        type: "scatter",
        mode: "markers",
        name: "test points",
        x: flat(d.x_test),
        y: flat(d.y_test),
        marker: { color: "#ffffff", size: 6, line: { color: CLASS[0], width: 1.6 } },
        hovertemplate: "test (%{x:.3f}, %{y:.3f})<extra></extra>",
      },
    ];
  }
  const of = (/** @type {any[][]} */ x, /** @type {any[]} */ y, /** @type {boolean} */ train) => ({
    type: "scatter",
    mode: "markers",
    name: train ? "training points" : "test points (rings)",
    x: x.map((p) => p[0]),
    y: x.map((p) => p[1]),
    customdata: y,
    marker: train
      ? { color: y.map((c) => classColor(Number(c))), size: 6, line: { color: "#ffffff", width: 0.8 } }
      : { color: "#ffffff", size: 7, symbol: "circle", line: { color: y.map((c) => classColor(Number(c))), width: 2 } },
    hovertemplate: `${train ? "train" : "test"} (%{x:.3f}, %{y:.3f}), class %{customdata}<extra></extra>`,
  });
  return [of(d.x_train, d.y_train, true), of(d.x_test, d.y_test, false)];
}

/**
 * The class probabilities as colour: for two classes P(class 1) − P(class 0) on the diverging
 * scale (orange −1, white 0, blue +1); for more, the likeliest class's colour.
 * @param {Boundary} b
 * @param {number} classes
 */
function heat(b, classes) {
  const probs = /** @type {number[][][]} */ (/** @type {unknown} */ (b.probs));
  const hover = "(%{x:.2f}, %{y:.2f})<br>P = %{customdata}<extra></extra>";
  const custom = probs.map((row) => row.map((p) => p.map((v) => v.toFixed(3)).join(", ")));
  if (classes <= 2) {
    return {
      type: "heatmap",
      x: b.x1,
      y: b.x2,
      z: probs.map((row) => row.map((p) => (p[1] ?? 0) - (p[0] ?? 0))),
      customdata: custom,
      colorscale: DIVERGING,
      zmin: -1,
      zmax: 1,
      zmid: 0,
      opacity: 0.8,
      showscale: false,
      hovertemplate: hover,
      name: "boundary",
    };
  }
  const scale = Array.from({ length: classes }, (_, k) => [
    [k / classes, classColor(k)],
    [(k + 1) / classes, classColor(k)],
  ]).flat();
  return {
    type: "heatmap",
    x: b.x1,
    y: b.x2,
    z: probs.map((row) => row.map((p) => p.indexOf(Math.max(...p)))),
    customdata: custom,
    colorscale: scale,
    zmin: -0.5,
    zmax: classes - 0.5,
    opacity: 0.45,
    showscale: false,
    hovertemplate: hover,
    name: "boundary",
  };
}

/**
 * @param {HTMLElement} gd
 * @param {Data} d
 * @param {Boundary | null} b
 * @param {Curve | null} c
 * @param {number} epoch
 */
export function drawBoundary(gd, d, b, c, epoch) {
  const what = d.regression ? "fitted curve" : "decision boundary";
  const title = `${what}, epoch ${epoch} (● training, ○ test points)`;
  const [e1, e2] = d.extent;
  /** @type {any[]} */
  const traces = [];
  if (b && !d.regression) traces.push(heat(b, d.classes));
  traces.push(...points(d));
  if (c && d.regression) traces.push(line("network output", c.x, c.y, { color: "#1e293b", width: 2.5 }));
  const lay = layout(title, "x1", d.regression ? "y" : "x2", {
    margin: { l: 44, r: 8, t: 30, b: 36 },
    showlegend: false, // the title says which points are which
    xaxis: { range: e1, zeroline: false, constrain: "domain" },
    yaxis: d.regression ? { zeroline: false } : { range: e2, zeroline: false, scaleanchor: "x", constrain: "domain" },
  });
  return draw(gd, traces, lay);
}

/**
 * @param {HTMLElement} gd
 * @param {History} h
 * @param {string} loss
 */
export function drawLosses(gd, h, loss) {
  // new arrays each time: Plotly.react redraws only the data it has not seen (by identity)
  const x = h.epoch.slice();
  return draw(
    gd,
    [
      line("training loss", x, h.train.slice(), {
        color: "#0b6fb8",
        hover: "epoch %{x}: %{y:.4g}<extra>train</extra>",
      }),
      line("test loss", x, h.test.slice(), {
        color: "#e8850c",
        dash: "dash",
        hover: "epoch %{x}: %{y:.4g}<extra>test</extra>",
      }),
    ],
    layout(`loss (${loss})`, "epoch", "loss", {
      xaxis: epochAxis(x),
      yaxis: { type: "log", exponentformat: "e" },
      margin: { l: 56, r: 10, t: 30, b: 34 },
    }),
  );
}

/**
 * One line per affine layer, on a log axis.
 * @param {HTMLElement} gd
 * @param {number[]} x epochs
 * @param {(number | null)[][]} series per report, one value per layer
 * @param {string[]} names the layers (the legend shows L1, L2, ..., out; the hover the name)
 * @param {string} title
 * @param {string} yTitle
 * @param {any[]} [shapes]
 * @param {string} [waiting] what to say while no value has come (the axis then shows 1e-5…1)
 */
export function drawPerLayer(gd, x, series, names, title, yTitle, shapes = [], waiting = "") {
  const epochs = x.slice(); // a new array each time, as for the losses
  const traces = names.map((name, k) =>
    line(
      k === names.length - 1 ? "out" : `L${k + 1}`,
      epochs,
      series.map((row) => row[k] ?? null),
      {
        color: layerColor(k),
        hover: `epoch %{x}: %{y:.3g}<extra>${name}</extra>`,
      },
    ),
  );
  const none = !series.some((row) => row.some((v) => v !== null && v > 0));
  return draw(
    gd,
    traces,
    layout(title, "epoch", yTitle, {
      xaxis: epochAxis(epochs),
      yaxis: { type: "log", exponentformat: "e", ...(none ? { range: [-5, 0] } : {}) },
      annotations:
        none && waiting
          ? [{ text: waiting, xref: "paper", yref: "paper", x: 0.5, y: 0.5, showarrow: false, font: { size: 12 } }]
          : [],
      margin: { l: 56, r: 8, t: 30, b: 34 },
      legend: { orientation: "h", x: 0, y: -0.2, yanchor: "top", font: { size: 10 }, itemwidth: 30 },
      shapes,
    }),
  );
}

/** A band around 1e-3, the update-to-weight ratio CS231n calls healthy. */
export const HEALTHY = [
  {
    type: "rect",
    xref: "paper",
    x0: 0,
    x1: 1,
    yref: "y",
    y0: 3e-4,
    y1: 3e-3,
    fillcolor: "#9bd3ae",
    opacity: 0.25,
    line: { width: 0 },
    layer: "below",
  },
];
