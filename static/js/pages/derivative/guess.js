// "Predict first" on the plots: before the reveal, dragging on the f plot turns the guessed
// tangent about (x0, f(x0)), and a click on the step-size plot picks the learner's best h.

/**
 * @param {object} o
 * @param {HTMLDivElement} o.gdF the f plot
 * @param {HTMLDivElement} o.gdS the step-size plot
 * @param {import("../../panels/predict.js").SlopeAndStep} o.pred
 * @param {() => {x0: number, y0: number} | null} o.point x0 and f(x0), or null before an answer
 */
export function wireGuess({ gdF, gdS, pred, point }) {
  let turning = false;
  const guessAt = (/** @type {PointerEvent} */ ev) => {
    const full = /** @type {any} */ (gdF)._fullLayout;
    const p = point();
    if (!p || !full?.xaxis || !full?.yaxis) return;
    const box = gdF.getBoundingClientRect();
    const x = full.xaxis.p2d(ev.clientX - box.left - full.xaxis._offset);
    const y = full.yaxis.p2d(ev.clientY - box.top - full.yaxis._offset);
    if (Math.abs(x - p.x0) > 1e-9 * Math.max(1, Math.abs(p.x0))) pred.setSlope((y - p.y0) / (x - p.x0));
  };
  gdF.addEventListener("pointerdown", (ev) => {
    if (!pred.hidesSlope()) return;
    turning = true;
    guessAt(ev);
  });
  gdF.addEventListener("pointermove", (ev) => {
    if (turning && ev.buttons) guessAt(ev);
  });
  window.addEventListener("pointerup", () => (turning = false));
  gdS.addEventListener("click", (ev) => {
    if (!pred.hidesH()) return;
    const ax = /** @type {any} */ (gdS)._fullLayout?.xaxis;
    if (!ax) return;
    const px = ev.clientX - gdS.getBoundingClientRect().left - ax._offset;
    if (px < 0 || px > ax._length) return;
    pred.pickH(ax.p2d(px));
  });
}
