import { get, Job, Page, stream } from "./api";
import { duration, el, progressBar, statusBadge } from "./util";

const STATUSES = ["", "WAITING", "QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"];
const TYPES = ["", "train", "curve", "swa", "fge", "grid", "align", "compare", "simplex", "hessian", "inspect"];

/** The jobs, newest first, filtered by status and type, kept live by the stream of every job. */
export function showJobs(app: HTMLElement): () => void {
  const status = select("Status", STATUSES);
  const type = select("Type", TYPES);
  const experiment = text("Experiment", "any");
  const tag = text("Tag", "key:value");
  const body = el("tbody");
  const table = el("table", { class: "jobs", "aria-label": "Jobs" },
    el("thead", {}, el("tr", {}, ...["Type", "Name", "Experiment", "Tags", "Status", "Progress", "Duration", "Created"]
      .map((h) => el("th", { scope: "col" }, h)))), body);
  const message = el("p", { role: "status" });
  app.append(el("h1", {}, "Jobs"), el("div", { class: "filters" }, status.label, type.label,
    experiment.label, tag.label), message, table);

  const rows = new Map<string, HTMLTableRowElement>();
  const wantedTag = () => {
    const [key, ...rest] = tag.input.value.trim().split(":");
    return key ? [key, rest.join(":")] as const : null;
  };
  const matches = (job: Job) => (!status.select.value || job.status === status.select.value)
    && (!type.select.value || job.type === type.select.value)
    && (!experiment.input.value.trim() || job.experiment === experiment.input.value.trim())
    && (!wantedTag() || job.tags[wantedTag()![0]] === wantedTag()![1]);
  const render = (job: Job): HTMLTableRowElement => {
    const row = el("tr", { "data-job": job.id, "data-status": job.status },
      el("td", {}, job.type),
      el("td", {}, el("a", { href: `#/jobs/${job.id}` }, job.name ?? job.id.slice(0, 8))),
      el("td", {}, job.experiment ?? ""),
      el("td", { class: "tags" }, Object.entries(job.tags).map(([k, v]) => `${k}:${v}`).join(" ")),
      el("td", {}, statusBadge(job.status)),
      el("td", {}, progressBar(job.progress, `progress of ${job.name ?? job.id}`)),
      el("td", {}, duration(job.startedAt, job.finishedAt)),
      el("td", {}, new Date(job.createdAt).toLocaleString()));
    return row;
  };
  const upsert = (job: Job, atTop: boolean) => {
    const old = rows.get(job.id);
    if (!matches(job)) {
      old?.remove();
      rows.delete(job.id);
      return;
    }
    const row = render(job);
    if (old) old.replaceWith(row);
    else if (atTop) body.prepend(row);
    else body.append(row);
    rows.set(job.id, row);
  };
  const load = async () => {
    const query = new URLSearchParams({ size: "50" });
    if (status.select.value) query.set("status", status.select.value);
    if (type.select.value) query.set("type", type.select.value);
    if (experiment.input.value.trim()) query.set("experiment", experiment.input.value.trim());
    if (wantedTag()) query.set("tag", tag.input.value.trim());
    try {
      const page = await get<Page>(`/api/v1/jobs?${query}`);
      body.replaceChildren();
      rows.clear();
      page.content.forEach((job) => upsert(job, false));
      message.textContent = `${page.page.totalElements} job${page.page.totalElements === 1 ? "" : "s"}`;
    } catch (e) {
      message.textContent = `Cannot list jobs: ${(e as Error).message}`;
    }
  };
  status.select.addEventListener("change", load);
  type.select.addEventListener("change", load);
  for (const f of [experiment, tag]) f.input.addEventListener("change", load);
  const live = stream("/api/v1/jobs/events", (job) => upsert(job, true));
  load();
  return () => live.close();
}

function select(label: string, options: string[]): { label: HTMLLabelElement; select: HTMLSelectElement } {
  const s = el("select", {}, ...options.map((o) => el("option", { value: o }, o || "all")));
  return { label: el("label", {}, `${label} `, s), select: s };
}

function text(label: string, placeholder: string): { label: HTMLLabelElement; input: HTMLInputElement } {
  const input = el("input", { type: "text", placeholder });
  return { label: el("label", {}, `${label} `, input), input };
}
