// The selected node's tensors as heatmaps (its value beside the gradient flowing back, and the
// parameter gradients), its formula, and the numbers of a clicked cell.
import { byId } from "../../kit/dom.js";
import { as2d, num, sci, shapeOf, shapeText } from "../../kit/format.js";
import { QUIET, draw, heatmap, matrixLayout, purge, relayout } from "../../kit/plot.js";
import { setTex } from "../../kit/tex.js";
import { targetRows } from "./result.js";

/** @typedef {import("./result.js").Result} Result */
/** @typedef {import("./result.js").Check} Check */
/** @typedef {import("../../types/kit").Meta} Meta */
/** @typedef {import("../../kit/format.js").Tensor} Tensor */
/** @typedef {import("./graph.js").Selection} Selection */
/**
 * @typedef {{title: string, name: string, z: Tensor, other?: Tensor | null, otherName?: string,
 *   rows?: string, cols?: string, layer?: number, check?: Check | null, cell: CellRole,
 *   explain?: ((i: number, j: number) => string) | null}} Spec
 */
/**
 * Which indices of the selected cell (step.js) a click on a tensor's [row, column] sets: "nj" an
 * output (sample n, unit j), "nk" an input (sample n, feature k), "nc" an elementwise layer's
 * tensor (its column is both k and j), "kj" a weight matrix, "j" a bias row.
 * @typedef {"nj" | "nk" | "nc" | "kj" | "j"} CellRole
 */

const INPUT = "x \\in \\mathbb{R}^{N\\times d}:\\ \\text{one sample per row}";

/**
 * @param {Selection} sel
 * @param {Result} r
 * @param {string} loss
 * @param {Meta} m
 */
function formulaOf(sel, r, loss, m) {
  if (sel.kind === "input") return INPUT;
  if (sel.kind === "loss") {
    const l = m.losses.find((x) => x.name === loss);
    return l ? `${l.formula},\\quad ${l.gradient}` : "";
  }
  // every layer kind's forward and backward, from its record (/meta)
  const t = r.forward[sel.index]?.type;
  const k = m.layers.find((l) => l.name === t);
  return k ? `${k.formula},\\quad ${k.backward}` : "";
}

/**
 * What the panel shows for a selection.
 * @param {Selection} sel
 * @param {Result} r
 * @param {{x: number[][], targets: number[] | number[][]}} data
 * @param {string} loss
 * @returns {{title: string, sub: string, specs: Spec[]}}
 */
function specsOf(sel, r, data, loss) {
  const check = (/** @type {number} */ index, /** @type {string} */ param) =>
    r.gradcheck?.find((g) => g.index === index && g.param === param) ?? null;
  const inputOf = (/** @type {number} */ i) => (i === 0 ? data.x : r.forward[i - 1].output);
  const n = r.forward.length;
  if (sel.kind === "input") {
    const dx = r.backward[0].grad_input;
    return {
      title: "Input x",
      sub: `shape ${shapeText(data.x)}`,
      specs: [
        { title: "x", name: "x", z: data.x, other: dx, otherName: "∂L/∂x", cols: "feature", cell: "nk" },
        {
          title: "∂L/∂x",
          name: "∂L/∂x",
          z: dx,
          other: data.x,
          otherName: "x",
          cols: "feature",
          check: check(0, "x"),
          cell: "nk",
        },
      ],
    };
  }
  if (sel.kind === "loss") {
    const y = r.forward[n - 1].output;
    const t = targetRows(data.targets, shapeOf(y)[1] || 1);
    return {
      title: `Loss: ${loss}`,
      sub: `L = ${num(r.loss, 10)}`,
      specs: [
        { title: "network output y", name: "y", z: y, other: t, otherName: "target t", cell: "nj" },
        { title: "targets t", name: "t", z: t, other: y, otherName: "y", cell: "nj" },
      ],
    };
  }
  const i = sel.index;
  const f = r.forward[i];
  const b = r.backward[i];
  const dy = i + 1 < n ? r.backward[i + 1].grad_input : (r.seed ?? null); // the last layer's: the loss's seed
  const p = r.params.find((q) => q.index === i);
  const dW = b.grads?.W;
  const db = b.grads?.b;
  const elementwise = !(dW && db);
  /** @type {Spec[]} */
  const specs = [
    { title: `output y${i}`, name: "y", z: f.output, other: dy, otherName: "∂L/∂y", cell: elementwise ? "nc" : "nj" },
    {
      title: "∂L/∂x flowing back",
      name: "∂L/∂x",
      z: b.grad_input,
      other: inputOf(i),
      otherName: "x",
      check: i === 0 ? check(0, "x") : null,
      cell: elementwise ? "nc" : "nk",
    },
  ];
  if (dW && db) {
    const x = inputOf(i);
    specs.push({
      title: "∂L/∂W",
      name: "∂L/∂W",
      layer: i,
      z: dW,
      other: p?.W ?? null,
      otherName: "W",
      rows: "input i",
      cols: "unit j",
      check: check(i, "W"),
      cell: "kj",
      explain: dy
        ? (a, c) =>
            `Σₙ x[n,${a}]·δ[n,${c}] = ${num(
              x.reduce((s, row, k) => s + (row[a] ?? 0) * (dy[k]?.[c] ?? 0), 0),
              8,
            )}`
        : null,
    });
    const cb = check(i, "b");
    specs.push({
      title: "∂L/∂b",
      name: "∂L/∂b",
      z: [/** @type {(number | null)[]} */ (db)],
      other: p ? [p.b] : null,
      otherName: "b",
      rows: "b",
      cols: "unit j",
      check: cb?.numeric && cb.rel_error ? { ...cb, numeric: as2d(cb.numeric), rel_error: as2d(cb.rel_error) } : cb,
      cell: "j",
    });
  } else {
    specs.push({ title: `input x${i}`, name: "x", z: inputOf(i), other: b.grad_input, otherName: "∂L/∂x", cell: "nc" });
    if (dy)
      specs.push({ title: "∂L/∂y from above", name: "∂L/∂y", z: dy, other: f.output, otherName: "y", cell: "nc" });
  }
  return { title: `Layer ${i}: ${f.type}`, sub: `${shapeText(inputOf(i))} → ${shapeText(f.output)}`, specs };
}

