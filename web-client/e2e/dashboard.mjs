// The dashboard in headless Chromium (Debian's, driven by playwright-core): submit a small pipeline through the
// form, watch its four jobs finish live on the jobs page (no reload), open each and check that every plot drew
// data, and see a spec error shown at its field. Screenshots go to the folder given.
//   node e2e/dashboard.mjs http://127.0.0.1:8080 ../standalone/target/screenshots
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, out] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
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
  await page.getByLabel("Dataset").fill("spirals");
  await page.getByLabel("Hidden sizes").fill("16");
  await page.getByLabel("Training epochs").fill("8");
  await page.getByLabel("Curve epochs").fill("4");
  await page.getByLabel("Grid resolution").fill("5");
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
    await page.waitForSelector(".plot .main-svg", { timeout: 60_000 });
    const traces = await page.$$eval(".plot", (plots) => plots.map((p) => (p.data ?? [])
      .map((t) => (t.y ?? t.z ?? []).length)));
    if (!traces.length || traces.some((p) => !p.length || p.some((n) => n === 0))) {
      throw new Error(`${type}: a plot without data: ${JSON.stringify(traces)}`);
    }
    await shot(`job-${type}`, `the ${type} job's page: status, attempts, artifacts and its plots (${traces.flat().length} traces with data)`);
    if (type === "grid") {
      await page.getByLabel("Metric").selectOption("test_accuracy");
      await page.getByLabel("3-D surface").check();
      await page.waitForFunction(() => document.querySelector(".plot")?.data?.[0]?.type === "surface");
      await shot("job-grid-surface", "the grid as a 3-D surface of test accuracy (metric switch and surface view)");
    }
  }

  // SWA and FGE through their forms: their pictures too.
  const endpoint = await page.evaluate(async () => {
    const jobs = await (await fetch("/api/v1/jobs?type=train&size=50")).json();
    return jobs.content.find((j) => j.name === "pipeline endpoint 1").id;
  });
  for (const [type, spec] of [
      ["swa", { dataset: "spirals", model: { arch: "mlp", hidden: [16] }, epochs: 4, swaStart: 2 }],
      ["fge", { start: { job: endpoint }, epochs: 4, cycle: 2 }]]) {
    await page.goto(`${base}/#/submit`);
    const form = page.locator(`form[data-type="${type}"]`);
    await form.locator('textarea[data-defaults="loaded"]').waitFor();
    await form.locator("textarea").fill(JSON.stringify(spec));
    await form.getByRole("button").click();
    await page.waitForURL(/#\/jobs\/[0-9a-f-]{36}$/);
    await page.waitForSelector(".plot .main-svg", { timeout: 120_000 });
    const traces = await page.$$eval(".plot", (plots) => plots.map((p) => (p.data ?? []).map((t) => t.y.length)));
    if (!traces.length || traces.some((p) => p.some((n) => n === 0))) {
      throw new Error(`${type}: a plot without data: ${JSON.stringify(traces)}`);
    }
    await shot(`job-${type}`, `the ${type} job submitted through its form, watched to its end, and its plot`);
  }

  await page.goto(`${base}/#/submit`);
  // The form starts from every default the API fills in (batchSize is not in the short template).
  await page.locator('#spec-train[data-defaults="loaded"]').waitFor({ timeout: 10_000 });
  if (!(await page.locator("#spec-train").inputValue()).includes("batchSize")) {
    throw new Error("the train form does not start from the API's defaults");
  }
  const train = page.locator('form[data-type="train"]');
  await train.locator("textarea").fill('{"dataset":"spirals","model":{"arch":"mlp"},"epochs":-1}');
  await train.getByRole("button").click();
  await train.locator('li[data-field="spec.epochs"]').waitFor();
  await shot("submit-error", "a spec error from the API's problem details, shown at its field");
  console.log("screenshots:\n" + shots.map((s) => "  " + s).join("\n"));
} finally {
  await browser.close();
}
