// The optimizer panel's choices, as pure functions (unit-tested under node --test).
import { expectsOf } from "../../kit/kinds.js";

/** @typedef {import("../../types/kit").Schemas["MetaOut"]} Meta */

/**
 * The optimizer's own settings the learner has set (the others are the optimizer's defaults).
 * @param {Meta} m
 * @param {string} opt
 * @param {Record<string, number>} hp
 */
export function ownOptions(m, opt, hp) {
  const own = m.optimizers.find((o) => o.name === opt)?.defaults ?? {};
  return Object.fromEntries(Object.entries(hp).filter(([k]) => k in own));
}

/**
 * The loss that fits a new kind of data set: a regression set needs a loss on values; leaving
 * one (the loaded set was a regression), the loss on logits is the default; else it stays.
 * @param {Meta} m
 * @param {string} loss
 * @param {boolean} regression the new kind
 * @param {boolean} wasRegression the loaded set
 */
export function lossFor(m, loss, regression, wasRegression) {
  const first = (/** @type {string} */ e) => m.losses.find((l) => l.expects === e)?.name ?? loss;
  const expects = expectsOf(m, loss);
  if (regression && expects !== "values") return first("values");
  if (!regression && expects === "values" && wasRegression) return first("logits");
  return loss;
}
