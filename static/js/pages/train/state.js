// The training page's view state, all of it in the URL query: the data set, the hidden layers,
// the loss, the optimizer and its settings.
import { UrlState, keyed, num, oneOf, str } from "../../kit/state.js";
import { SENDS } from "./exports.js";

/** @typedef {import("../../types/kit").Schemas["MetaOut"]} Meta */
/** @typedef {import("../../types/kit").Schemas["DatasetsOut"]} Datasets */

/**
 * The page's UrlState, its choices taken from /meta and the data sets on offer.
 * @param {Meta} m
 * @param {Datasets} info
 */
export function trainState(m, info) {
  const optimizers = m.optimizers.map((o) => o.name);
  const hyper = [...new Set(m.optimizers.flatMap((o) => Object.keys(o.defaults)))];
  return new UrlState({
    ds: oneOf("xor", [...info.datasets.map((k) => k.name), "csv"]),
    n: num(400, { min: 2, integer: true }),
    noise: num(0.3, { min: 0 }),
    classes: num(2, { min: 1, max: 10, integer: true }),
    dseed: num(0, { min: 0, integer: true }),
    test: num(0.5, { min: 0.01, max: 0.99 }),
    H: str("8:tanh~8:tanh"),
    loss: oneOf(
      "softmax_cross_entropy",
      m.losses.map((l) => l.name),
    ),
    opt: oneOf("adam", optimizers),
    hp: keyed(hyper),
    lr: num(0.03, { min: 0 }),
    bs: num(10, { min: 1, integer: true }),
    l2: num(0, { min: 0 }),
    seed: num(0, { min: 0, integer: true }),
    send: oneOf("test:16", SENDS), // the rows "open in Network page" sends
  });
}

/** @typedef {ReturnType<ReturnType<typeof trainState>["read"]>} State */
