// Typed calls of the REST API and one error type for every way a call can fail.
//
// Paths, bodies and answers are typed from the OpenAPI schema (types/api.d.ts, generated), so a
// body that does not match the contract is a type error. Every failure, a 422, a 5xx, the server
// out of reach, or a value the page refused before sending (fieldError), is an ApiError holding
// {loc, msg} items in FastAPI's shape, which kit/errors.js shows beside the field named by loc.

/**
 * Requests in flight and debounced calls waiting, one counter per window shared by every
 * module, so that tests (and a spinner) know when the page has settled.
 * @type {{inflight: number, pending: number}}
 */
export const activity = (window.__bpxActivity ||= { inflight: 0, pending: 0 });

/** @typedef {import("../types/kit").PostPath} PostPath */
/** @typedef {import("../types/kit").GetPath} GetPath */
/** @typedef {{loc: (string | number)[], msg: string}} ErrorItem */

export class ApiError extends Error {
  /**
   * @param {number} status the HTTP status; 0 for a check made by the page, -1 for no answer
   * @param {ErrorItem[]} items
   */
  constructor(status, items) {
    super(items.map((i) => i.msg).join("; "));
    this.name = "ApiError";
    this.status = status;
    this.items = items;
  }
}

/**
 * A value the page refuses before sending, shaped like the API's 422 for that field.
 * @param {(string | number)[]} loc e.g. ["x"] or ["layers", 2, "out"] (without "body")
 * @param {string} msg
 */
export function fieldError(loc, msg) {
  return new ApiError(0, [{ loc, msg }]);
}

/** @param {unknown} err */
export const isAbort = (err) => err instanceof DOMException && err.name === "AbortError";

/**
 * Any thrown value as error items, so a page never shows "undefined".
 * @param {unknown} err
 * @returns {ErrorItem[]}
 */
export function errorItems(err) {
  if (err instanceof ApiError) return err.items;
  const msg = err instanceof Error ? err.message : String(err);
  return [{ loc: [], msg: `Unexpected error in the page: ${msg}` }];
}

/**
 * `err` with each item's loc moved under `prefix`: an endpoint that takes one part of another's
 * body (/train/data takes /train's `dataset`) reports its fields where the page shows that part.
 * An item about the whole body (loc [] or ["body"]) is left as it is.
 * @param {unknown} err
 * @param {(string | number)[]} prefix
 * @returns {unknown}
 */
export function nested(err, prefix) {
  if (!(err instanceof ApiError)) return err;
  const items = err.items.map(({ loc, msg }) => {
    const path = loc[0] === "body" ? loc.slice(1) : loc;
    // an error about the whole body names its field in words; it stays where the page reads them
    const under = prefix.every((p, k) => path[k] === p); // the engine's errors already say so
    return path.length === 0 || under ? { loc, msg } : { loc: ["body", ...prefix, ...path], msg };
  });
  return new ApiError(err.status, items);
}

/**
 * POST a JSON body; resolve with the parsed 200 answer, reject with ApiError (or AbortError).
 * @template {PostPath} P
 * @param {P} path
 * @param {import("../types/kit").PostBody<P>} body
 * @param {AbortSignal} [signal]
 * @returns {Promise<import("../types/kit").PostOk<P>>}
 */
export function post(path, body, signal) {
  return call(path, { method: "POST", body: JSON.stringify(body), signal });
}

/**
 * @template {GetPath} P
 * @param {P} path
 * @param {AbortSignal} [signal]
 * @returns {Promise<import("../types/kit").GetOk<P>>}
 */
export function get(path, signal) {
  return call(path, { method: "GET", signal });
}

/**
 * @param {string} path
 * @param {RequestInit} init
 * @returns {Promise<any>}
 */
async function call(path, init) {
  const root = document.body.dataset.root || "";
  const headers = { Accept: "application/json", ...(init.body ? { "Content-Type": "application/json" } : {}) };
  activity.inflight++;
  try {
    let res;
    try {
      res = await fetch(root + path, { ...init, headers });
    } catch (err) {
      if (isAbort(err)) throw err;
      const why = err instanceof Error ? err.message : String(err);
      throw new ApiError(-1, [{ loc: [], msg: `Could not reach the server (${why}).` }]);
    }
    const text = await res.text();
    /** @type {any} */
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = text;
    }
    if (!res.ok) throw new ApiError(res.status, itemsOf(res.status, data));
    return data;
  } finally {
    activity.inflight--;
  }
}

/**
 * An error answer's {loc, msg} items: FastAPI's detail list, or a sentence for the status.
 * @param {number} status
 * @param {any} data the parsed body (or its text)
 * @returns {ErrorItem[]}
 */
export function itemsOf(status, data) {
  const detail = data && typeof data === "object" ? data.detail : data;
  if (Array.isArray(detail) && detail.length) {
    return detail.map((d) => ({ loc: Array.isArray(d?.loc) ? d.loc : [], msg: String(d?.msg ?? d) }));
  }
  if (status === 413) return [{ loc: [], msg: "The request is larger than the server accepts." }];
  if (status === 503) return [{ loc: [], msg: "The server is busy; try again in a moment." }];
  if (status >= 500) return [{ loc: [], msg: `Server error (${status}): a bug, please report it.` }];
  return [{ loc: [], msg: typeof detail === "string" && detail ? detail : `The request failed (${status}).` }];
}
