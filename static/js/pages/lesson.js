// One step of a lesson, rendered on the server beside the step's explorer page (its own module,
// loaded by the template after this one, mounted live in #lesson-live). This module records the
// step as seen and each answer to its task (in this browser only), shows the score line and, on
// the last step, the hand-in summary; presenter mode (?present=1) is a body class; ← and → move
// through the lesson unless the focus is in a field or in the live page (whose own keys work).
import { byId } from "../kit/dom.js";
import { HOST_KEYS } from "../kit/state.js";
import { markSeen, readProgress, recordAnswer, summaryText, taskText, totals } from "../lessons/progress.js";
import { wireTask } from "../lessons/taskbox.js";

/** @param {EventTarget | null} t */
const typing = (t) => t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));

export function init() {
  HOST_KEYS.add("at").add("present"); // the page beside writes its state; these stay in the URL
  const main = byId("lesson", HTMLElement);
  const id = main.dataset.lesson || "";
  const k = Number(main.dataset.step);
  const taskSteps = (main.dataset.tasks || "").split(",").filter(Boolean).map(Number);
  markSeen(localStorage, id, k);

  const score = byId("lesson-score", HTMLElement);
  const showScore = () => {
    const p = readProgress(localStorage, id);
    const t = totals(p, taskSteps);
    const mine = taskText(p.tasks[k]);
    score.textContent =
      (mine ? `This task: ${mine}. ` : "") +
      (t.tasks
        ? `Lesson: ${t.done} of ${t.tasks} tasks done, ${t.firstRight} right at the first try, ${t.hints} hint${t.hints === 1 ? "" : "s"} used.`
        : "");
    showSummary();
  };

  const taskData = main.dataset.task;
  if (taskData) {
    const task = JSON.parse(taskData);
    wireTask({
      task,
      attempts: readProgress(localStorage, id).tasks[k]?.tries ?? 0,
      onAnswer: (o) => {
        recordAnswer(localStorage, id, k, o);
        showScore();
      },
    });
  }

  // The hand-in summary (last step): plain text to copy, nothing sent anywhere.
  const summary = document.getElementById("summary-text");
  function showSummary() {
    if (!(summary instanceof HTMLTextAreaElement)) return;
    const steps = [...document.querySelectorAll("#lesson-tasks li")].map((li) => ({
      k: Number(/** @type {HTMLElement} */ (li).dataset.k),
      title: /** @type {HTMLElement} */ (li).dataset.title || "",
      prompt: li.textContent || "",
    }));
    summary.value = summaryText(
      { title: main.dataset.title || id, id, date: new Date(), steps },
      readProgress(localStorage, id),
    );
  }
  document.getElementById("summary-copy")?.addEventListener("click", async () => {
    if (!(summary instanceof HTMLTextAreaElement)) return;
    const status = byId("summary-status", HTMLElement);
    const ok = await navigator.clipboard?.writeText(summary.value).then(
      () => true,
      () => false,
    );
    if (!ok) summary.select();
    status.textContent = ok ? "Copied: paste it where your teacher asks." : "Selected: press Ctrl+C to copy.";
  });
  showScore();

  // Presenter mode: a body class, kept in the URL and in the prev/next links.
  const toggle = byId("present-toggle", HTMLButtonElement);
  toggle.addEventListener("click", () => {
    const on = document.body.classList.toggle("presenting");
    toggle.setAttribute("aria-pressed", String(on));
    const set = (/** @type {URL} */ u) => (on ? u.searchParams.set("present", "1") : u.searchParams.delete("present"));
    const here = new URL(location.href);
    set(here);
    history.replaceState(null, "", here);
    for (const a of main.querySelectorAll("a.lesson-step-link")) {
      if (!(a instanceof HTMLAnchorElement)) continue;
      const u = new URL(a.href);
      set(u);
      a.href = u.toString();
    }
  });

  // ← →: the lesson's, unless typing or inside the live page (checked before the page's own
  // document listeners, which then never see a key the lesson took).
  const live = document.getElementById("lesson-live");
  window.addEventListener(
    "keydown",
    (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || typing(e.target)) return;
      if (live && e.target instanceof Node && live.contains(e.target)) return;
      const link = e.key === "ArrowRight" ? "next" : e.key === "ArrowLeft" ? "prev" : null;
      const a = link && document.getElementById(link);
      if (!(a instanceof HTMLAnchorElement)) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      location.assign(a.href);
    },
    true,
  );
}

init();
