// The run's warnings (the API's `warnings`), each beside what it concerns.
import { byId, h } from "../../kit/dom.js";

/**
 * The API's warnings beside what they concern: a layer, the loss, or the data.
 * @param {HTMLFormElement} form
 * @param {HTMLOListElement} layerList
 * @param {{code: string, msg: string, loc: (string | number)[]}[]} warnings
 */
export function showWarnings(form, layerList, warnings) {
  form.querySelectorAll(".warn-note").forEach((n) => n.remove());
  for (const w of warnings) {
    const [head, i] = w.loc;
    const host =
      head === "layers" && typeof i === "number"
        ? layerList.children[i]
        : byId(head === "loss" ? "loss" : "data", HTMLElement).closest(".field");
    host?.append(h("div", { class: "field-note warn-note", role: "status", dataset: { warn: w.code } }, w.msg));
  }
}
