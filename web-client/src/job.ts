import Plotly from "plotly.js-dist-min";
import { artifactJson, artifactUrl, download, Epoch, get, Job, Schemas, stream } from "./api";
import { drawLineage } from "./lineage";
import { duration, el, progressBar, statusBadge } from "./util";

/** One job: its spec, status and attempts, live progress, artifacts, the error, and its pictures once it ends. */
export function showJob(app: HTMLElement, id: string): () => void {
  const header = el("div", { class: "job-header" });
  const attempts = el("section", { "aria-label": "Attempts" });
  const pictures = el("section", { class: "pictures", "aria-label": "Pictures" });
  const artifacts = el("section", { "aria-label": "Artifacts" });
  const spec = el("details", {}, el("summary", {}, "Spec"));
  const lineage = el("section", { "aria-label": "Lineage" });
  app.append(header, attempts, pictures, artifacts, lineage, spec);
  get<Schemas["LineageGraph"]>(`/api/v1/jobs/${id}/lineage`).then((g) => drawLineage(lineage, g), () => {});
  let drawn = false;
  // Each epoch's figures as the job reports them, drawn live until the job's own pictures replace them.
  const epochs = new Map<string, Epoch>();
  const livePlot = el("div", { class: "plot", role: "img", "aria-label": "Live: loss per epoch", "data-plot": "Live" });
  const drawLive = () => {
    if (drawn) return;
    if (!livePlot.isConnected) pictures.append(el("h2", { class: "live" }, "Live"), livePlot);
    const bySeries = new Map<string, Epoch[]>();
    for (const e of [...epochs.values()].sort((a, b) => a.epoch - b.epoch)) {
      bySeries.set(e.series, [...(bySeries.get(e.series) ?? []), e]);
    }
    // A training run reports train and test loss per epoch; a curve, train loss only.
    const traces = [...bySeries].flatMap(([series, list]) => ["trainLoss", "testLoss"]
      .filter((k) => list.some((e) => e.figures[k] !== undefined))
      .map((k) => ({ x: list.map((e) => e.epoch), y: list.map((e) => e.figures[k]),
        name: `${series}: ${k === "trainLoss" ? "train" : "test"} loss` })));
    Plotly.react(livePlot, traces, { title: { text: "Loss per epoch (live)" }, margin: { t: 40 },
      xaxis: { title: { text: "epoch" } } }, { responsive: true });
  };

  const render = (job: Job) => {
    header.replaceChildren(...([
      el("h1", {}, `${job.type} · ${job.name ?? job.id}`),
      el("p", {}, statusBadge(job.status), " ", progressBar(job.progress, "progress"), " ",
        `${Math.round(job.progress * 100)} % · ${duration(job.startedAt, job.finishedAt)}`,
        job.worker ? ` · on ${job.worker}` : ""),
      job.error ? el("p", { class: "error", role: "alert" }, `Error: ${job.error}`) : null,
    ] as (HTMLElement | null)[]).filter((n): n is HTMLElement => n !== null));
    attempts.replaceChildren(el("h2", {}, "Attempts"), timeline(job));
    artifacts.replaceChildren(el("h2", {}, "Artifacts"), el("ul", {}, ...job.artifacts.map((a) => {
      const button = el("button", { type: "button" }, a.name);
      button.addEventListener("click", () => download(job.id, a.name));
      return el("li", {}, button, ` ${(a.size / 1024).toFixed(1)} KB · sha256 ${a.sha256.slice(0, 12)}`);
    })));
    spec.replaceChildren(el("summary", {}, "Spec"), el("pre", {}, JSON.stringify(job.spec, null, 2)));
    if (job.status === "SUCCEEDED" && job.result && !drawn) {
      drawn = true;
      pictures.replaceChildren();
      draw(pictures, job).catch((e) => pictures.append(el("p", { class: "error" }, `Cannot draw: ${e.message}`)));
    }
  };
  get<Job>(`/api/v1/jobs/${id}`).then(render, (e) => header.replaceChildren(el("p", { class: "error" }, e.message)));
  const live = stream(`/api/v1/jobs/${id}/events`, render, (e) => {
    epochs.set(`${e.series}:${e.epoch}`, e);
    drawLive();
  });
  return () => live.close();
}

