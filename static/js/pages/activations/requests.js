// The curves of the activations shown, one request each; a 422 on α goes beside that
// activation's α input.
import { ApiError, post } from "../../kit/api.js";
import { takesAlpha } from "./logic.js";

const NUM = 801;

/**
 * @param {{act: string[], xmin: number, xmax: number, up: number, h: number, alpha: Record<string, number>}} s
 * @param {(name: string) => import("./logic.js").Activation | undefined} byName
 * @param {AbortSignal} signal
 */
export function fetchCurves(s, byName, signal) {
  return Promise.all(
    s.act.map((name) => {
      const a = /** @type {import("./logic.js").Activation} */ (byName(name));
      const alpha = takesAlpha(a) ? s.alpha[name] : undefined; // sent only when set
      const body = {
        activation: /** @type {any} */ (name),
        x_min: s.xmin,
        x_max: s.xmax,
        num: NUM,
        upstream: s.up,
        h: s.h,
        ...(alpha === undefined ? {} : { alpha }),
      };
      return post("/api/v1/activations/curve", body, signal).catch((err) => {
        throw alphaAt(err, name);
      });
    }),
  );
}

/**
 * A 422 on `alpha` from the request for `name` belongs next to that activation's α input.
 * @param {unknown} err
 * @param {string} name
 */
function alphaAt(err, name) {
  if (!(err instanceof ApiError)) return err;
  const items = err.items.map((it) => {
    const path = it.loc[0] === "body" ? it.loc.slice(1) : it.loc;
    return path[0] === "alpha" ? { ...it, loc: [`${name}_alpha`] } : it;
  });
  return new ApiError(err.status, items);
}
