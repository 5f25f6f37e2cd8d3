// The graph's zoom and pan. By default ("fit") the drawing is as large as its frame allows but
// never so small that a node's text drops under ~11 px: a large program then pans (drag the
// background, scroll, or focus a node) rather than shrink to a strip. The learner zooms with the
// buttons, the keys + − 0, or ctrl + wheel (a touchpad's pinch); the zoom is in the URL.
// fitScale() and zoomBy() are pure (tests/js/graph-panels.test.js).
import { isTyping } from "./steps.js";

/** @typedef {import("./layout.js").Layout} Layout */

/**
 * readable: the least scale of the default view (the node text is 12 units: 0.95 draws it at
 * 11.4 px); fit: the largest; min, max: the learner's zoom; step: one click of + or −.
 */
export const ZOOM = { readable: 0.95, fit: 1.3, min: 0.25, max: 3, step: 1.25 };

/**
 * The default scale of a drawing of `size` in a frame of `w` × `h` CSS px.
 * @param {number} w
 * @param {number} h
 * @param {{width: number, height: number}} size
 */
export const fitScale = (w, h, size) => Math.max(ZOOM.readable, Math.min(ZOOM.fit, w / size.width, h / size.height));

/**
 * One step of zoom in (dir > 0) or out (dir < 0) from `scale`, within ZOOM's bounds.
 * @param {number} scale
 * @param {number} dir
 */
export const zoomBy = (scale, dir) =>
  Math.round(Math.max(ZOOM.min, Math.min(ZOOM.max, scale * ZOOM.step ** dir)) * 1000) / 1000;

export class ZoomPanel {
  /**
   * @param {{
   *   frame: HTMLElement,
   *   svg: SVGSVGElement,
   *   layout: () => Layout | null,
   *   zoom: number,
   *   onChange: (zoom: number) => void,
   * }} opts frame: the scrolling box around the SVG; zoom: 0 to fit, else the scale;
   *   onChange: the zoom (or the drawing's size) changed
   */
  constructor({ frame, svg, layout, zoom, onChange }) {
    this.frame = frame;
    this.svg = svg;
    this.layout = layout;
    this.zoom = zoom;
    this.onChange = onChange;
    this.scale = 1;
    const button = (/** @type {string} */ id, /** @type {() => void} */ fn) =>
      document.getElementById(id)?.addEventListener("click", fn);
    button("btn-zoom-in", () => this.step(1));
    button("btn-zoom-out", () => this.step(-1));
    button("btn-zoom-fit", () => this.set(0));
    document.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const dir = { "+": 1, "=": 1, "-": -1, "−": -1, 0: 0 }[e.key];
      if (dir === undefined) return;
      e.preventDefault();
      if (dir === 0) this.set(0);
      else this.step(dir);
    });
    frame.addEventListener("wheel", (e) => this.wheel(e), { passive: false });
    this.pan();
  }

  /**
   * Zoom by `dir` steps, keeping the point at (`x`, `y`) in the frame (its centre) in place.
   * @param {number} dir
   * @param {number} [x]
   * @param {number} [y]
   */
  step(dir, x = this.frame.clientWidth / 2, y = this.frame.clientHeight / 2) {
    const old = this.scale;
    const px = (this.frame.scrollLeft + x) / old;
    const py = (this.frame.scrollTop + y) / old;
    this.set(zoomBy(old, dir));
    this.frame.scrollLeft = px * this.scale - x;
    this.frame.scrollTop = py * this.scale - y;
  }

  /** @param {number} zoom 0: fit */
  set(zoom) {
    this.zoom = zoom;
    this.apply();
  }

  /** Size the SVG for the zoom and the frame (call after a new layout or a resize). */
  apply() {
    const lay = this.layout();
    const cw = this.frame.clientWidth - 4;
    const ch = this.frame.clientHeight - 4;
    if (!lay || cw <= 0 || ch <= 0) return;
    this.scale = this.zoom > 0 ? this.zoom : fitScale(cw, ch, lay);
    this.svg.setAttribute("width", String(Math.floor(lay.width * this.scale)));
    this.svg.setAttribute("height", String(Math.floor(lay.height * this.scale)));
    this.svg.dataset.scale = this.scale.toFixed(3);
    this.onChange(this.zoom);
  }

  /** @param {WheelEvent} e ctrl + wheel, or a pinch: zoom about the pointer; a plain wheel scrolls */
  wheel(e) {
    if (!e.ctrlKey) return;
    e.preventDefault();
    const r = this.frame.getBoundingClientRect();
    this.step(e.deltaY < 0 ? 1 : -1, e.clientX - r.left, e.clientY - r.top);
  }

  /** Drag the background (not a node, not a box) with the mouse to pan; touch pans natively. */
  pan() {
    /** @type {{x: number, y: number, left: number, top: number} | null} */
    let from = null;
    this.frame.addEventListener("pointerdown", (e) => {
      const t = e.target instanceof Element ? e.target : null;
      if (e.button !== 0 || e.pointerType === "touch" || !t || t.closest(".gnode, input, button")) return;
      from = { x: e.clientX, y: e.clientY, left: this.frame.scrollLeft, top: this.frame.scrollTop };
      this.frame.setPointerCapture(e.pointerId);
      this.frame.classList.add("panning");
    });
    this.frame.addEventListener("pointermove", (e) => {
      if (!from) return;
      this.frame.scrollLeft = from.left - (e.clientX - from.x);
      this.frame.scrollTop = from.top - (e.clientY - from.y);
    });
    const end = () => {
      from = null;
      this.frame.classList.remove("panning");
    };
    this.frame.addEventListener("pointerup", end);
    this.frame.addEventListener("pointercancel", end);
  }
}