function timeline(job: Job): HTMLElement {
  const items = (job.earlierAttempts ?? []).map((a) => el("li", {},
    `attempt ${a.attempt} on ${a.worker ?? "?"}: ${a.outcome} (${a.reason}) at ${new Date(a.endedAt).toLocaleTimeString()}`));
  items.push(el("li", {}, `attempt ${job.attempt} of at most ${job.maxAttempts}: ${job.status}`
    + (job.worker ? ` on ${job.worker}` : "")));
  return el("ol", { class: "timeline" }, ...items);
}

function plot(container: HTMLElement, title: string, data: unknown[], layout: Record<string, unknown> = {}): void {
  const div = el("div", { class: "plot", role: "img", "aria-label": title, "data-plot": title });
  container.append(div);
  Plotly.newPlot(div, data, { title: { text: title }, margin: { t: 40 }, ...layout }, { responsive: true });
}

async function draw(container: HTMLElement, job: Job): Promise<void> {
  const r = job.result as Record<string, any>;
  container.append(el("h2", {}, "Pictures"));
  // A regression (regression-1d) has no accuracy: its pictures show the test MSE instead.
  const regression = (job.spec as Record<string, unknown>).dataset === "regression-1d";
  const score = regression ? "test MSE" : "test accuracy";
  const scored = (accuracyField: string) => (regression ? accuracyField.replace("Accuracy", "Loss") : accuracyField);
  switch (job.type) {
    case "train": {
      const epochs = r.history.map((e: any) => e.epoch);
      plot(container, "Loss per epoch", [
        { x: epochs, y: r.history.map((e: any) => e.trainLoss), name: "train loss" },
        { x: epochs, y: r.history.map((e: any) => e.testLoss), name: "test loss" }], { xaxis: { title: { text: "epoch" } } });
      if (!regression) {
        plot(container, "Test accuracy per epoch", [
          { x: epochs, y: r.history.map((e: any) => e.testAccuracy), name: "test accuracy" }]);
      }
      break;
    }
    case "curve": {
      const metrics = regression ? [["trainLoss", "Train MSE"], ["testLoss", "Test MSE"]]
        : [["trainLoss", "Train loss"], ["testAccuracy", "Test error"]];
      for (const [metric, label] of metrics) {
        const value = (v: number) => (metric === "testAccuracy" ? 1 - v : v);
        plot(container, `${label} along t`, [
          { x: r.t, y: r.curvePath[metric].map(value), name: `${r.curve} curve` },
          { x: r.t, y: r.line[metric].map(value), name: "line", line: { dash: "dash" } }],
          { xaxis: { title: { text: "t" } } });
      }
      if (!regression) {
        plot(container, "Ensemble of w(0) with w(t): test accuracy", [
          { x: r.t, y: r.ensembles.withStartAccuracy, name: "ensemble" }], { xaxis: { title: { text: "t" } } });
      }
      break;
    }
    case "swa": {
      const sgd = r.sgdHistory;
      const swa = r.swaHistory.filter((e: any) => e.averageTestLoss !== null);
      plot(container, `SGD against SWA: ${score}`, [
        { x: sgd.map((e: any) => e.epoch), y: sgd.map((e: any) => e[scored("testAccuracy")]), name: "SGD" },
        { x: swa.map((e: any) => e.epoch), y: swa.map((e: any) => e[scored("averageTestAccuracy")]), name: "SWA average" }],
        { xaxis: { title: { text: "epoch" } } });
      break;
    }
    case "fge": {
      const s = r.snapshots;
      plot(container, `FGE: ${score} against snapshots`, [
        { x: s.map((e: any) => e.index + 1), y: s.map((e: any) => e[scored("ensembleTestAccuracy")]), name: "ensemble" },
        { x: s.map((e: any) => e.index + 1), y: s.map((e: any) => e[scored("testAccuracy")]), name: "snapshot alone" }],
        { xaxis: { title: { text: "snapshots" } } });
      break;
    }
    case "grid":
      await drawGrid(container, job);
      break;
    case "align": {
      for (const [metric, label] of [["trainLoss", "Train loss"], ["testAccuracy", "Test error"]]) {
        const value = (v: number) => (metric === "testAccuracy" ? 1 - v : v);
        plot(container, `${label} on the line from the reference`, [
          { x: r.t, y: r.aligned[metric].map(value), name: "to the aligned target" },
          { x: r.t, y: r.target[metric].map(value), name: "to the target", line: { dash: "dash" } }],
          { xaxis: { title: { text: "t" } } });
      }
      break;
    }
    case "compare":
      break; // its diversity (or a regression's functions), below, is all it has
    case "simplex": {
      const k = r.ensembles.map((e: any) => e.size);
      const start = r.vertices[0];
      const field = scored("testAccuracy");
      plot(container, `Ensemble of K simplex samples (ESPRO): ${score}`, [
        { x: k, y: r.ensembles.map((e: any) => e[field]), name: "ensemble" },
        { x: [k[0], k[k.length - 1]], y: [start[field], start[field]], name: "vertex 0",
          line: { dash: "dash" } }], { xaxis: { title: { text: "K" } } });
      plot(container, `Vertices: ${score}`, [{ type: "bar", x: r.vertices.map((v: any) => `vertex ${v.index}`
        + (v.fixed ? " (fixed)" : "")), y: r.vertices.map((v: any) => v[field]) }]);
      break;
    }
    case "hessian": {
      const h = r;
      container.append(el("p", { class: "hessian" }, `Sharpness (top eigenvalue) ${h.eigenvalues[0].toPrecision(5)}`
        + (h.trace === null || h.trace === undefined ? "" : `; trace ${h.trace.toPrecision(5)} (${h.traceMethod}`
          + (h.traceMethod === "hutchinson" ? ` ± ${h.traceStandardError?.toPrecision(2)}, ${h.probes} probes` : "")
          + ")") + `; loss ${h.loss.toFixed(4)}, ‖∇L‖ ${h.gradientNorm.toPrecision(3)} over ${h.examples} examples;`
        + ` batch norm ${h.batchNorm}`));
      plot(container, "Top eigenvalues of the Hessian", [{ type: "bar",
        x: h.eigenvalues.map((_: number, i: number) => `λ${i + 1}` + (h.converged[i] ? "" : " (not converged)")),
        y: h.eigenvalues }]);
      break;
    }
    case "inspect":
      container.append(inspection(job.result as Schemas["InspectResult"]));
      break;
  }
  if (r.diversity) drawDiversity(container, r.diversity);
  if (job.artifacts.some((a) => a.name === "functions.png")) await drawFunctions(container, job);
}