/**
 * Where the selected cell falls in a tensor: [row, column] by the tensor's role, clamped to its
 * shape as the steps clamp it (step.js).
 * @param {Spec} s
 * @param {import("./step.js").Cell} c
 * @returns {[number, number]}
 */
function cellAt(s, c) {
  const z = as2d(s.z);
  const [rows, cols] = [z.length, z[0]?.length ?? 1];
  const clamp = (/** @type {number} */ i, /** @type {number} */ size) => Math.max(0, Math.min(i, size - 1));
  const [r, k] = {
    nj: [c.n, c.j],
    nk: [c.n, c.k],
    nc: [c.n, c.j],
    kj: [c.k, c.j],
    j: [0, c.j],
  }[s.cell];
  return [clamp(r, rows), clamp(k, cols)];
}

/** Batches taller than this are shown as a window of this many rows (never sub-pixel stripes). */
export const WINDOW_ROWS = 64;

/**
 * The rows [lo, hi) shown of a tensor of `rows` rows: all of them, or WINDOW_ROWS from `start`.
 * @param {number} rows
 * @param {number} start
 * @returns {[number, number]}
 */
export function rowWindow(rows, start) {
  if (rows <= WINDOW_ROWS) return [0, rows];
  const lo = Math.max(0, Math.min(Math.round(start) || 0, rows - WINDOW_ROWS));
  return [lo, lo + WINDOW_ROWS];
}

/**
 * A heatmap trace of `z`, of only rows [start, start + WINDOW_ROWS) when it is taller: its y are
 * the rows' own indices, so the hover and a click name the real sample.
 * @param {Tensor} z
 * @param {{name: string, other?: Tensor | null, otherName?: string}} o
 * @param {number} start
 */
export function windowedHeatmap(z, { name, other, otherName }, start) {
  const z2 = as2d(z);
  if (z2.length <= WINDOW_ROWS) return { trace: heatmap(z, { name, other, otherName }), shown: z2.length };
  const [a] = rowWindow(z2.length, start);
  const rows = z2.slice(a, a + WINDOW_ROWS);
  const o = other ? as2d(other).slice(a, a + WINDOW_ROWS) : null;
  const trace = /** @type {any} */ (heatmap(rows, { name, other: o, otherName }));
  trace.y = rows.map((_, k) => a + k);
  // The hover names the whole tensor's shape, not the window's.
  trace.customdata = /** @type {any[][]} */ (trace.customdata).map((row) => row.map((c) => [c[0], shapeText(z)]));
  return { trace, shown: WINDOW_ROWS };
}

/** The tensor panel's elements, by their ids in network.html. */
export const tensorEls = () => ({
  title: byId("sel-title", HTMLElement),
  sub: byId("sel-sub", HTMLElement),
  formula: byId("sel-formula", HTMLElement),
  slots: ["hm-a", "hm-b", "hm-c", "hm-d"].map((id) => byId(id, HTMLElement)),
  window: byId("row-window", HTMLInputElement),
  windowNote: byId("row-window-note", HTMLElement),
});

/**
 * @param {{title: HTMLElement, sub: HTMLElement, formula: HTMLElement, slots: HTMLElement[],
 *   window?: HTMLInputElement, windowNote?: HTMLElement,
 *   onWeight?: (index: number, entry: [number, number]) => void,
 *   onCell?: (role: CellRole, i: number, j: number) => void,
 *   onWindow?: (start: number) => void, extraRows?: () => number,
 *   cell?: () => import("./step.js").Cell}} el `cell()` is outlined in each tensor; a click on a ∂L/∂W cell
 *   calls `onWeight` (the nudge test), a click on any cell `onCell` (the step's selected cell);
 *   moving the row window `onWindow` (the other heatmaps of the batch follow it); `extraRows()`
 *   the height of the tallest of those, so the window's range covers it too
 */
