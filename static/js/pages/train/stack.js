// The hidden layers as the page holds them ({width, act} each), their URL text ("8:tanh~8:tanh")
// and the API's `layers`: seeded affine layers with an activation after each hidden one, and an
// output layer as wide as the task needs (after it, the layer that gives what the loss expects). What a
// loss expects and each activation's initialisation come from /meta's records.

/**
 * A hidden layer: its width, its activation, and optionally a normalisation between the affine
 * layer and the activation (a layer kind with parameters that mixes a row or a batch, from /meta).
 * @typedef {{width: number, act: string, norm?: string}} Hidden
 */
/** @typedef {import("../../types/kit").Schemas["TrainRequest"]["layers"][number]} ApiLayer */

export const MAX_WIDTH = 256;

/** @param {Hidden[]} layers */
export const encode = (layers) => layers.map((l) => `${l.width}:${l.act}${l.norm ? `:${l.norm}` : ""}`).join("~");

/**
 * The hidden layers a URL describes; widths are clamped to 1..256, unknown activations replaced.
 * @param {string} text
 * @param {readonly string[]} acts the activations on offer
 * @param {readonly string[]} [norms] the normalisations on offer; another is dropped
 * @returns {Hidden[]}
 */
export function decode(text, acts, norms = []) {
  return text
    .split("~")
    .filter(Boolean)
    .map((tok) => {
      const [w = "", a = "", n = ""] = tok.split(":");
      const width = Math.min(MAX_WIDTH, Math.max(1, Math.round(Number(w)) || 4));
      const act = acts.includes(a) ? a : (acts[0] ?? "tanh");
      return norms.includes(n) ? { width, act, norm: n } : { width, act };
    });
}

/**
 * How many outputs the task needs: one per class, one real value for a regression set, and one
 * for two classes under a loss on values (TensorFlow Playground's targets -1/+1).
 * @param {{classes: number, regression: boolean}} data
 * @param {string} expects what the loss expects (/meta)
 */
export function outputs(data, expects) {
  if (data.regression) return 1;
  return expects === "values" && data.classes === 2 ? 1 : data.classes;
}

/**
 * The API's layers; the affine layers are seeded from `seed` so a link reproduces the run.
 * @param {Hidden[]} hidden
 * @param {number} out
 * @param {string | null} closing the layer kind the loss needs last (/meta: the kind that gives
 *   what the loss expects, e.g. probabilities), or null
 * @param {number} seed
 * @param {Record<string, string>} inits each activation's init of the affine layer before it
 * @returns {ApiLayer[]}
 */
export function apiLayers(hidden, out, closing, seed, inits) {
  /** @type {ApiLayer[]} */
  const layers = [];
  const affine = (/** @type {number} */ width, /** @type {string} */ next, /** @type {number} */ k) =>
    /** @type {ApiLayer} */ ({
      type: "affine",
      out: width,
      init: inits[next] ?? "xavier",
      seed: seed * 64 + k,
    });
  hidden.forEach((l, k) => {
    layers.push(affine(l.width, l.act, k));
    if (l.norm) layers.push(/** @type {ApiLayer} */ ({ type: l.norm }));
    layers.push(/** @type {ApiLayer} */ ({ type: l.act }));
  });
  layers.push(affine(out, "", hidden.length));
  if (closing) layers.push(/** @type {ApiLayer} */ ({ type: closing }));
  return layers;
}

/**
 * The widths through the stack, for the hint: "2 → 8 tanh → 8 tanh → 2".
 * @param {number} width of the data
 * @param {Hidden[]} hidden
 * @param {number} out
 */
export const describe = (width, hidden, out) =>
  [String(width), ...hidden.map((l) => `${l.width}${l.norm ? ` ${l.norm}` : ""} ${l.act}`), String(out)].join(" → ");
