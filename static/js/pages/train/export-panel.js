// The export panel: the trained weights as JSON, a Python script that trains the same network,
// and the trained stack opened on the Network page with the rows the learner picks, said in words.
import { byId } from "../../kit/dom.js";
import { downloadText, networkPageUrl, sentNote, trainedLayers } from "./exports.js";

/** @typedef {import("./progress.js").Run} Run */
/** @typedef {import("./exports.js").Send} Send */
/** @typedef {import("../../types/kit").Schemas["TrainRequest"]} Body */
/** @typedef {import("../../types/kit").Schemas["TrainRequest"]["layers"][number]} ApiLayer */

/**
 * @typedef {object} ExportPanel
 * @property {() => void} show say what "open in Network page" sends (the run moved on)
 */

/**
 * @param {{run: Run, state: {ds: string, loss: string, send: Send}, layers: () => ApiLayer[],
 *          body: () => Body, expects: () => string, batch: ReadonlySet<string>, script: string,
 *          save: () => void}} deps `body` the request that trains to the run's epoch, `batch`
 *   the layer kinds that normalise over the batch, `script` the script's URL, `save` writes
 *   the URL
 * @returns {ExportPanel}
 */
export function exportPanel({ run, state, layers, body, expects, batch, script, save }) {
  const rows = byId("net-rows", HTMLSelectElement);
  const note = byId("net-note", HTMLElement);
  rows.value = state.send;
  rows.addEventListener("change", () => {
    state.send = rows.value;
    save();
    show();
  });
  const show = () => {
    const batchNorm = layers().some((l) => batch.has(l.type));
    note.textContent = run.data ? sentNote(run.data, state.send, run.epoch, batchNorm) : "";
  };
  byId("export-json", HTMLButtonElement).addEventListener("click", () => {
    if (!run.resume) return;
    const doc = {
      dataset: body().dataset,
      layers: trainedLayers(layers(), run.resume.params, batch),
      loss: state.loss,
      epoch: run.epoch,
      report: run.last,
    };
    downloadText(`weights_${state.ds}_epoch${run.epoch}.json`, JSON.stringify(doc, null, 1), "application/json");
  });
  byId("export-py", HTMLButtonElement).addEventListener("click", async () => {
    if (!run.resume) return;
    const res = await fetch(`${document.body.dataset.root || ""}${script}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body()),
    });
    if (res.ok) downloadText(`trained_${state.ds}.py`, await res.text(), "text/x-python");
  });
  byId("open-network", HTMLButtonElement).addEventListener("click", () => {
    if (!run.resume || !run.data) return;
    const what = { loss: state.loss, expects: expects(), send: state.send, epoch: run.epoch };
    location.href = networkPageUrl(layers(), run.resume.params, run.data, what, batch);
  });
  return { show };
}