export function tensorPanel(el) {
  /** @type {WeakMap<HTMLElement, Spec>} */
  const shown = new WeakMap();
  /** @type {Meta | null} */
  let meta = null;
  /** @type {[Selection, Result, {x: number[][], targets: number[] | number[][]}, string, Meta] | null} */
  let last = null;
  let start = 0;
  el.window?.addEventListener("input", () => {
    start = Number(el.window?.value) || 0;
    if (last) void panel.show(...last);
    el.onWindow?.(start);
  });
  /** @param {HTMLElement} gd @param {any} ev */
  const onCell = (gd, ev) => {
    const s = shown.get(gd);
    const pt = ev?.points?.[0];
    if (!s || !pt || !meta) return;
    const [i, j] = [Number(pt.y), Number(pt.x)];
    const z = as2d(s.z);
    const o = s.other ? as2d(s.other) : null;
    let text = `${s.name}[${i}, ${j}] = ${num(z[i]?.[j], 8)}`;
    if (o) text += `;  ${s.otherName}[${i}, ${j}] = ${num(o[i]?.[j], 8)}`;
    const a = z[i]?.[j];
    const numeric = s.check?.numeric;
    const n = numeric ? as2d(numeric)[i]?.[j] : null;
    if (s.check && a !== null && a !== undefined && n !== null && n !== undefined) {
      const rel = s.check.rel_error ? as2d(s.check.rel_error)[i]?.[j] : undefined;
      // The entry's numbers; the verdict is the server's, on the whole tensor.
      text += `;  numerical ${num(n, 8)}`;
      if (rel !== undefined && rel !== null) text += `, rel. error ${sci(rel, 1)}`;
      text += ` (tensor: ${s.check.verdict})`;
    }
    if (s.explain) text += `  —  ${s.explain(i, j)}`;
    el.formula.textContent = text;
    el.onCell?.(s.cell, i, j);
    if (s.name === "∂L/∂W" && s.layer !== undefined) el.onWeight?.(s.layer, [i, j]);
  };
  /**
   * The selected cell (the one the steps are written with) as a rectangle, when in the window.
   * @param {Spec} s
   */
  const outline = (s) => {
    const c = el.cell ? cellAt(s, el.cell()) : null;
    const [lo, hi] = rowWindow(as2d(s.z).length, start);
    if (!c || c[0] < lo || c[0] >= hi) return [];
    const [y, x] = c;
    const line = { color: "#1e293b", width: 2 };
    return [{ type: /** @type {const} */ ("rect"), x0: x - 0.5, x1: x + 0.5, y0: y - 0.5, y1: y + 0.5, line }];
  };
  const panel = {
    slots: el.slots,
    /** Move the selected cell's outline (a cheap relayout, no redraw). */
    mark() {
      return Promise.all(
        el.slots.map((gd) => {
          const s = shown.get(gd);
          return s && gd.style.visibility !== "hidden" ? relayout(gd, { shapes: outline(s) }) : null;
        }),
      );
    },
    /** The first row of the window shown of a batch taller than WINDOW_ROWS. */
    get start() {
      return start;
    },
    /**
     * @param {Selection} sel
     * @param {Result} r
     * @param {{x: number[][], targets: number[] | number[][]}} data
     * @param {string} loss
     * @param {Meta} m
     */
    show(sel, r, data, loss, m) {
      meta = m;
      last = [sel, r, data, loss, m];
      const { title, sub, specs } = specsOf(sel, r, data, loss);
      const tall = Math.max(el.extraRows?.() ?? 0, ...specs.map((q) => as2d(q.z).length));
      if (el.window && el.windowNote) {
        el.window.hidden = tall <= WINDOW_ROWS;
        el.window.max = String(Math.max(0, tall - WINDOW_ROWS));
        start = Math.min(start, Math.max(0, tall - WINDOW_ROWS));
        el.window.value = String(start);
        el.windowNote.textContent = tall > WINDOW_ROWS ? `rows ${start}–${start + WINDOW_ROWS - 1} of ${tall}` : "";
      }
      el.title.textContent = title;
      el.sub.textContent = sub;
      el.formula.replaceChildren();
      const tex = document.createElement("span");
      el.formula.append(tex);
      void setTex(tex, formulaOf(sel, r, loss, m));
      return Promise.all(
        el.slots.map((gd, k) => {
          const s = specs[k];
          gd.style.visibility = s ? "visible" : "hidden";
          if (!s) {
            purge(gd);
            return null;
          }
          shown.set(gd, s);
          const tr = windowedHeatmap(s.z, { name: s.name, other: s.other, otherName: s.otherName }, start).trace;
          const lay = matrixLayout(`${s.title} ${shapeText(s.z)}`, s.rows || "sample n", s.cols ?? "unit j", s.z);
          lay.shapes = outline(s);
          return draw(gd, [tr], lay, QUIET).then(() => {
            if (gd.dataset.wired) return;
            gd.dataset.wired = "1";
            /** @type {any} */ (gd).on("plotly_click", (/** @type {any} */ ev) => onCell(gd, ev));
          });
        }),
      );
    },
  };
  return panel;
}
