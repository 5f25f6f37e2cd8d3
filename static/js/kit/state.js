// A page's state, declared once as a typed list of properties, as in tensorflow/playground's
// State: it is read from the URL's query string and written back as a whole, so a copied link
// can never drop a field, and a value that does not parse falls back to its default.
//
//   const STATE = new UrlState({ expr: str("x**2 + 5"), x0: num(1), method: oneOf("central", METHODS) });
//   const state = STATE.read();   // {expr: string, x0: number, method: string}
//   STATE.write(state);           // ?expr=x**2+%2B+5&x0=1&method=central

/**
 * One property: how it is read from and written to the query string under its key.
 * @template T
 * @typedef {{
 *   fallback: () => T,
 *   read: (q: URLSearchParams, key: string) => T | undefined,
 *   write: (q: URLSearchParams, key: string, value: T) => void,
 * }} Prop
 */

/**
 * @template {Record<string, Prop<any>>} S
 * @typedef {{ -readonly [K in keyof S]: S[K] extends Prop<infer T> ? T : never }} StateOf
 */

/**
 * A property stored under its own key.
 * @template T
 * @param {T} fallback
 * @param {(raw: string) => T | undefined} parse
 * @param {(value: T) => string | null} format null leaves the key out
 * @returns {Prop<T>}
 */
function simple(fallback, parse, format) {
  return {
    fallback: () => (Array.isArray(fallback) ? /** @type {T} */ ([...fallback]) : fallback),
    read: (q, key) => {
      const raw = q.get(key);
      return raw === null ? undefined : parse(raw);
    },
    write: (q, key, value) => {
      const text = format(value);
      if (text !== null) q.set(key, text);
    },
  };
}

/** @param {string} raw */
const finite = (raw) => {
  const v = Number(raw);
  return raw.trim() !== "" && Number.isFinite(v) ? v : undefined;
};

/**
 * A finite number, optionally a whole one within [min, max].
 * @param {number} fallback
 * @param {{min?: number, max?: number, integer?: boolean}} [range]
 * @returns {Prop<number>}
 */
export function num(fallback, { min = -Infinity, max = Infinity, integer = false } = {}) {
  const ok = (/** @type {number | undefined} */ v) =>
    v !== undefined && v >= min && v <= max && (!integer || Number.isInteger(v)) ? v : undefined;
  return simple(fallback, (raw) => ok(finite(raw)), String);
}

/**
 * A number that may be unset (null: the API's default; the key is then left out).
 * @returns {Prop<number | null>}
 */
export function optNum() {
  return simple(/** @type {number | null} */ (null), finite, (v) => (v === null ? null : String(v)));
}

/**
 * @param {string} fallback
 * @returns {Prop<string>}
 */
export function str(fallback) {
  return simple(
    fallback,
    (raw) => raw,
    (v) => v,
  );
}

/**
 * One of a fixed list of words.
 * @template {string} T
 * @param {T} fallback
 * @param {readonly T[]} words
 * @returns {Prop<T>}
 */
export function oneOf(fallback, words) {
  return simple(
    fallback,
    (raw) => /** @type {T | undefined} */ (words.find((w) => w === raw)),
    (v) => v,
  );
}

/**
 * @param {boolean} fallback
 * @returns {Prop<boolean>}
 */
export function bool(fallback) {
  const parse = (/** @type {string} */ raw) => ({ 1: true, true: true, 0: false, false: false })[raw];
  return simple(fallback, parse, (v) => (v ? "1" : "0"));
}

/**
 * A comma list of finite numbers (of exactly `length` items, if given).
 * @param {number[]} fallback
 * @param {{length?: number}} [opts]
 * @returns {Prop<number[]>}
 */
export function nums(fallback, { length } = {}) {
  return simple(
    fallback,
    (raw) => {
      const v = raw === "" ? [] : raw.split(",").map(finite);
      const ok = v.every((x) => x !== undefined) && (length === undefined || v.length === length);
      return ok ? /** @type {number[]} */ (v) : undefined;
    },
    (v) => v.join(","),
  );
}

/**
 * A comma list of words (only those in `words`, if given).
 * @param {string[]} fallback
 * @param {readonly string[]} [words]
 * @returns {Prop<string[]>}
 */
export function words(fallback, words) {
  return simple(
    fallback,
    (raw) => (raw === "" ? [] : raw.split(",")).filter((w) => !words || words.includes(w)),
    (v) => v.join(","),
  );
}

/**
 * Numbers under the keys `<name><suffix>`, e.g. leaky_relu_alpha=0.2: {leaky_relu: 0.2}.
 * @param {string} suffix
 * @returns {Prop<Record<string, number>>}
 */
export function suffixed(suffix) {
  return {
    fallback: () => ({}),
    read: (q) => {
      /** @type {Record<string, number>} */
      const out = {};
      for (const [k, raw] of q) {
        const v = finite(raw);
        if (k.endsWith(suffix) && k.length > suffix.length && v !== undefined) out[k.slice(0, -suffix.length)] = v;
      }
      return out;
    },
    write: (q, _key, value) => {
      for (const [name, v] of Object.entries(value)) q.set(`${name}${suffix}`, String(v));
    },
  };
}

/**
 * Query keys that belong to the document around a page rather than to the page: a lesson step
 * mounting a page keeps its `at` and `present` (pages/lesson.js adds them). write() carries them
 * over, first, so the page's state never drops the lesson's place. No page may declare one.
 * @type {Set<string>}
 */
export const HOST_KEYS = new Set();

/** @template {Record<string, Prop<any>>} S */
export class UrlState {
  /** @param {S} spec */
  constructor(spec) {
    this.spec = spec;
  }

  /**
   * Every property from `search` (default: this page's URL), defaults where absent or invalid.
   * @param {string} [search]
   * @returns {StateOf<S>}
   */
  read(search = location.search) {
    const q = new URLSearchParams(search);
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const [key, prop] of Object.entries(this.spec)) {
      const v = prop.read(q, key);
      out[key] = v === undefined ? prop.fallback() : v;
    }
    return /** @type {StateOf<S>} */ (out);
  }

  /**
   * The query string of `state`: every property, in the declared order.
   * @param {StateOf<S>} state
   */
  query(state) {
    const q = new URLSearchParams();
    for (const [key, prop] of Object.entries(this.spec)) prop.write(q, key, state[key]);
    return q.toString();
  }

  /**
   * Put `state` in the URL without adding a history entry (cheap enough for every change).
   * @param {StateOf<S>} state
   */
  write(state) {
    const now = new URLSearchParams(location.search);
    const host = new URLSearchParams();
    for (const k of HOST_KEYS) if (now.has(k)) host.set(k, now.get(k) ?? "");
    const query = [host.toString(), this.query(state)].filter(Boolean).join("&");
    const url = `${location.pathname}?${query}${location.hash}`;
    if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, "", url);
  }
}

/**
 * Numbers under a given list of keys, each optional, e.g. momentum=0.5&rho=0.9 for
 * {momentum: 0.5, rho: 0.9}; a key left out means the API's default.
 * @param {readonly string[]} keys
 * @returns {Prop<Record<string, number>>}
 */
export function keyed(keys) {
  return {
    fallback: () => ({}),
    read: (q) => {
      /** @type {Record<string, number>} */
      const out = {};
      for (const k of keys) {
        const v = finite(q.get(k) ?? "");
        if (v !== undefined) out[k] = v;
      }
      return out;
    },
    write: (q, _key, value) => {
      for (const k of keys) if (value[k] !== undefined) q.set(k, String(value[k]));
    },
  };
}
