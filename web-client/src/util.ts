// Small DOM helpers: elements with attributes and children, durations, a progress bar.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {},
    ...children: (Node | string | null | undefined)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

export function duration(from: string | null, to: string | null): string {
  if (!from) return "—";
  const seconds = Math.max(0, ((to ? Date.parse(to) : Date.now()) - Date.parse(from)) / 1000);
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

export function progressBar(progress: number, label: string): HTMLProgressElement {
  const bar = el("progress", { max: "1", "aria-label": label });
  bar.value = progress;
  bar.textContent = `${Math.round(progress * 100)} %`;
  return bar;
}

export function statusBadge(status: string): HTMLElement {
  return el("span", { class: `status status-${status.toLowerCase()}` }, status);
}
