// The layer stack as the page holds it, and its two encodings: the URL's compact text
// ("affine:4:he:0~sigmoid~affine:=notebook.0~softmax") and the API's `layers` list.

/** @typedef {import("../../types/kit").Schemas["NetworkPreset"]} Preset */
/** @typedef {import("../../types/kit").Schemas["NetworkRequest"]["layers"][number]} ApiLayer */

/**
 * @typedef {{kind: "seeded", out: number, init: string, seed: number}} Seeded an affine layer
 *   initialised by the API from a seed
 * @typedef {{kind: "given", ref: string, W: number[][], b: number[]}} Given an affine layer with
 *   a preset's own W and b; `ref` ("notebook.0") names them in the URL
 * @typedef {{kind: "plain", type: string, ref?: string, given?: Record<string, unknown>}} Plain
 *   any other layer; with `ref` ("train.1") its parameters are a preset's own (a trained
 *   layernorm's gamma and beta, a batchnorm's running statistics and mode)
 * @typedef {Seeded | Given | Plain} Layer
 */

/**
 * @param {number} seed
 * @param {number} [out]
 * @returns {Seeded}
 */
export const seeded = (seed, out = 4) => ({ kind: "seeded", out, init: "he", seed });

/**
 * The stack of a preset, keeping its fixed weights.
 * @param {Preset} p
 * @returns {Layer[]}
 */
export function fromPreset(p) {
  return p.layers.map((l, i) => {
    if (l.type !== "affine") return { kind: "plain", type: String(l.type) };
    if (Array.isArray(l.W))
      return {
        kind: "given",
        ref: `${p.name}.${i}`,
        W: /** @type {number[][]} */ (l.W),
        b: /** @type {number[]} */ (l.b),
      };
    return { kind: "seeded", out: Number(l.out) || 4, init: String(l.init || "he"), seed: Number(l.seed ?? 0) };
  });
}

/**
 * @param {Layer[]} layers
 */
export function encode(layers) {
  return layers
    .map((l) =>
      l.kind === "plain"
        ? l.ref
          ? `${l.type}:=${l.ref}`
          : l.type
        : l.kind === "given"
          ? `affine:=${l.ref}`
          : `affine:${l.out}:${l.init}:${l.seed}`,
    )
    .join("~");
}

/**
 * The stack a URL describes; a reference to preset weights that no longer exist becomes a seeded
 * layer of the same width, an unknown init becomes the first one.
 * @param {string} text
 * @param {Record<string, Preset>} presets
 * @param {readonly string[]} inits
 * @returns {Layer[]}
 */
export function decode(text, presets, inits) {
  return text
    .split("~")
    .filter(Boolean)
    .map((tok) => {
      const [type, a = "", b = "", c = ""] = tok.split(":");
      if (type !== "affine") return plainOf(type, a, presets);
      if (a.startsWith("=")) {
        const [name, idx] = a.slice(1).split(".");
        const src = presets[name] ? fromPreset(presets[name])[Number(idx)] : undefined;
        return src && src.kind === "given" ? src : seeded(0);
      }
      return {
        kind: "seeded",
        out: Math.max(1, Math.round(Number(a)) || 4),
        init: inits.includes(b) ? b : inits[0],
        seed: Math.max(0, Math.round(Number(c)) || 0),
      };
    });
}

/**
 * A layer other than affine from its URL token: with "=preset.index", that preset layer's own
 * parameters (dropped if the preset no longer has a layer of this type there).
 * @param {string} type
 * @param {string} a
 * @param {Record<string, Preset>} presets
 * @returns {Plain}
 */
function plainOf(type, a, presets) {
  if (!a.startsWith("=")) return { kind: "plain", type };
  const [name, idx] = a.slice(1).split(".");
  const src = /** @type {Record<string, unknown> | undefined} */ (presets[name]?.layers[Number(idx)]);
  if (!src || src.type !== type) return { kind: "plain", type };
  const given = Object.fromEntries(Object.entries(src).filter(([k]) => k !== "type"));
  return { kind: "plain", type, ref: a.slice(1), given };
}

/**
 * The input width of every layer, and the stack's output width.
 * @param {Layer[]} layers
 * @param {number} width of the data
 */
export function widths(layers, width) {
  /** @type {number[]} */
  const inputs = [];
  let cur = width;
  for (const l of layers) {
    inputs.push(cur);
    if (l.kind === "seeded") cur = l.out;
    if (l.kind === "given") cur = l.W[0]?.length ?? cur;
  }
  return { inputs, out: cur };
}

/**
 * The stack as the API's `layers`.
 * @param {Layer[]} layers
 * @param {number} width of the data
 * @returns {ApiLayer[]}
 */
export function apiLayers(layers, width) {
  const { inputs } = widths(layers, width);
  return layers.map((l, i) => {
    if (l.kind === "given") return { type: "affine", W: l.W, b: l.b };
    if (l.kind === "seeded")
      return { type: "affine", in: inputs[i], out: l.out, init: /** @type {"he"} */ (l.init), seed: l.seed };
    return /** @type {ApiLayer} */ ({ type: l.type, ...(l.given ?? {}) });
  });
}

/**
 * The stack the Training page sent (its layers with their trained W and b), as a preset named
 * "train" that the stack's URL text refers to ("affine:=train.0"); null if there is none.
 * @param {string} text
 * @param {string} loss
 * @returns {Preset | null}
 */
export function trainedPreset(text, loss) {
  if (!text) return null;
  try {
    const layers = JSON.parse(text);
    if (!Array.isArray(layers)) return null;
    return /** @type {Preset} */ ({
      name: "train",
      title: "trained on the Training page",
      x: [],
      targets: [],
      layers,
      loss,
    });
  } catch {
    return null; // a damaged link: the layers fall back to seeded ones
  }
}

/**
 * The presets by name, the Training page's stack among them (as "train") when the link brings
 * one; the state's data and loss made ones the page has (a damaged link falls back to the first).
 * @param {{data: string, loss: string, L: string, W: string}} state
 * @param {Preset[]} list the served presets
 * @param {readonly {name: string}[]} losses /meta's
 * @returns {Record<string, Preset>}
 */
export function openPresets(state, list, losses) {
  /** @type {Record<string, Preset>} */
  const presets = Object.fromEntries(list.map((p) => [p.name, p]));
  const trained = trainedPreset(state.W, state.loss);
  if (trained) presets.train = trained;
  if (state.data !== "custom" && !presets[state.data]) state.data = list[0].name;
  if (!losses.some((l) => l.name === state.loss)) state.loss = losses[0].name;
  if (!state.L && state.data !== "custom") state.loss = presets[state.data].loss;
  return presets;
}
