// A job's lineage as a small graph: a column per step upstream and downstream, a box per job (a link), uploaded
// dataset or model, and a line from each input to the job that read it.
import { Schemas } from "./api";
import { el } from "./util";

type Graph = Schemas["LineageGraph"];

export function drawLineage(container: HTMLElement, graph: Graph): void {
  const depths = [...new Set(graph.nodes.map((n) => n.depth))].sort((a, b) => a - b);
  const boxes = new Map<string, HTMLElement>();
  const columns = depths.map((d) => el("div", { class: "lineage-column" }, ...graph.nodes
    .filter((n) => n.depth === d)
    .map((n) => {
      const label = `${n.kind === "job" ? n.type : n.kind}: ${n.name ?? n.id.slice(0, 8)}`;
      const box = n.kind === "job" && n.id !== graph.root
        ? el("a", { href: `#/jobs/${n.id}`, class: "lineage-node", "data-node": n.id }, label)
        : el("span", { class: `lineage-node${n.id === graph.root ? " lineage-root" : ""}`, "data-node": n.id }, label);
      if (n.status) box.append(el("small", {}, ` ${n.status}`));
      boxes.set(n.id, box);
      return box;
    })));
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.classList.add("lineage-lines");
  const area = el("div", { class: "lineage", role: "img", "aria-label": "Lineage" }, svg, ...columns);
  container.append(el("h2", {}, "Lineage"), area);
  if (graph.truncated) container.append(el("p", {}, "(only the nearest nodes are shown)"));
  // Lines once the boxes have their places.
  requestAnimationFrame(() => {
    const origin = area.getBoundingClientRect();
    svg.setAttribute("width", String(area.scrollWidth));
    svg.setAttribute("height", String(area.scrollHeight));
    for (const e of graph.edges) {
      const from = boxes.get(e.from)?.getBoundingClientRect();
      const to = boxes.get(e.to)?.getBoundingClientRect();
      if (!from || !to) continue;
      const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
      line.setAttribute("x1", String(from.right - origin.left));
      line.setAttribute("y1", String(from.top + from.height / 2 - origin.top));
      line.setAttribute("x2", String(to.left - origin.left));
      line.setAttribute("y2", String(to.top + to.height / 2 - origin.top));
      line.setAttribute("data-edge", `${e.from}>${e.to}`);
      const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = `${e.field}${e.artifact ? ` (${e.artifact})` : ""}`;
      line.append(title);
      svg.append(line);
    }
  });
}
