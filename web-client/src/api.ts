import type { components } from "./generated/openapi";

// The API as the dashboard uses it: the token (kept for the browser session), JSON calls whose errors are the
// API's problem details, and live streams through EventSource.

const TOKEN_KEY = "valley.token";

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value: string): void {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly detail: string, readonly errors: FieldError[]) {
    super(detail);
  }
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const t = token();
  return t ? { ...extra, Authorization: `Bearer ${t}` } : extra;
}

export async function get<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { headers: headers() }));
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return answer<T>(await fetch(path, {
    method: "POST",
    headers: headers({ "Content-Type": "application/json" }),
    body: body === undefined ? undefined : JSON.stringify(body),
  }));
}

async function answer<T>(response: Response): Promise<T> {
  if (response.ok) return (await response.json()) as T;
  let detail = `HTTP ${response.status}`;
  let errors: FieldError[] = [];
  try {
    const problem = await response.json();
    detail = problem.detail ?? detail;
    errors = problem.errors ?? [];
  } catch {
    // not problem details
  }
  throw new ApiError(response.status, detail, errors);
}

/** An artifact's bytes, fetched with the token, handed to the browser as a download. */
export async function download(jobId: string, name: string): Promise<void> {
  const url = await artifactUrl(jobId, name);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** An artifact as an object URL, for an image (the request carries the token, which an img's own would not). */
export async function artifactUrl(jobId: string, name: string): Promise<string> {
  const response = await fetch(`/api/v1/jobs/${jobId}/artifacts/${encodeURIComponent(name)}`, { headers: headers() });
  if (!response.ok) throw new ApiError(response.status, `download of ${name} failed: HTTP ${response.status}`, []);
  return URL.createObjectURL(await response.blob());
}

/** An artifact as JSON (grid.json, curve.json). */
export async function artifactJson<T>(jobId: string, name: string): Promise<T> {
  return get<T>(`/api/v1/jobs/${jobId}/artifacts/${encodeURIComponent(name)}`);
}

/** Server-sent "job" events; EventSource sends no headers, so the token rides as access_token. */
export function stream(path: string, onJob: (job: Job) => void, onEpoch?: (epoch: Epoch) => void): EventSource {
  const t = token();
  const source = new EventSource(t ? `${path}?access_token=${encodeURIComponent(t)}` : path);
  source.addEventListener("job", (e) => onJob(JSON.parse((e as MessageEvent).data) as Job));
  if (onEpoch) source.addEventListener("epoch", (e) => onEpoch(JSON.parse((e as MessageEvent).data) as Epoch));
  return source;
}

// The API's shapes, generated from its OpenAPI document (web-client/openapi.json, kept equal to the served one by
// OpenApiDocumentTest) by openapi-typescript when the dashboard builds.
export type Schemas = components["schemas"];
export type Job = Schemas["JobView"];
export type Attempt = Schemas["Ended"];
export type Epoch = Schemas["EpochReport"];
export type Page = Schemas["PagedModelJobView"];