/** A regression's networks as functions of the input, over the data (functions.png, drawn by the worker). */
async function drawFunctions(container: HTMLElement, job: Job): Promise<void> {
  const title = "Predictions as functions of the input";
  const img = el("img", { class: "functions", alt: title, "data-plot": "Functions" }) as HTMLImageElement;
  container.append(el("h3", {}, title), img);
  img.src = await artifactUrl(job.id, "functions.png");
}

/** How differently a set of networks predict: both matrices, and Fort et al.'s diversity against accuracy. */
function drawDiversity(container: HTMLElement, d: any): void {
  container.append(el("p", { class: "diversity" }, `${d.members.length} members: mean disagreement `
    + `${d.meanDisagreement.toFixed(4)}, mean Jensen–Shannon ${d.meanJensenShannon.toFixed(5)} nats; ensemble `
    + `accuracy ${d.ensembleAccuracy.toFixed(4)}, NLL ${d.ensembleLoss.toFixed(4)}`));
  for (const [field, title] of [["disagreement", "Disagreement"], ["jensenShannon", "Jensen–Shannon divergence"]]) {
    plot(container, title, [{ type: "heatmap", z: d[field], x: d.members, y: d.members, colorscale: "Viridis" }],
      { yaxis: { autorange: "reversed" } });
  }
  plot(container, "Diversity against accuracy", [{ type: "scatter", mode: "markers+text", x: d.accuracy,
    y: d.normalisedDisagreement, text: d.members, textposition: "top center", name: "members" }],
  { xaxis: { title: { text: "test accuracy" } }, yaxis: { title: { text: "disagreement / error" } } });
}

