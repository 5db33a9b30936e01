import { ApiError, get, Job, post } from "./api";
import { Components, ErrorSlots, FormBuilder } from "./form";
import { el } from "./util";

const TYPES = ["train", "curve", "swa", "fge", "grid", "align", "compare", "simplex", "hessian"] as const;

/**
 * The endpoints → curve → grid pipeline, and a form per job type made from its spec's schema in the API's OpenAPI
 * document: one labelled input per field, starting from the defaults the API fills in, each with its range and
 * description, and the API's field errors beside their inputs. "Edit as JSON" shows the spec as JSON instead.
 */
export function showSubmit(app: HTMLElement): () => void {
  const forms = el("div", { class: "job-forms" }, el("p", { role: "status" }, "Loading the job types' schemas…"));
  const chooser = el("select", { id: "job-type" }, ...TYPES.map((t) => el("option", { value: t }, t)));
  app.append(el("h1", {}, "Submit"), pipelineForm(),
    el("h2", {}, "One job"), el("div", { class: "filters" }, el("label", { for: "job-type" }, "Job type"), chooser), forms);
  get<{ components: { schemas: Components } }>("/api/v1/openapi").then(async (doc) => {
    const built = await Promise.all(TYPES.map((t) => jobForm(t, doc.components.schemas)));
    const show = () => built.forEach((f) => { f.hidden = f.dataset.type !== chooser.value; });
    chooser.addEventListener("change", show);
    show();
    forms.replaceChildren(...built);
  }, (e) => forms.replaceChildren(el("p", { class: "error" }, `Cannot load the schemas: ${(e as Error).message}`)));
  return () => {};
}

async function jobForm(type: string, components: Components): Promise<HTMLElement> {
  const title = type[0].toUpperCase() + type.slice(1);
  const errors = new ErrorSlots();
  const builder = new FormBuilder(components, errors, type);
  const spec = builder.field({ $ref: `#/components/schemas/${title}Spec` }, "spec", "Spec");
  // Every default, as the API fills it in (its refs name the zero id, shown empty: put your jobs' ids there).
  spec.set(await get<unknown>(`/api/v1/jobs/defaults/${type}`).catch(() => undefined));
  const name = el("input", { id: `name-${type}`, type: "text", placeholder: "optional" });
  const experiment = el("input", { id: `experiment-${type}`, type: "text", placeholder: "optional" });
  const tags = el("input", { id: `tags-${type}`, type: "text", placeholder: "key:value, key:value" });
  const rawToggle = el("input", { id: `raw-${type}`, type: "checkbox" });
  const raw = el("textarea", { id: `spec-${type}`, rows: "14", spellcheck: "false", hidden: "" });
  const rawLabel = el("label", { for: `spec-${type}`, hidden: "" }, "Spec (JSON)");
  const other = el("ul", { class: "errors", role: "alert", "aria-live": "polite" });
  rawToggle.addEventListener("change", () => {
    if (rawToggle.checked) {
      raw.value = JSON.stringify(spec.read() ?? {}, null, 2);
    } else {
      try {
        spec.set(JSON.parse(raw.value));
      } catch {
        rawToggle.checked = true; // stay with the JSON until it parses
        other.replaceChildren(el("li", {}, "spec: not JSON; fix it before going back to the fields"));
        return;
      }
    }
    spec.element.hidden = rawToggle.checked;
    raw.hidden = rawLabel.hidden = !rawToggle.checked;
  });
  const form = el("form", { "aria-label": `Submit a ${type} job`, "data-type": type, novalidate: "" },
    el("h2", {}, type),
    el("div", { class: "field" }, el("label", { for: `name-${type}` }, "Name"), name, errors.slot("name")),
    el("div", { class: "field" }, el("label", { for: `experiment-${type}` }, "Experiment"), experiment,
      errors.slot("experiment")),
    el("div", { class: "field" }, el("label", { for: `tags-${type}` }, "Tags"), tags, errors.slot("tags")),
    spec.element,
    el("label", { class: "raw-toggle" }, rawToggle, " Edit as JSON"), rawLabel, raw, other,
    el("button", { type: "submit" }, `Submit ${type}`));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    errors.clear();
    other.replaceChildren();
    let body: unknown;
    try {
      body = rawToggle.checked ? JSON.parse(raw.value) : spec.read() ?? {};
    } catch (err) {
      other.append(el("li", { "data-field": "spec" }, `spec: not JSON (${(err as Error).message})`));
      return;
    }
    try {
      const labels = Object.fromEntries(tags.value.split(",").map((t) => t.trim()).filter(Boolean)
        .map((t) => [t.split(":")[0], t.split(":").slice(1).join(":")]));
      const job = await post<Job>("/api/v1/jobs", { type, name: name.value || undefined, spec: body,
        experiment: experiment.value.trim() || undefined, tags: Object.keys(labels).length ? labels : undefined });
      location.hash = `#/jobs/${job.id}`;
    } catch (err) {
      // Beside its field in the form; in the list below when editing JSON, or when no field holds it.
      if (err instanceof ApiError && err.errors.length && !rawToggle.checked) {
        const unplaced = err.errors.filter((f) => !errors.show(f.field, f.message));
        for (const f of unplaced) other.append(el("li", { "data-field": f.field }, `${f.field}: ${f.message}`));
      } else {
        showErrors(other, err);
      }
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
