// The one script every page loads: wires the top bar, then imports the page's module (named by
// body[data-module], preloaded by the template with everything it imports) and runs its init().
// The home page has no module: it only needs its formulas rendered.
// Until init() has drawn, the page counts as busy (kit/activity.js), so tests wait for it.
import { activity } from "./kit/activity.js";
import { wireCopyLink } from "./kit/chrome.js";
import { renderTex } from "./kit/tex.js";

wireCopyLink();
void renderTex(); // the formulas written in the page's HTML
const module = document.body.dataset.module;
if (module) {
  activity.pending++;
  try {
    /** @type {{init: () => unknown}} */
    const page = await import(module);
    await page.init();
  } finally {
    activity.pending--;
  }
}
