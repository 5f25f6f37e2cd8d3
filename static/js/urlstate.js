// Page state <-> URL query string, so a copied link reproduces the same view.

/**
 * Read the state from location.search, typed after `defaults`: numbers stay numbers, booleans
 * booleans, arrays are comma lists of the default's element type; unknown keys are ignored and
 * unparsable values fall back to the default.
 */
export function readState(defaults) {
  const q = new URLSearchParams(location.search);
  const out = { ...defaults };
  for (const [k, def] of Object.entries(defaults)) {
    if (!q.has(k)) continue;
    const raw = q.get(k);
    if (typeof def === "number") {
      const v = Number(raw);
      if (raw.trim() !== "" && Number.isFinite(v)) out[k] = v;
    } else if (typeof def === "boolean") {
      out[k] = raw === "1" || raw === "true";
    } else if (Array.isArray(def)) {
      const parts = raw === "" ? [] : raw.split(",");
      const numeric = def.length > 0 && typeof def[0] === "number";
      out[k] = numeric ? parts.map(Number).filter(Number.isFinite) : parts;
    } else {
      out[k] = raw;
    }
  }
  return out;
}

/** Write the state into the URL without adding a history entry (cheap enough to call on every change). */
export function writeState(state) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(state)) {
    if (v === undefined || v === null) continue;
    if (typeof v === "boolean") q.set(k, v ? "1" : "0");
    else if (Array.isArray(v)) q.set(k, v.join(","));
    else q.set(k, String(v));
  }
  const url = `${location.pathname}?${q.toString()}${location.hash}`;
  if (url !== `${location.pathname}${location.search}${location.hash}`) history.replaceState(null, "", url);
}

/** Delay `fn` until `ms` have passed without another call. */
const activity = (window.__bpxActivity ||= { inflight: 0, pending: 0 });
export function debounce(fn, ms) {
  let t = null;
  const cancel = () => {
    if (t !== null) { clearTimeout(t); t = null; activity.pending--; }
  };
  const wrapped = (...args) => {
    cancel();
    activity.pending++;
    t = setTimeout(() => { t = null; activity.pending--; fn(...args); }, ms);
  };
  wrapped.flush = (...args) => { cancel(); fn(...args); };
  return wrapped;
}
