// The data panel: which data set (or an uploaded CSV), its points, noise, classes, seed and test
// share. Any change draws a new data set: the page resets to epoch 0.
import { activity, fieldError } from "../../kit/api.js";
import { byId, numberInput } from "../../kit/dom.js";

/** @typedef {import("../../types/kit").Schemas["DataOut"]} Data */
/** @typedef {import("../../types/kit").Schemas["DatasetsOut"]} Datasets */
/** @typedef {import("../../types/kit").Schemas["DatasetsOut"]["datasets"][number]} Kind */
/** @typedef {import("../../types/kit").Schemas["TrainRequest"]["dataset"]} DatasetIn */
/**
 * The page's state this panel reads and writes (the URL's keys).
 * @typedef {{ds: string, n: number, noise: number, classes: number, dseed: number, test: number}} State
 */

/**
 * @typedef {object} DataPanel
 * @property {() => DatasetIn} dataset the API's `dataset` for the fields as they stand
 * @property {() => {classes: number, regression: boolean}} task the task of the data (the
 *   loaded set's, else the kind's)
 * @property {() => number} width the inputs per point
 * @property {Record<string, HTMLElement>} fields where an error about each `dataset` field goes
 * @property {() => unknown} missing an error when the CSV to upload is not chosen, else null
 * @property {() => void} show disable what the data set does not take, say what was uploaded
 */

/**
 * Wire the data fields. `onKind` hears a new kind of data set (before the reset), `reset` any
 * change, `resetSoon` a typed one.
 * @param {{state: State, info: Datasets, checks: Set<() => unknown>, onError: (e: unknown) => void,
 *          loaded: () => Data | null, onKind: (kind: Kind) => void, reset: () => void,
 *          resetSoon: () => void}} deps
 * @returns {DataPanel}
 */
export function dataPanel({ state, info, checks, onError, loaded, onKind, reset, resetSoon }) {
  const KINDS = Object.fromEntries(info.datasets.map((k) => [k.name, k]));
  const el = {
    ds: byId("dataset", HTMLSelectElement),
    n: byId("n", HTMLInputElement),
    noise: byId("noise", HTMLInputElement),
    classes: byId("classes", HTMLInputElement),
    dseed: byId("dseed", HTMLInputElement),
    test: byId("test", HTMLInputElement),
    csv: byId("csv", HTMLInputElement),
    csvNote: byId("csv-note", HTMLElement),
  };
  /** @type {string | null} the uploaded file's text */
  let csv = null;

  el.ds.replaceChildren(
    ...info.datasets.map((k) => new Option(k.title, k.name)),
    new Option("Upload a CSV file (x1, x2, label)…", "csv"),
  );
  el.ds.value = state.ds;
  /** @type {[HTMLInputElement, "n" | "noise" | "classes" | "dseed" | "test", boolean][]} */
  const inputs = [
    [el.n, "n", true],
    [el.noise, "noise", false],
    [el.classes, "classes", true],
    [el.dseed, "dseed", true],
    [el.test, "test", false],
  ];
  for (const [input, key, integer] of inputs) {
    input.value = String(key === "test" ? state.test * 100 : state[key]);
    checks.add(
      numberInput(input, {
        integer,
        ...(key === "test" ? { min: 1, max: 99 } : {}), // percent here, a fraction in the API
        onError,
        onValue: (v) => {
          state[key] = key === "test" ? Number(v) / 100 : Number(v);
          resetSoon();
        },
      }),
    );
  }
  el.ds.addEventListener("change", () => {
    state.ds = /** @type {any} */ (el.ds.value);
    const kind = KINDS[state.ds];
    if (kind) {
      state.noise = kind.noise;
      state.classes = Math.min(kind.max_classes, Math.max(kind.min_classes, state.classes));
      el.noise.value = String(state.noise);
      el.classes.value = String(state.classes);
      onKind(kind);
    }
    show();
    reset();
  });
  el.csv.addEventListener("change", async () => {
    const file = el.csv.files?.[0];
    if (!file) return;
    activity.pending++; // reading the file is the start of the request that follows
    try {
      csv = await file.text();
    } finally {
      activity.pending--;
    }
    state.ds = "csv";
    el.ds.value = "csv";
    show();
    reset();
  });

  function show() {
    const kind = KINDS[state.ds];
    el.classes.disabled = !kind || kind.min_classes === kind.max_classes;
    el.n.disabled = el.noise.disabled = state.ds === "csv";
    el.csvNote.textContent =
      state.ds === "csv"
        ? csv
          ? `${csv.split("\n").filter((l) => l.trim()).length} lines loaded`
          : "choose a file: it is not kept in the link"
        : "";
  }

  return {
    dataset: () => ({
      name: /** @type {any} */ (state.ds),
      n: state.n,
      noise: state.noise,
      classes: state.classes,
      seed: state.dseed,
      test_fraction: state.test,
      ...(state.ds === "csv" ? { csv: csv ?? "" } : {}),
    }),
    task: () =>
      loaded() ?? { classes: KINDS[state.ds]?.max_classes ?? 2, regression: Boolean(KINDS[state.ds]?.regression) },
    width: () => loaded()?.x_train[0]?.length ?? KINDS[state.ds]?.width ?? 2,
    fields: { n: el.n, noise: el.noise, classes: el.classes, seed: el.dseed, test_fraction: el.test, csv: el.csv },
    missing: () =>
      state.ds === "csv" && !csv
        ? fieldError(["csv"], "choose a CSV file x1,x2,label to upload (it is not kept in the link)")
        : null,
    show,
  };
}
