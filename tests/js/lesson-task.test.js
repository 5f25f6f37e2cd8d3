// A lesson task's request and the reading of the server's verdict (static/js/lessons/task.js),
// and the record of answers, the totals and the hand-in summary (static/js/lessons/progress.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  readProgress,
  recordAnswer,
  summaryText,
  taskText,
  totals,
  progressText,
} from "../../static/js/lessons/progress.js";
import { checkRequest, readVerdict, revealText } from "../../static/js/lessons/task.js";

function memory() {
  /** @type {Map<string, string>} */
  const m = new Map();
  return {
    getItem: (/** @type {string} */ k) => m.get(k) ?? null,
    setItem: (/** @type {string} */ k, /** @type {string} */ v) => void m.set(k, v),
  };
}

const NODE = { kind: "graph_node", prompt: "What is ∂f/∂q?", prompt_html: "x", expr: "q = x + y\nf = q * z" };

test("a task's fields go to its endpoint with the answer and the attempt, never the prompt", () => {
  const node = checkRequest({ ...NODE, values: { x: -2 }, node: 3, quantity: "grad" }, "-4", { attempt: 2 });
  assert.equal(node.path, "/api/v1/graph/check");
  assert.deepEqual(node.body, {
    expr: "q = x + y\nf = q * z",
    values: { x: -2 },
    node: 3,
    quantity: "grad",
    answer: "-4",
    attempt: 2,
    reveal: false,
  });
  const num = checkRequest({ kind: "number", prompt: "p", expr: "-log(x)", x0: 0.25 }, "1.39", { node: 2 });
  assert.deepEqual(num.body, {
    expr: "f = -log(x)",
    values: { x: 0.25 },
    node: 2,
    quantity: "value",
    answer: "1.39",
    attempt: 1,
    reveal: false,
  });
  const slope = checkRequest({ kind: "slope", prompt: "p", expr: "sin(x)", x0: 1 }, "0.5");
  assert.deepEqual(slope, {
    path: "/api/v1/exercises/predict",
    body: { kind: "slope", expr: "sin(x)", x0: 1, answer: "0.5" },
  });
  const bw = checkRequest({ kind: "backward", prompt: "p", network: {}, target: { index: 0, tensor: "b" } }, "sum(dy)");
  assert.equal(bw.path, "/api/v1/exercises/backward");
  assert.deepEqual(bw.body, { network: {}, target: { index: 0, tensor: "b" }, answer: "sum(dy)", reveal: false });
  assert.throws(() => checkRequest({ kind: "hunt", prompt: "p" }, "x"));
});

test("the verdict is the server's: right or not, its hint and diagnosis", () => {
  const wrong = readVerdict("graph_node", { correct: false, diagnosis: "forward_value", hint: "3 is q's value." });
  assert.deepEqual(wrong, { right: false, text: "Not yet. 3 is q's value.", diagnosis: "forward_value" });
  assert.equal(readVerdict("graph_node", { correct: true, hint: "ok", diagnosis: null }).right, true);
  assert.equal(readVerdict("slope", { verdict: "near", score: 0.8, expected: 0.54, error: 0.2 }).right, false);
  assert.match(
    readVerdict("slope", { verdict: "close", score: 0.96, expected: 0.5403 }).text,
    /Close: score 96%.*0\.5403/,
  );
  assert.equal(readVerdict("backward", { verdict: "close", hint: "h" }).right, true);
  assert.equal(readVerdict("backward", { verdict: "shape", hint: "h" }).right, false);
  assert.equal(readVerdict("hunt", { correct: false, hint: "Not there. Look up." }).text, "Not there. Look up.");
  assert.equal(revealText("backward", { reference: "x.T @ dy" }), "One answer: x.T @ dy");
  assert.equal(revealText("number", { expected: 1.3862943 }), "The answer: 1.38629.");
  assert.match(
    revealText("hunt", { bug: { index: 1, tensor: "x", explanation: "1 - x² uses the input." } }),
    /layer 1's dx: 1 - x²/,
  );
});

test("answers are recorded: first try, hints, shown; totals and the summary follow", () => {
  const s = memory();
  recordAnswer(s, "c", 2, { answer: "3", right: false });
  recordAnswer(s, "c", 2, { answer: "-4", right: true });
  recordAnswer(s, "c", 3, { answer: "-4", right: true });
  recordAnswer(s, "c", 5, { answer: "0.1", right: false, hinted: false }); // a prediction: no hint
  recordAnswer(s, "c", 7, { answer: "", right: false, shown: true });
  const p = readProgress(s, "c");
  assert.deepEqual(p.tasks[2], { tries: 2, done: true, first: false, firstAnswer: "3", hints: 1, shown: false });
  assert.equal(p.tasks[3].first, true);
  assert.equal(p.tasks[5].hints, 0);
  assert.deepEqual(p.tasks[7], { tries: 1, done: true, first: false, firstAnswer: "", hints: 1, shown: true });
  assert.deepEqual(totals(p, [2, 3, 5, 7, 8]), { tasks: 5, done: 3, firstRight: 1, hints: 2 });
  assert.equal(taskText(p.tasks[2]), "done, 1 hint used");
  assert.equal(taskText(p.tasks[3]), "done, right at the first try");
  assert.equal(progressText({ ...p, seen: [1, 2] }, 8, [2, 3, 5, 7, 8]), "2 of 8 steps seen; 3 of 5 tasks done");
  const text = summaryText(
    {
      title: "The chain rule",
      id: "c",
      date: new Date("2026-12-07T10:00:00Z"),
      steps: [
        { k: 2, title: "Backward", prompt: "What is ∂f/∂q?" },
        { k: 8, title: "Sum", prompt: "What is ∂f/∂x?" },
      ],
    },
    p,
  );
  assert.match(text, /^Lesson: The chain rule \(c\)\nDate: 2026-12-07\n/);
  assert.match(text, /Tasks done: 1 of 2\nFirst try right: 0 of 2\nHints used: 1/);
  assert.match(text, /Step 2, Backward: What is ∂f\/∂q\?\n {2}first answer 3, not right; done, 1 hint used/);
  assert.match(text, /Step 8, Sum: What is ∂f\/∂x\?\n {2}not tried; open/);
});

test("a tampered store reads as nothing done", () => {
  const s = memory();
  s.setItem("bpx:lesson:c", JSON.stringify({ seen: [1], tasks: { 2: { tries: -1, done: "yes" }, x: {} } }));
  assert.deepEqual(readProgress(s, "c").tasks, {
    2: { tries: 0, done: false, first: null, firstAnswer: "", hints: 0, shown: false },
  });
});
