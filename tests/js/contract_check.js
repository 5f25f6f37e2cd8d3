// Compile-time checks, run by `tsc` (never executed): a request body that does not match the
// REST contract, or a misread answer, is a type error. Each @ts-expect-error must stay an error,
// or tsc fails on the unused directive.
import { post } from "../../static/js/kit/api.js";

export async function contract() {
  const ok = await post("/api/v1/numdiff/derivative", { expr: "x**2", x0: 1, method: "central" });
  const slope = ok.tangent.slope; // typed from DerivativeOut
  // @ts-expect-error: expr is a string
  await post("/api/v1/numdiff/derivative", { expr: 1 });
  // @ts-expect-error: not one of the methods
  await post("/api/v1/numdiff/derivative", { expr: "x", method: "sideways" });
  // @ts-expect-error: a field the API does not take
  await post("/api/v1/numdiff/gradient", { expr: "x1", point: [1], learning_rate: 0.1 });
  // @ts-expect-error: no such endpoint
  await post("/api/v1/numdiff/integral", { expr: "x" });
  // @ts-expect-error: a layer needs its type
  await post("/api/v1/network/run", { x: [[1]], targets: [0], layers: [{ out: 3 }] });
  // @ts-expect-error: DerivativeOut has no `slope` of its own
  return slope + ok.slope;
}
