// What every page runs first: start(init) wires the top bar, then runs the page's init(). Each
// page module ends with start(init), so its whole module graph is one static import tree that
// the template preloads at once. Until init() has drawn, the page counts as busy (`activity`),
// so tests wait; then the formulas are rendered (see tex.js).
import { activity } from "./api.js";
import * as tex from "./tex.js";

/**
 * @param {() => unknown} [init] the page's own start; none on the home page
 */
export async function start(init) {
  performance.mark("bpx:boot");
  wireCopyLink();
  if (!init) return tex.start();
  activity.pending++;
  try {
    await init();
  } finally {
    void tex.start();
    activity.pending--;
  }
}

/** Copy the page's URL (which holds its whole state) to the clipboard. */
function wireCopyLink() {
  const btn = document.getElementById("copy-link");
  const status = document.getElementById("copy-status");
  if (!btn || !status) return;
  btn.addEventListener("click", async () => {
    const url = location.href;
    const ok = await navigator.clipboard.writeText(url).then(
      () => true,
      () => copyBySelection(url), // no Clipboard API (plain http on another host)
    );
    status.textContent = ok ? "Copied!" : "Copy failed";
    btn.dataset.copied = url;
    setTimeout(() => (status.textContent = ""), 1800);
  });
}

/** @param {string} text */
function copyBySelection(text) {
  const ta = document.createElement("textarea");
  ta.value = text;
  ta.setAttribute("readonly", "");
  ta.style.position = "fixed";
  ta.style.opacity = "0";
  document.body.append(ta);
  ta.select();
  const ok = (() => {
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    }
  })();
  ta.remove();
  return ok;
}
