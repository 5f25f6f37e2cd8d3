// What leaves the training page: the trained weights as JSON, a file download, and the link that
// opens the trained stack with a batch of the data on the Network page.

/** @typedef {import("../../types/kit").Schemas["TrainRequest"]["layers"][number]} ApiLayer */
/** @typedef {import("../../types/kit").Schemas["ParamsItem"]} Params */
/** @typedef {import("../../types/kit").Schemas["DataOut"]} Data */

export const NETWORK_BATCH = 16; // rows sent along to the Network page unless all are asked for

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

/** Numbers short enough for a link, exact enough to show: 6 significant digits for the data. */
const short = (/** @type {unknown} */ v) => (typeof v === "number" ? Number(v.toPrecision(6)) : v);

/**
 * The rows the Network page is sent: "test:16", "test:all", "train:16" or "train:all" (the
 * set, and the first 16 or all of them; anything else reads as the first 16 test rows).
 * @typedef {string} Send
 */

/**
 * The rows `send` picks from the data: their inputs, their labels, and what they are in words.
 * @param {Data} data
 * @param {Send} send
 */
export function sentRows(data, send) {
  const [set, count] = send.split(":");
  const [x, y] = set === "train" ? [data.x_train, data.y_train] : [data.x_test, data.y_test];
  const n = count === "all" ? x.length : Math.min(NETWORK_BATCH, x.length);
  const name = set === "train" ? "training" : "test";
  const what = n === x.length ? `all ${n} ${name} rows` : `${name} rows 1–${n} of ${x.length}`;
  return {
    x: x.slice(0, n),
    labels: y.slice(0, n),
    what,
    all: n === x.length,
    set: /** @type {"train" | "test"} */ (set),
  };
}

/**
 * What "open in Network page" sends, in words, and how the loss there compares with this page's.
 * @param {Data} data
 * @param {Send} send
 * @param {number} epoch the weights' epoch
 * @param {boolean} batchNorm whether the stack normalises over the batch
 */
export function sentNote(data, send, epoch, batchNorm) {
  const rows = sentRows(data, send);
  const loss = rows.set === "train" ? "training loss" : "test loss";
  const compare = rows.all
    ? rows.set === "train" && batchNorm
      ? ` Its loss differs from the ${loss} here: there batchnorm uses its running statistics, here the batch's.`
      : ` Its loss is the ${loss} here (no L2 term).`
    : ` Its loss is the mean over these ${rows.x.length} rows, not the ${loss} here (the mean over all ${rows.set === "train" ? data.x_train.length : data.x_test.length}).`;
  return `Sends ${rows.what} and the weights trained to epoch ${epoch}.${compare}`;
}

/**
 * The Network page's link for the trained stack and the rows `send` picks: the stack goes as
 * the preset "train" (key `W`, the layers with their trained weights, labelled by `Wt`), the
 * rows as its pasted matrices.
 * @param {ApiLayer[]} layers
 * @param {Params[]} params
 * @param {Data} data
 * @param {{loss: string, expects: string, send: Send, epoch: number}} what `expects`: what the
 *   loss expects (/meta); `epoch`: the weights'
 * @param {ReadonlySet<string>} [batch] the layer kinds whose step is "batch"
 */
export function networkPageUrl(layers, params, data, { loss, expects, send, epoch }, batch = new Set()) {
  const trained = trainedLayers(layers, params, batch);
  const held = new Set(params.map((p) => p.index)); // layers whose trained tensors go along
  const { x, labels, what } = sentRows(data, send);
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
    Wt: `trained on the Training page to epoch ${epoch}`,
    Xt: what,
  });
  return `${document.body.dataset.root || ""}/network?${q}`;
}
