// The list of lessons: each one's progress from this browser, and the preview of a teacher's
// lesson file (dropped on the page or chosen), rendered by the server (POST
// /api/v1/lessons/preview, stored nowhere) with the same code as the shipped lessons.
import { errorItems, post } from "../kit/api.js";
import { byId, h } from "../kit/dom.js";
import { start } from "../kit/page.js";
import { renderTex } from "../kit/tex.js";
import { progressText, readProgress } from "../lessons/progress.js";

const MAX_BYTES = 200_000; // the API's limit on a lesson's text

function showProgress() {
  for (const card of document.querySelectorAll(".lesson-card")) {
    if (!(card instanceof HTMLElement)) continue;
    const out = card.querySelector(".lesson-progress");
    const p = readProgress(localStorage, card.dataset.lesson || "");
    const tasks = (card.dataset.tasks || "").split(",").filter(Boolean).map(Number);
    if (out) out.textContent = progressText(p, Number(card.dataset.steps), tasks);
    if (p.last) {
      const link = card.querySelector("h2 a");
      if (link instanceof HTMLAnchorElement) link.href = `${link.pathname}?at=${p.last}`;
    }
  }
}

/**
 * Show a previewed lesson: its steps' titles, their server-rendered HTML, page links and tasks.
 * The HTML was rendered with raw HTML off and links limited to safe schemes (app/lessons/render.py).
 * @param {HTMLElement} out
 * @param {import("../types/kit").PostOk<"/api/v1/lessons/preview">} lesson
 */
function showLesson(out, lesson) {
  out.replaceChildren(
    h("h3", {}, `${lesson.title} (${lesson.level}, about ${lesson.minutes} min, ${lesson.steps.length} steps)`),
    h("p", {}, lesson.summary),
    ...lesson.steps.map((s, i) => {
      const text = h("div", { className: "lesson-text" });
      text.innerHTML = s.html; // sanitised on the server: no raw HTML, safe links only
      const items = [h("h4", {}, `${i + 1}. ${s.title}`), text];
      if (s.task) items.push(h("p", { className: "lesson-task" }, `Task (${s.task.kind}): ${String(s.task.prompt)}`));
      items.push(h("p", { className: "hint" }, `Page: ${s.link}`));
      return h("section", { className: "lesson-preview-step" }, ...items);
    }),
  );
  return renderTex(out);
}

/** @param {File} file */
async function preview(file) {
  const status = byId("preview-status", HTMLElement);
  const out = byId("preview-out", HTMLElement);
  out.replaceChildren();
  if (file.size > MAX_BYTES) {
    status.textContent = `${file.name} is larger than ${MAX_BYTES / 1000} kB; a lesson is at most that.`;
    return;
  }
  status.textContent = `Checking ${file.name}…`;
  try {
    const lesson = await post("/api/v1/lessons/preview", { text: await file.text() });
    status.textContent = `${file.name}: a valid lesson with ${lesson.steps.length} steps.`;
    await showLesson(out, lesson);
  } catch (err) {
    status.textContent = errorItems(err)
      .map((e) => e.msg)
      .join(" ")
      .replace(/^preview, /, `${file.name}, `);
  }
}

function wirePreview() {
  const zone = byId("preview-zone", HTMLElement);
  const input = byId("preview-file", HTMLInputElement);
  input.addEventListener("change", () => {
    const file = input.files?.[0];
    if (file) void preview(file);
    input.value = "";
  });
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dragging");
    const file = e.dataTransfer?.files[0];
    if (file) void preview(file);
  });
}

export function init() {
  showProgress();
  wirePreview();
}

start(init);
