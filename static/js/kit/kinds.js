// The kinds /meta lists (losses, optimizers, activations, layers) as page controls: a page never
// keeps its own list of kinds, so a new record shows up with no edit here.

/**
 * Fill `select` with one option per kind, labelled by its record's label, keeping the value.
 * @param {HTMLSelectElement} select
 * @param {readonly {name: string, label: string}[]} kinds
 */
export function fillOptions(select, kinds) {
  const value = select.value;
  select.replaceChildren(...kinds.map((k) => new Option(k.label, k.name)));
  if (kinds.some((k) => k.name === value)) select.value = value;
}

/**
 * What loss `name` expects of the last layer, from its record: "probabilities" (after a softmax
 * layer), "logits" (the fused softmax + cross-entropy) or "values" (a regression, or two classes
 * on one output as -1/+1). Pages decide by this, never by a loss's name.
 * @param {{losses: readonly {name: string, expects: string}[]}} m /meta
 * @param {string} name
 */
export const expectsOf = (m, name) => m.losses.find((l) => l.name === name)?.expects ?? "values";
