// POST a body and read the NDJSON answer line by line, as it arrives. Errors (422, 503, no
// answer) are the kit's ApiError, so they are shown at their field like any other request's.
import { ApiError, activity, isAbort, itemsOf } from "../../kit/api.js";

/**
 * Call `onLine` with each line of the answer to POST `path` until the stream ends (resolves) or
 * `signal` aborts (rejects with an AbortError).
 * @param {string} path
 * @param {unknown} body
 * @param {AbortSignal} signal
 * @param {(line: any) => void} onLine
 */
export async function streamLines(path, body, signal, onLine) {
  const root = document.body.dataset.root || "";
  activity.inflight++;
  try {
    let res;
    try {
      res = await fetch(root + path, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/x-ndjson" },
        body: JSON.stringify(body),
        signal,
      });
    } catch (err) {
      if (isAbort(err)) throw err;
      throw new ApiError(-1, [{ loc: [], msg: `Could not reach the server (${String(err)}).` }]);
    }
    if (!res.ok || !res.body) {
      const text = await res.text();
      /** @type {any} */
      let data = text;
      try {
        data = JSON.parse(text);
      } catch {
        // not JSON: itemsOf says what the status means
      }
      throw new ApiError(res.status, itemsOf(res.status, data));
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const text = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (text) onLine(JSON.parse(text));
      }
    }
    if (buffer.trim()) onLine(JSON.parse(buffer));
  } finally {
    activity.inflight--;
  }
}
