// What the activations' panels read: the page's state, the curves held, and the catalogue.

/**
 * @typedef {object} View
 * @property {string[]} act the activations shown, in order
 * @property {number} xmin
 * @property {number} xmax
 * @property {number} up the upstream gradient
 * @property {number} h the step of the numerical f′
 * @property {Record<string, import("./logic.js").Curve>} curves the curves held, by name
 * @property {(name: string) => string} label each activation's label, from its record
 * @property {(name: string) => number} index its place in the catalogue (its colour)
 * @property {(name: string) => import("./logic.js").Activation | undefined} byName its record
 */
export {};
