import "./style.css";
import { setToken, token } from "./api";
import { showJobs } from "./jobs";
import { showJob } from "./job";
import { showSubmit } from "./submit";

const app = document.getElementById("app") as HTMLElement;
let leave: (() => void) | undefined;

function route(): void {
  leave?.();
  leave = undefined;
  app.replaceChildren();
  const hash = location.hash || "#/jobs";
  const job = hash.match(/^#\/jobs\/([0-9a-f-]{36})$/);
  if (job) leave = showJob(app, job[1]);
  else if (hash.startsWith("#/submit")) leave = showSubmit(app);
  else leave = showJobs(app);
  for (const a of document.querySelectorAll<HTMLAnchorElement>("nav a")) {
    a.toggleAttribute("aria-current", hash.startsWith(a.getAttribute("href") ?? "-"));
  }
}

const tokenInput = document.getElementById("token") as HTMLInputElement;
tokenInput.value = token() ?? "";
document.getElementById("token-form")!.addEventListener("submit", (e) => {
  e.preventDefault();
  setToken(tokenInput.value.trim());
  route();
});
window.addEventListener("hashchange", route);
route();
