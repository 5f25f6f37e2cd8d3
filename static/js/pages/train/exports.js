// What leaves the training page: the trained weights as JSON, a file download, and the link that
// opens the trained stack with a batch of the data on the Network page.

/** @typedef {import("../../types/kit").Schemas["TrainRequest"]["layers"][number]} ApiLayer */
/** @typedef {import("../../types/kit").Schemas["ParamsItem"]} Params */
/** @typedef {import("../../types/kit").Schemas["DataOut"]} Data */

export const NETWORK_BATCH = 16; // test points sent along to the Network page

/**
 * The layers with the trained parameters placed into them (as /api/v1/network/run takes them).
 * Layers that normalise over the batch (step "batch" in /meta: batchnorm) go in evaluation mode,
 * on their running statistics, as the trained network is used.
 * @param {ApiLayer[]} layers
 * @param {Params[]} params
 * @param {ReadonlySet<string>} [batch] the layer kinds whose step is "batch"
 * @returns {any[]}
 */
export function trainedLayers(layers, params, batch = new Set()) {
  const byIndex = new Map(params.map((p) => [p.index, p]));
  return layers.map((l, i) => {
    const p = byIndex.get(i);
    if (!p) return { ...l };
    // the trained tensors replace the seeded initialisation (out, init, seed)
    const given = Object.entries(p).filter(([k, v]) => k !== "index" && v !== null && v !== undefined);
    const mode = batch.has(l.type) ? { training: false } : {};
    return { type: l.type, ...Object.fromEntries(given), ...mode };
  });
}

/**
 * Save `text` as a file called `name`.
 * @param {string} name
 * @param {string} text
 * @param {string} type
 */
export function downloadText(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Numbers short enough for a link, exact enough to show: 6 significant digits. */
const short = (/** @type {unknown} */ v) => (typeof v === "number" ? Number(v.toPrecision(6)) : v);

/**
 * The Network page's link for the trained stack and the first test points: the stack goes as
 * the preset "train" (key `W`, the layers with their trained weights), the points as its pasted
 * matrices.
 * @param {ApiLayer[]} layers
 * @param {Params[]} params
 * @param {Data} data
 * @param {string} loss
 * @param {string} expects what the loss expects (/meta)
 * @param {ReadonlySet<string>} [batch] the layer kinds whose step is "batch"
 */
export function networkPageUrl(layers, params, data, loss, expects, batch = new Set()) {
  const trained = trainedLayers(layers, params, batch);
  const held = new Set(params.map((p) => p.index)); // layers whose trained tensors go along
  const x = data.x_test.slice(0, NETWORK_BATCH);
  const labels = data.y_test.slice(0, NETWORK_BATCH);
  // a loss on values on one output for two classes trains on -1/+1: the Network page gets those
  const last = /** @type {{type: string, out?: number | null}} */ (layers.at(-1) ?? { type: "" });
  const sign = expects === "values" && !data.regression && last.type === "affine" && last.out === 1;
  const t = sign ? labels.map((c) => 2 * Number(c) - 1) : labels;
  const rows = (/** @type {unknown[]} */ m) =>
    m.map((r) => (Array.isArray(r) ? r.map(short).join(",") : String(short(r)))).join(";");
  const q = new URLSearchParams({
    data: "custom",
    loss,
    L: trained.map((l, i) => (held.has(i) ? `${l.type}:=train.${i}` : l.type)).join("~"),
    X: rows(x),
    T: rows(t),
    W: JSON.stringify(trained),
  });
  return `${document.body.dataset.root || ""}/network?${q}`;
}
