// What every page has: the "Copy link" button in the top bar.

/** Copy the page's URL (which holds its whole state) to the clipboard. */
export function wireCopyLink() {
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
