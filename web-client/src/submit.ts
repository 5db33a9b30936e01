import { ApiError, get, Job, post } from "./api";
import { el } from "./util";

/** A starting spec per type, with the fields a researcher most often changes; the API fills in the rest. */
const TEMPLATES: Record<string, unknown> = {
  train: { dataset: "fashion-mnist", model: { arch: "mlp", hidden: [512, 512] }, epochs: 10, seed: 1 },
  curve: { endpoints: [{ job: "<train job id>" }, { job: "<train job id>" }], curve: "bezier", bends: 3, epochs: 10 },
  swa: { dataset: "fashion-mnist", model: { arch: "mlp" }, epochs: 20, swaStart: 15 },
  fge: { start: { job: "<train job id>" }, epochs: 8, cycle: 4 },
  grid: { plane: { kind: "curve", curve: { job: "<curve job id>" } }, resolution: [21, 21] },
};

/** A form per job type (the spec as JSON, its errors shown at their fields) and the endpoints → curve → grid pipeline. */
export function showSubmit(app: HTMLElement): () => void {
  app.append(el("h1", {}, "Submit"), pipelineForm(), ...Object.keys(TEMPLATES).map(jobForm));
  return () => {};
}

function jobForm(type: string): HTMLElement {
  const id = `spec-${type}`;
  const name = el("input", { id: `name-${type}`, type: "text", placeholder: "optional" });
  const spec = el("textarea", { id, rows: "12", cols: "70", spellcheck: "false" });
  spec.value = JSON.stringify(TEMPLATES[type], null, 2);
  // Every default, as the API fills it in (refs are the zero id: put your jobs' ids there).
  const template = spec.value;
  get<unknown>(`/api/v1/jobs/defaults/${type}`).then((full) => {
    if (spec.value === template) spec.value = JSON.stringify(full, null, 2); // unless edited meanwhile
    spec.dataset.defaults = "loaded";
  }, () => { /* keep the short template */ });
  const errors = el("ul", { class: "errors", role: "alert", "aria-live": "polite" });
  const form = el("form", { "aria-label": `Submit a ${type} job`, "data-type": type },
    el("h2", {}, type),
    el("label", { for: `name-${type}` }, "Name "), name,
    el("label", { for: id }, "Spec (JSON)"), spec, errors,
    el("button", { type: "submit" }, `Submit ${type}`));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    let parsed: unknown;
    try {
      parsed = JSON.parse(spec.value);
    } catch (err) {
      errors.append(el("li", {}, `spec: not JSON (${(err as Error).message})`));
      return;
    }
    try {
      const job = await post<Job>("/api/v1/jobs", { type, name: name.value || undefined, spec: parsed });
      location.hash = `#/jobs/${job.id}`;
    } catch (err) {
      showErrors(errors, err);
    }
  });
  return form;
}

function showErrors(list: HTMLElement, err: unknown): void {
  if (err instanceof ApiError && err.errors.length) {
    for (const f of err.errors) list.append(el("li", { "data-field": f.field }, `${f.field}: ${f.message}`));
  } else {
    list.append(el("li", {}, (err as Error).message));
  }
}

/** Two training runs, the curve between them, and the loss over the curve's plane: submitted at once, in order. */
function pipelineForm(): HTMLElement {
  const field = (id: string, label: string, value: string) => {
    const input = el("input", { id, type: "text", value });
    return { input, label: el("label", { for: id }, `${label} `) };
  };
  const dataset = field("pipe-dataset", "Dataset", "spirals");
  const hidden = field("pipe-hidden", "Hidden sizes", "32,32");
  const epochs = field("pipe-epochs", "Training epochs", "20");
  const curveEpochs = field("pipe-curve-epochs", "Curve epochs", "10");
  const resolution = field("pipe-resolution", "Grid resolution", "11");
  const errors = el("ul", { class: "errors", role: "alert", "aria-live": "polite" });
  const form = el("form", { "aria-label": "Submit a pipeline", id: "pipeline" },
    el("h2", {}, "Pipeline: two endpoints → a curve → a grid on its plane"),
    ...[dataset, hidden, epochs, curveEpochs, resolution].flatMap((f) => [f.label, f.input, el("br")]),
    errors, el("button", { type: "submit" }, "Submit pipeline"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errors.replaceChildren();
    try {
      const model = { arch: "mlp", hidden: hidden.input.value.split(",").map((s) => Number(s.trim())) };
      const endpoints: Job[] = [];
      for (const seed of [1, 2]) {
        endpoints.push(await post<Job>("/api/v1/jobs", { type: "train", name: `pipeline endpoint ${seed}`,
          spec: { dataset: dataset.input.value, model, epochs: Number(epochs.input.value), seed } }));
      }
      const curve = await post<Job>("/api/v1/jobs", { type: "curve", name: "pipeline curve",
        spec: { endpoints: endpoints.map((j) => ({ job: j.id })), epochs: Number(curveEpochs.input.value) } });
      const n = Number(resolution.input.value);
      await post<Job>("/api/v1/jobs", { type: "grid", name: "pipeline grid",
        spec: { plane: { kind: "curve", curve: { job: curve.id } }, resolution: [n, n] } });
      location.hash = "#/jobs";
    } catch (err) {
      showErrors(errors, err);
    }
  });
  return form;
}
