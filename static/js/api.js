// Calls the REST API and maps its 422 errors onto the inputs that caused them.
//
// Every input that can be blamed carries data-field="<name>" (several names separated by spaces);
// its error message goes to the element with data-error-for="<first name>" next to it. An error
// whose loc matches no input goes to the form's .form-error box, so nothing fails silently.

const root = () => document.body.dataset.root || "";

export class ApiError extends Error {
  constructor(status, detail) {
    super(typeof detail === "string" ? detail : `request failed (${status})`);
    this.status = status;
    this.detail = detail;
  }
}

/** Turn any error (network, 4xx, 5xx) into a list of {loc, msg}. */
export function errorItems(err) {
  if (err instanceof ApiError) {
    if (Array.isArray(err.detail)) {
      return err.detail.map((d) => ({ loc: Array.isArray(d.loc) ? d.loc : [], msg: d.msg || String(d) }));
    }
    if (err.status === 413) return [{ loc: [], msg: "The request is too large for the server's limit." }];
    if (err.status >= 500) return [{ loc: [], msg: `Server error (${err.status}); this is a bug, please report it.` }];
    return [{ loc: [], msg: String(err.detail || err.message) }];
  }
  return [{ loc: [], msg: `Could not reach the server: ${err.message}` }];
}

/**
 * POST a JSON body; resolve with the parsed response, reject with ApiError.
 * `key` names a request slot: a newer request with the same key aborts the older one, so a
 * slow answer never overwrites a newer view. Aborted requests reject with an AbortError.
 */
const inflight = new Map();
// Counts requests in flight and debounced calls waiting, so tests (and a spinner) know when the
// page has settled.
export const activity = (window.__bpxActivity ||= { inflight: 0, pending: 0 });
export async function post(path, body, key = path) {
  const prev = inflight.get(key);
  if (prev) prev.abort();
  const ctl = new AbortController();
  inflight.set(key, ctl);
  activity.inflight++;
  try {
    const res = await fetch(root() + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      signal: ctl.signal,
    });
    return await parse(res);
  } finally {
    activity.inflight--;
    if (inflight.get(key) === ctl) inflight.delete(key);
  }
}

export async function get(path) {
  activity.inflight++;
  try {
    const res = await fetch(root() + path, { headers: { Accept: "application/json" } });
    return await parse(res);
  } finally {
    activity.inflight--;
  }
}

async function parse(res) {
  let data = null;
  const text = await res.text();
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!res.ok) throw new ApiError(res.status, data && data.detail !== undefined ? data.detail : data);
  return data;
}

export const isAbort = (err) => err && err.name === "AbortError";

/** Remove every error mark inside `scope`. */
export function clearErrors(scope) {
  scope.querySelectorAll(".invalid").forEach((el) => { el.classList.remove("invalid"); el.removeAttribute("aria-invalid"); });
  scope.querySelectorAll(".invalid-layer").forEach((el) => el.classList.remove("invalid-layer"));
  scope.querySelectorAll(".field-error, .form-error").forEach((el) => { el.textContent = ""; el.classList.remove("shown"); });
}

/**
 * Show `err` next to the input(s) it names inside `scope`.
 * `alias` maps an API field name to the data-field used on this page (e.g. {h_min: "h"}).
 * `locate(loc)` may return an element for locs a flat lookup cannot (e.g. ["body","layers",2,"W"]).
 */
export function showErrors(scope, err, { alias = {}, locate = null } = {}) {
  const items = errorItems(err);
  const unplaced = [];
  for (const { loc, msg } of items) {
    const path = loc[0] === "body" ? loc.slice(1) : loc;
    let target = locate ? locate(path) : null;
    if (!target && path.length) {
      const name = alias[path[0]] || path[0];
      target = scope.querySelector(`[data-field~="${CSS.escape(String(name))}"]`);
    }
    if (!target && !path.length) target = mentioned(scope, msg, alias);
    if (target) {
      target.classList.add("invalid");
      target.setAttribute("aria-invalid", "true");
      const name = (target.dataset.field || "").split(" ")[0];
      const box = scope.querySelector(`[data-error-for="${CSS.escape(name)}"]`) || target.parentElement.querySelector(".field-error");
      if (box) {
        box.textContent = box.classList.contains("shown") ? `${box.textContent}; ${msg}` : msg;
        box.classList.add("shown");
        continue;
      }
    }
    unplaced.push(path.length ? `${path.join(".")}: ${msg}` : msg);
  }
  if (unplaced.length) {
    const box = scope.querySelector(".form-error");
    if (box) { box.textContent = unplaced.join("\n"); box.classList.add("shown"); }
  }
  return items;
}

/** A whole-body error (e.g. "targets has 3 entries but x has 4 rows") names its field in words. */
function mentioned(scope, msg, alias) {
  const words = new Set(msg.match(/[A-Za-z_][A-Za-z0-9_]*/g) || []);
  for (const w of words) {
    const name = alias[w] || w;
    const el = scope.querySelector(`[data-field~="${CSS.escape(name)}"]`);
    if (el && w.length > 1) return el;
  }
  return null;
}
