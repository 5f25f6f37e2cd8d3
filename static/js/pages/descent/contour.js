// The contour of f over the view, each optimizer's path on it, the start and the lowest point.
import { diverging } from "../../kit/colors.js";
import { extent, num } from "../../kit/format.js";
import { draw, layout } from "../../kit/plot.js";
import { cutAt, lowest, symlog } from "./logic.js";

/** @typedef {import("./logic.js").Run} Run */
/** @typedef {import("./logic.js").Grid} Grid */
/**
 * What the plots show: the function, the view, the runs of the chosen optimizers and their colours.
 * @typedef {object} View
 * @property {string} expr
 * @property {number[]} start
 * @property {number[]} box [x1min, x1max, x2min, x2max]
 * @property {string[]} opt the chosen optimizers, in order
 * @property {"linear" | "log"} scale the contour's colour scale
 * @property {Record<string, Run>} runs
 * @property {(o: string) => string} colorOf
 * @property {{x: number[], f: number}[]} minima the minima known for f (its preset's), or none
 */

/**
 * @param {HTMLElement} gd
 * @param {Grid} g
 * @param {View} v
 */
export function drawContour(gd, g, v) {
  const logc = v.scale === "log";
  const z = logc ? g.z.map((row) => row.map(symlog)) : g.z;
  const [lo, hi] = extent(z);
  const colours = diverging(lo, hi);
  const zName = logc ? "sign·log₁₀(1+|f|)" : "f";
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
      colorbar: { title: { text: zName, side: "right" }, thickness: 10, outlinewidth: 0 },
      hovertemplate: `x1 = %{x:.3g}, x2 = %{y:.3g}<br>${zName} = %{z:.5g}<extra></extra>`,
    },
  ];
  for (const o of v.opt) {
    const r = v.runs[o];
    if (!r) continue;
    const path = r.path.slice(0, cutAt(r, v.box) + 1);
    const color = v.colorOf(o);
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
  }
  traces.push({
    type: "scatter",
    mode: "markers",
    name: "start",
    x: [v.start[0]],
    y: [v.start[1]],
    marker: { symbol: "star", size: 15, color: "#fff", line: { color: "#1e293b", width: 1.5 } },
    hovertemplate: "start (%{x:.4g}, %{y:.4g})<extra></extra>",
  });
  const low = lowest(g);
  const mark = { symbol: "x-thin", size: 13, color: "#1e293b", line: { width: 2.5, color: "#1e293b" } };
  if (v.minima.length) {
    // Every known minimum, so that a path to any of them is seen to arrive (Himmelblau has four).
    traces.push({
      type: "scatter",
      mode: "markers",
      name: v.minima.length === 1 ? "known minimum" : "known minima",
      x: v.minima.map((m) => m.x[0]),
      y: v.minima.map((m) => m.x[1]),
      customdata: v.minima.map((m) => m.f),
      marker: mark,
      hovertemplate: "a minimum (%{x:.4g}, %{y:.4g})<br>f = %{customdata:.5g}<extra></extra>",
    });
  } else if (!low.edge) {
    traces.push({
      type: "scatter",
      mode: "markers",
      name: "lowest grid point",
      x: [low.x1],
      y: [low.x2],
      marker: mark,
      hovertemplate: `lowest grid point (%{x:.4g}, %{y:.4g})<br>f = ${num(low.f, 5)}<extra></extra>`,
    });
  }
  const [a, b, c, d] = v.box;
  return draw(
    gd,
    traces,
    layout(`f(x1, x2) = ${v.expr}`, "x1", "x2", {
      xaxis: { range: [a, b], zeroline: false, showgrid: false },
      yaxis: { range: [c, d], zeroline: false, showgrid: false },
      uirevision: `${v.expr}|${v.box.join("|")}`,
      legend: { orientation: "h", x: 0, y: -0.12, yanchor: "top" },
      margin: { l: 50, r: 10, t: 34, b: 40 },
    }),
  );
}
