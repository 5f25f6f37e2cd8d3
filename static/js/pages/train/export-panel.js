// The export panel: the trained weights as JSON, a Python script that trains the same network,
// and the trained stack opened on the Network page with a batch of the data.
import { byId } from "../../kit/dom.js";
import { downloadText, networkPageUrl, trainedLayers } from "./exports.js";

/** @typedef {import("./progress.js").Run} Run */
/** @typedef {import("../../types/kit").Schemas["TrainRequest"]} Body */
/** @typedef {import("../../types/kit").Schemas["TrainRequest"]["layers"][number]} ApiLayer */

/**
 * @param {{run: Run, name: () => string, layers: () => ApiLayer[], body: () => Body,
 *          loss: () => string, expects: () => string, batch: ReadonlySet<string>,
 *          script: string}} deps `name` the data set's, `body` the request that trains to the
 *   run's epoch, `batch` the layer kinds that normalise over the batch, `script` the script's URL
 */
export function exportPanel({ run, name, layers, body, loss, expects, batch, script }) {
  byId("export-json", HTMLButtonElement).addEventListener("click", () => {
    if (!run.resume) return;
    const b = body();
    const doc = {
      dataset: b.dataset,
      layers: trainedLayers(layers(), run.resume.params, batch),
      loss: loss(),
      epoch: run.epoch,
      report: run.last,
    };
    downloadText(`weights_${name()}_epoch${run.epoch}.json`, JSON.stringify(doc, null, 1), "application/json");
  });
  byId("export-py", HTMLButtonElement).addEventListener("click", async () => {
    if (!run.resume) return;
    const res = await fetch(`${document.body.dataset.root || ""}${script}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body()),
    });
    if (res.ok) downloadText(`trained_${name()}.py`, await res.text(), "text/x-python");
  });
  byId("open-network", HTMLButtonElement).addEventListener("click", () => {
    if (!run.resume || !run.data) return;
    location.href = networkPageUrl(layers(), run.resume.params, run.data, loss(), expects(), batch);
  });
}
