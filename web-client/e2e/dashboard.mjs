// The dashboard in headless Chromium (Debian's, driven by playwright-core): submit a small pipeline through the
// form, watch its four jobs finish live on the jobs page (no reload), open each and check that every plot drew
// data; fill the curve form (made from the API's schema) field by field, see a spec error shown beside its input,
// and watch the curve it submits; submit SWA and FGE through the raw-JSON view. Screenshots go to the folder given.
//   node e2e/dashboard.mjs http://127.0.0.1:8080 ../standalone/target/screenshots
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
// A job's own pictures, drawn once it succeeded (not the live plot drawn from its epochs while it runs).
const FINAL = '.plot:not([data-plot="Live"])';
const FINAL_PLOT = `${FINAL} .main-svg`;
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on("pageerror", (e) => { console.error("page error:", e.message); process.exitCode = 1; });
const shots = [];
const shot = async (name, what) => {
  await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
  shots.push(`${name}.png: ${what}`);
};

try {
  await page.goto(`${base}/#/submit`);
  const pipeline = page.locator("#pipeline");
  await pipeline.getByLabel("Dataset").fill("spirals");
  await pipeline.getByLabel("Hidden sizes").fill("16");
  await pipeline.getByLabel("Training epochs").fill("8");
  await pipeline.getByLabel("Curve epochs").fill("4");
  await pipeline.getByLabel("Grid resolution").fill("5");
  await page.locator('form[data-type="grid"]').waitFor({ state: "attached" });
  await shot("submit", "the submit page: the pipeline form and one form per job type, defaults filled in");
  await page.getByRole("button", { name: "Submit pipeline" }).click();

  await page.waitForURL(/#\/jobs$/);
  await page.waitForSelector("tr[data-job]");
  await shot("jobs-running", "the jobs page right after the pipeline was submitted");
  await page.waitForFunction(() => [...document.querySelectorAll("tr[data-job]")]
    .filter((r) => r.querySelector("a")?.textContent?.startsWith("pipeline"))
    .filter((r) => r.getAttribute("data-status") === "SUCCEEDED").length >= 4, null, { timeout: 300_000 });
  await shot("jobs-done", "the jobs page once the four pipeline jobs succeeded, updated live");

  for (const [name, type] of [["pipeline endpoint 1", "train"], ["pipeline curve", "curve"], ["pipeline grid", "grid"]]) {
    await page.goto(`${base}/#/jobs`);
    await page.getByRole("link", { name, exact: true }).first().click();
    await page.waitForSelector(FINAL_PLOT, { timeout: 60_000 });
    const traces = await page.$$eval(FINAL, (plots) => plots.map((p) => (p.data ?? [])
      .map((t) => (t.y ?? t.z ?? []).length)));
    if (!traces.length || traces.some((p) => !p.length || p.some((n) => n === 0))) {
      throw new Error(`${type}: a plot without data: ${JSON.stringify(traces)}`);
    }
    await shot(`job-${type}`, `the ${type} job's page: status, attempts, artifacts and its plots (${traces.flat().length} traces with data)`);
    if (type === "curve") {
      // Its lineage: the two endpoints it came from, the grid built on it, and a line from each input.
      await page.waitForFunction(() => document.querySelectorAll(".lineage [data-node]").length === 4
        && document.querySelectorAll(".lineage line").length === 3);
      await page.locator(".lineage").screenshot({ path: `${out}/lineage.png` });
      shots.push("lineage.png: the pipeline curve's lineage: two endpoints, the curve, the grid on its plane");
    }
    if (type === "grid") {
      await page.getByLabel("Metric").selectOption("test_accuracy");
      await page.getByLabel("3-D surface").check();
      await page.waitForFunction(() => document.querySelector(".plot")?.data?.[0]?.type === "surface");
      await shot("job-grid-surface", "the grid as a 3-D surface of test accuracy (metric switch and surface view)");
    }
  }

  const endpoints = await page.evaluate(async () => {
    const jobs = await (await fetch("/api/v1/jobs?type=train&size=50")).json();
    return ["pipeline endpoint 1", "pipeline endpoint 2"].map((n) => jobs.content.find((j) => j.name === n).id);
  });

  // The curve form, field by field: each input is labelled by its field and found inside its fieldset.
  await page.goto(`${base}/#/submit`);
  await page.locator('form[data-type="grid"]').waitFor({ state: "attached" });
  await page.getByLabel("Job type").selectOption("curve");
  const curve = page.locator('form[data-type="curve"]');
  await curve.waitFor();
  const input = (path) => curve.locator(`[data-field="${path}"]`).getByLabel(path.split(".").pop(), { exact: true });
  if (await input("spec.bends").inputValue() !== "3" || await input("spec.points").inputValue() !== "61") {
    throw new Error("the curve form does not start from the API's defaults");
  }
  await curve.getByLabel("Name", { exact: true }).fill("form curve");
  await curve.locator('[data-field="spec.endpoints[0]"]').getByLabel("job", { exact: true }).fill(endpoints[0]);
  await curve.locator('[data-field="spec.endpoints[1]"]').getByLabel("job", { exact: true }).fill(endpoints[1]);
  await input("spec.curve").selectOption("polychain");
  await input("spec.epochs").fill("0");
  await input("spec.points").fill("5");
  await input("spec.seed").fill("3");
  await input("spec.ensembleSize").fill("3");
  await curve.getByRole("button", { name: "Submit curve" }).click();
  // The API refuses epochs 0; its message appears in the epochs field, beside the input, not in a list.
  const epochsError = curve.locator('[data-field="spec.epochs"] [data-error-for="spec.epochs"]');
  await epochsError.filter({ hasText: /\S/ }).waitFor({ timeout: 10_000 });
  if ((await curve.locator("ul.errors li").count()) !== 0) throw new Error("a field error was listed, not placed");
  await curve.screenshot({ path: `${out}/submit-error.png` });
  shots.push(`submit-error.png: the curve form, field by field, with the API's error beside the epochs input ("${await epochsError.textContent()}")`);
  await input("spec.epochs").fill("2");
  await curve.getByRole("button", { name: "Submit curve" }).click();
  await page.waitForURL(/#\/jobs\/[0-9a-f-]{36}$/);
  const curveId = page.url().split("/").pop();
  const submitted = await page.evaluate(async (id) => (await (await fetch(`/api/v1/jobs/${id}`)).json()).spec, curveId);
  const expected = { curve: "polychain", epochs: 2, points: 5, seed: 3, ensembleSize: 3, bends: 3, batchSize: 128 };
  for (const [k, v] of Object.entries(expected)) {
    if (submitted[k] !== v) throw new Error(`the form sent ${k}=${JSON.stringify(submitted[k])}, not ${v}`);
  }
  if (submitted.endpoints.map((e) => e.job).join() !== endpoints.join()) throw new Error("the form's endpoints differ");
  await page.waitForSelector(FINAL_PLOT, { timeout: 120_000 });
  await shot("job-form-curve", "the curve submitted field by field through its form, run to its end, and its plots");

  // SWA and FGE through the raw-JSON view of their forms: their pictures too.
  for (const [type, spec] of [
      ["swa", { dataset: "spirals", model: { arch: "mlp", hidden: [16] }, epochs: 4, swaStart: 2 }],
      ["fge", { start: { job: endpoints[0] }, epochs: 4, cycle: 2 }]]) {
    await page.goto(`${base}/#/submit`);
    await page.locator('form[data-type="grid"]').waitFor({ state: "attached" });
    await page.getByLabel("Job type").selectOption(type);
    const form = page.locator(`form[data-type="${type}"]`);
    await form.getByLabel("Edit as JSON").check();
    await form.locator("textarea").fill(JSON.stringify(spec));
    await form.getByRole("button", { name: `Submit ${type}` }).click();
    await page.waitForURL(/#\/jobs\/[0-9a-f-]{36}$/);
    await page.waitForSelector(FINAL_PLOT, { timeout: 120_000 });
    const traces = await page.$$eval(FINAL, (plots) => plots.map((p) => (p.data ?? []).map((t) => t.y.length)));
    if (!traces.length || traces.some((p) => p.some((n) => n === 0))) {
      throw new Error(`${type}: a plot without data: ${JSON.stringify(traces)}`);
    }
    await shot(`job-${type}`, `the ${type} job submitted through its form's JSON view, watched to its end, and its plot`);
  }
  // A running job's page draws each epoch's losses as the job reports them.
  const long = await page.evaluate(async () => (await (await fetch("/api/v1/jobs", { method: "POST",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify({ type: "train", name: "live",
      spec: { dataset: "spirals", model: { arch: "mlp", hidden: [64, 64] }, epochs: 1000 } }) })).json()).id);
  await page.goto(`${base}/#/jobs/${long}`);
  await page.waitForFunction(() => (document.querySelector('.plot[data-plot="Live"]')?.data?.[0]?.y?.length ?? 0) >= 3,
    null, { timeout: 120_000 });
  const livePoints = await page.$eval('.plot[data-plot="Live"]', (p) => p.data[0].y.length);
  await shot("job-live", `a running train job's page: loss per epoch drawn live (${livePoints} epochs so far)`);
  await page.evaluate(async (id) => fetch(`/api/v1/jobs/${id}/cancel`, { method: "POST" }), long);

  // The jobs page filters by experiment and by tag.
  const tagged = await page.evaluate(async () => {
    const submit = async (tags) => (await (await fetch("/api/v1/jobs", { method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ type: "train", experiment: "e2e-labels",
        tags, spec: { dataset: "spirals", model: { arch: "mlp", hidden: [4] }, epochs: 1 } }) })).json()).id;
    return [await submit({ opt: "sgd" }), await submit({ opt: "adam" })];
  });
  await page.goto(`${base}/#/jobs`);
  await page.getByLabel("Experiment").fill("e2e-labels");
  await page.getByLabel("Experiment").press("Enter");
  await page.waitForFunction((ids) => {
    const shown = [...document.querySelectorAll("tr[data-job]")].map((r) => r.getAttribute("data-job"));
    return shown.length === 2 && ids.every((id) => shown.includes(id));
  }, tagged);
  await page.getByLabel("Tag").fill("opt:adam");
  await page.getByLabel("Tag").press("Enter");
  await page.waitForFunction((id) => {
    const shown = [...document.querySelectorAll("tr[data-job]")].map((r) => r.getAttribute("data-job"));
    return shown.length === 1 && shown[0] === id;
  }, tagged[1]);
  await shot("jobs-filtered", "the jobs page filtered by experiment e2e-labels and tag opt:adam");

  console.log("screenshots:\n" + shots.map((s) => "  " + s).join("\n"));
} finally {
  await browser.close();
}