/** What the inspection of an uploaded TorchScript module found: its shapes, and its state_dict. */
function inspection(r: Schemas["InspectResult"]): HTMLElement {
  const shape = (s: number[]) => `[${s.join(", ")}]`;
  return el("div", { class: "inspection" },
    el("p", {}, `${r.topClass}: input ${shape(r.input)}, output ${shape(r.output)}, `
      + `${r.parameters.toLocaleString()} parameters; batch norm recomputed for ${r.batchNorm.length} statistics`
      + (r.noInitRule.length ? `; "init": "seed" keeps the archive's ${r.noInitRule.join(", ")}` : "")),
    el("table", { "aria-label": "State dict" },
      el("thead", {}, el("tr", {}, ...["tensor", "shape", "dtype", "role", "seed init"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...r.tensors.map((t) => el("tr", {}, el("td", {}, t.name), el("td", {}, shape(t.shape)),
        el("td", {}, t.dtype), el("td", {}, t.role), el("td", {}, t.init))))));
}

/** The index of the grid coordinate nearest {@code x}. */
function nearest(xs: number[], x: number): number {
  let best = 0;
  xs.forEach((v, i) => { if (Math.abs(v - x) < Math.abs(xs[best] - x)) best = i; });
  return best;
}

/** A swap path's units and each metric at its ends and midpoint, with the barrier. */
function swapSummary(swap: any): HTMLElement {
  const f = (v: number) => v.toFixed(4);
  return el("div", { class: "swap" },
    el("p", {}, `Units ${swap.units.join(" and ")} of ${swap.group} swapped (${swap.selection}; `
      + `distance ${f(swap.distance)}): the midpoint is where they coincide.`),
    el("table", { "aria-label": "Swap path" },
      el("thead", {}, el("tr", {}, ...["metric", "start", "midpoint", "end", "barrier"].map((h) => el("th", {}, h)))),
      el("tbody", {}, ...Object.entries<any>(swap.metrics).map(([m, v]) => el("tr", {}, el("td", {}, m),
        el("td", {}, f(v.start)), el("td", {}, f(v.midpoint)), el("td", {}, f(v.end)), el("td", {}, f(v.barrier)))))));
}

/** A trajectory plane's axes and how far the run's kept networks lie from it: each one's loss and its plane's. */
function trajectorySummary(t: any): HTMLElement {
  const metric = Object.keys(t.path[0]?.atStep ?? {})[0];
  const ratio = t.explainedVarianceRatio.map((r: number) => `${(100 * r).toFixed(1)} %`).join(" and ");
  return el("div", { class: "trajectory" },
    el("p", {}, `The principal components explain ${ratio} of the kept weights' variance.`),
    el("table", {}, el("tr", {}, el("th", {}, "epoch"), el("th", {}, "x"), el("th", {}, "y"),
      el("th", {}, `${metric} of the network`), el("th", {}, `${metric} on the plane`)),
    ...t.path.map((p: any) => el("tr", {}, el("td", {}, String(p.epoch)), el("td", {}, p.x.toFixed(3)),
      el("td", {}, p.y.toFixed(3)), el("td", {}, p.atStep[metric].toFixed(4)),
      el("td", {}, p.onPlane[metric].toFixed(4))))));
}

async function drawGrid(container: HTMLElement, job: Job): Promise<void> {
  const grid = await artifactJson<any>(job.id, "grid.json");
  const metrics = Object.keys(grid.values);
  const metric = el("select", { id: "grid-metric" }, ...metrics.map((m) => el("option", { value: m }, m)));
  const log = el("input", { type: "checkbox", id: "grid-log" });
  const surface = el("input", { type: "checkbox", id: "grid-surface" });
  const controls = el("div", { class: "filters" },
    el("label", { for: "grid-metric" }, "Metric "), metric,
    el("label", {}, log, " log scale"), el("label", {}, surface, " 3-D surface"));
  const div = el("div", { class: "plot", role: "img", "aria-label": "Grid", "data-plot": "Grid" });
  const result = job.result as Schemas["GridResult"] | null;
  const swap = result?.swap;
  container.append(controls, div);
  if (swap) container.append(swapSummary(swap));
  const markers = result?.markers ?? [];
  const curve = result?.curve ?? [];
  // A trajectory plane's path: the run's kept networks at their projections, each with its epoch.
  const path = (result as any)?.trajectory?.path ?? [];
  if (path.length) container.append(trajectorySummary((result as any).trajectory));
  const line = grid.y.length === 1;
  const redraw = () => {
    const raw: number[][] = grid.values[metric.value];
    const z = log.checked ? raw.map((row) => row.map((v) => Math.log10(Math.max(v, 1e-12)))) : raw;
    const title = `${metric.value}${log.checked ? " (log10)" : ""}`;
    // A line (or a swap path) is one row: a curve over x, the networks marked on it.
    const data: unknown[] = line
      ? [{ type: "scatter", mode: "lines+markers", x: grid.x, y: z[0], name: metric.value },
         { type: "scatter", mode: "markers+text", x: markers.map((m: any) => m.x),
           y: markers.map((m: any) => z[0][nearest(grid.x, m.x)]), text: markers.map((m: any) => m.label),
           textposition: "top center", name: "networks", marker: { size: 9 } }]
      : surface.checked
      ? [{ type: "surface", x: grid.x, y: grid.y, z, colorscale: "Viridis" }]
      : [{ type: "contour", x: grid.x, y: grid.y, z, colorscale: "Viridis", contours: { coloring: "heatmap" } },
         { type: "scatter", mode: "markers+text", x: markers.map((m: any) => m.x), y: markers.map((m: any) => m.y),
           text: markers.map((m: any) => m.label), textposition: "top center", name: "networks",
           marker: { color: "white", size: 9, line: { color: "black", width: 1 } } },
         ...(curve.length ? [{ type: "scatter", mode: "lines", x: curve.map((c: any) => c.x),
           y: curve.map((c: any) => c.y), name: "curve", line: { color: "white", width: 2 } }] : []),
         ...(path.length ? [{ type: "scatter", mode: "lines+markers", x: path.map((p: any) => p.x),
           y: path.map((p: any) => p.y), text: path.map((p: any) => `epoch ${p.epoch}`), name: "path",
           line: { color: "white", width: 2, dash: "dash" }, marker: { color: "white", size: 5 } }] : [])];
    Plotly.react(div, data, { title: { text: title }, margin: { t: 40 } }, { responsive: true });
  };
  for (const c of [metric, log, surface]) c.addEventListener("change", redraw);
  redraw();
  if ((result as any)?.frames) await drawFrames(container, job, metric, log);
}

/**
 * A curve's plane while it trained (frames.json): one frame per snapshot, played in turn or picked with the slider,
 * on one colour scale for every frame so that the tunnel of low loss is seen to open.
 */
async function drawFrames(container: HTMLElement, job: Job, metric: HTMLSelectElement,
  log: HTMLInputElement): Promise<void> {
  const frames = await artifactJson<any>(job.id, "frames.json");
  const count: number = frames.frames.length;
  const play = el("button", { type: "button", id: "frames-play" }, "Play") as HTMLButtonElement;
  const slider = el("input", { type: "range", id: "frames-slider", min: "0", max: String(count - 1),
    value: String(count - 1), "aria-label": "Frame" }) as HTMLInputElement;
  const label = el("span", { id: "frames-label" });
  const div = el("div", { class: "plot", role: "img", "aria-label": "Frames", "data-plot": "Frames" });
  container.append(el("h3", {}, "The curve's plane while it trained"),
    el("div", { class: "filters" }, play, " ", slider, " ", label), div);
  const draw = () => {
    const f = Number(slider.value);
    const frame = frames.frames[f];
    const scale = (v: number) => (log.checked ? Math.log10(Math.max(v, 1e-12)) : v);
    const all: number[][][] = frames.values[metric.value];
    const z = all[f].map((row: number[]) => row.map(scale));
    const flat = all.flat(2).map(scale).filter((v: number) => Number.isFinite(v));
    const zmin = Math.min(...flat);
    const zmax = Math.max(...flat);
    label.textContent = `epoch ${frame.epoch} (frame ${f + 1} of ${count})`;
    Plotly.react(div, [
      { type: "contour", x: frames.x, y: frames.y, z, zmin, zmax, zauto: false, colorscale: "Viridis",
        contours: { coloring: "heatmap" } },
      { type: "scatter", mode: "lines", x: frame.curve.map((c: any) => c.x), y: frame.curve.map((c: any) => c.y),
        name: "curve", line: { color: "white", width: 2 } },
      { type: "scatter", mode: "markers+text", x: frame.markers.map((m: any) => m.x),
        y: frame.markers.map((m: any) => m.y), text: frame.markers.map((m: any) => m.label),
        textposition: "top center", name: "networks", marker: { color: "white", size: 9 } }],
    { title: { text: `${metric.value}${log.checked ? " (log10)" : ""}, epoch ${frame.epoch}` }, margin: { t: 40 } },
    { responsive: true });
  };
  let timer: number | undefined;
  play.addEventListener("click", () => {
    if (timer !== undefined) {
      window.clearInterval(timer);
      timer = undefined;
      play.textContent = "Play";
      return;
    }
    play.textContent = "Pause";
    if (Number(slider.value) === count - 1) slider.value = "0";
    draw();
    timer = window.setInterval(() => {
      const next = Number(slider.value) + 1;
      if (next >= count) {
        window.clearInterval(timer);
        timer = undefined;
        play.textContent = "Play";
        return;
      }
      slider.value = String(next);
      draw();
    }, 400);
  });
  for (const c of [slider, metric, log]) c.addEventListener(c === slider ? "input" : "change", draw);
  draw();
}
