// The one script every page loads: wires the top bar, then imports the page's module (named by
// body[data-module], preloaded by the template with everything it imports) and runs its init().
// Until init() has drawn, the page counts as busy (`activity`, kit/api.js), so tests wait; then
// the formulas are rendered (the home page, without a module, renders them at once).
import { activity } from "./kit/api.js";
import * as tex from "./kit/tex.js";

performance.mark("bpx:boot");
wireCopyLink();
const module = document.body.dataset.module;
if (module) {
  activity.pending++;
  try {
    /** @type {{init: () => unknown}} */
    const page = await import(module);
    performance.mark("bpx:init");
    await page.init();
  } finally {
    void tex.start();
    activity.pending--;
  }
} else {
  void tex.start();
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
