// Runs on every page: renders the formulas with KaTeX and wires the "Copy link" button.

export function renderTex(scope = document) {
  if (!window.katex) return;
  scope.querySelectorAll(".tex[data-tex]").forEach((el) => {
    if (el.dataset.rendered === el.dataset.tex) return;
    try {
      window.katex.render(el.dataset.tex, el, { throwOnError: false, displayMode: el.classList.contains("display") });
      el.dataset.rendered = el.dataset.tex;
    } catch {
      el.textContent = el.dataset.tex;
    }
  });
}

function wireCopyLink() {
  const btn = document.getElementById("copy-link");
  const status = document.getElementById("copy-status");
  if (!btn) return;
  btn.addEventListener("click", async () => {
    const url = location.href;
    let ok = false;
    try {
      await navigator.clipboard.writeText(url);
      ok = true;
    } catch {
      // Clipboard API unavailable (plain http on another host): fall back to a selection copy.
      const ta = document.createElement("textarea");
      ta.value = url;
      ta.setAttribute("readonly", "");
      ta.style.position = "fixed";
      ta.style.opacity = "0";
      document.body.appendChild(ta);
      ta.select();
      try { ok = document.execCommand("copy"); } catch { ok = false; }
      ta.remove();
    }
    status.textContent = ok ? "Copied!" : "Copy failed";
    btn.dataset.copied = url;
    setTimeout(() => { status.textContent = ""; }, 1800);
  });
}

renderTex();
wireCopyLink();
