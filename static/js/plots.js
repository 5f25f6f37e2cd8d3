// Plotly helpers shared by every page: one look, one config, one heatmap style.
// Only SVG trace types are used (scatter, contour, heatmap): the WebGL ones need `Function`,
// which the Content-Security-Policy forbids.
import { DIVERGING } from "./colors.js";

export const CONFIG = {
  displaylogo: false,
  responsive: true,
  modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
  toImageButtonOptions: { format: "png", scale: 2 },
};

const FONT = { family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", size: 12, color: "#1e293b" };

/** A layout with a title and labelled axes; `extra` is merged on top (shallowly per axis). */
export function layout(title, xTitle, yTitle, extra = {}) {
  const base = {
    title: { text: title, font: { size: 14 }, x: 0.02, xanchor: "left", y: 0.97 },
    font: FONT,
    margin: { l: 56, r: 16, t: 34, b: 40 },
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    xaxis: { title: { text: xTitle, standoff: 4 }, zeroline: true, zerolinecolor: "#c9d1da", gridcolor: "#eef1f4", automargin: true },
    yaxis: { title: { text: yTitle, standoff: 4 }, zeroline: true, zerolinecolor: "#c9d1da", gridcolor: "#eef1f4", automargin: true },
    legend: { orientation: "h", x: 0, y: -0.16, yanchor: "top", font: { size: 11 } },
    hovermode: "closest",
    uirevision: "keep",
  };
  const out = { ...base, ...extra };
  out.xaxis = { ...base.xaxis, ...(extra.xaxis || {}) };
  out.yaxis = { ...base.yaxis, ...(extra.yaxis || {}) };
  return out;
}

export function react(gd, data, lay) {
  return window.Plotly.react(gd, data, lay, CONFIG);
}

/** Largest |v| in a (possibly nested) array, ignoring nulls; 0 if none. */
export function absMax(a) {
  let m = 0;
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "number" && Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  };
  walk(a);
  return m;
}

/** Make a matrix 2-D (a vector becomes one row). */
export function as2d(m) {
  if (!Array.isArray(m)) return [[m]];
  return Array.isArray(m[0]) ? m : [m];
}

export const shapeOf = (m) => {
  if (!Array.isArray(m)) return [];
  return Array.isArray(m[0]) ? [m.length, m[0].length] : [m.length];
};
export const shapeText = (m) => `(${shapeOf(m).join(" × ")})`;

/**
 * A heatmap of `z` on the diverging scale centred at 0. `other` (same shape, optional) is shown in
 * the hover as `otherName` (e.g. the gradient of this value), together with the cell index and the
 * tensor's shape.
 */
export function heatmap(z, { name = "value", other = null, otherName = "grad", shape = null, colorbar = true, zmax = null } = {}) {
  const z2 = as2d(z);
  const o2 = other ? as2d(other) : null;
  const shp = shape || shapeText(z);
  const custom = z2.map((row, i) => row.map((_, j) => [o2 && o2[i] ? o2[i][j] : null, shp]));
  const zm = zmax ?? (absMax(z2) || 1);
  const hover = o2
    ? `[%{y}, %{x}]<br>${name} = %{z:.6g}<br>${otherName} = %{customdata[0]:.6g}<br>shape %{customdata[1]}<extra></extra>`
    : `[%{y}, %{x}]<br>${name} = %{z:.6g}<br>shape %{customdata[1]}<extra></extra>`;
  return {
    type: "heatmap",
    z: z2,
    customdata: custom,
    colorscale: DIVERGING,
    zmid: 0,
    zmin: -zm,
    zmax: zm,
    hovertemplate: hover,
    xgap: z2[0] && z2[0].length <= 40 ? 1 : 0,
    ygap: z2.length <= 40 ? 1 : 0,
    showscale: colorbar,
    colorbar: { thickness: 10, len: 0.9, outlinewidth: 0, tickfont: { size: 10 }, exponentformat: "e" },
  };
}

/** Layout for a matrix heatmap: row 0 at the top, integer ticks. */
export function matrixLayout(title, rows = "row", cols = "column", extra = {}) {
  return layout(title, cols, rows, {
    margin: { l: 44, r: 8, t: 30, b: 34 },
    ...extra,
    xaxis: { zeroline: false, showgrid: false, ...(extra.xaxis || {}) },
    yaxis: { autorange: "reversed", zeroline: false, showgrid: false, ...(extra.yaxis || {}) },
  });
}

/** Numbers for people: scientific notation for errors, compact otherwise. */
export function sci(v, digits = 2) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  if (v === 0) return "0";
  return v.toExponential(digits).replace("e+", "e");
}
export function num(v, digits = 10) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e8)) return v.toExponential(digits - 1).replace("e+", "e");
  return String(Number(v.toPrecision(digits)));
}

/** PyTorch gradcheck's rule: |a - n| <= atol + rtol * |n|. */
export const GRADCHECK = { atol: 1e-5, rtol: 1e-3 };
export function gradcheckPass(analytic, numeric) {
  return Math.abs(analytic - numeric) <= GRADCHECK.atol + GRADCHECK.rtol * Math.abs(numeric);
}

export function badge(passed, text = null) {
  const s = document.createElement("span");
  s.className = `badge ${passed ? "pass" : "fail"}`;
  s.textContent = text || (passed ? "pass" : "fail");
  return s;
}
