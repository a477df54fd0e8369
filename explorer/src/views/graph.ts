// The relationship graph around a company (GET /graph?company=..&depth=..), drawn by Cytoscape.js:
// companies are round, people square; edge colour says the kind, a dashed line a potential or ended
// relationship, a faint one a speculative claim. A click (or Enter on the list below) opens the node.
// The same nodes and edges are listed as text: the accessible reading of the drawing.
import cytoscape from "cytoscape";
import { get } from "../api";
import { h, link, section, table } from "../dom";
import { currentPoint, withPoint } from "../readpoint";

const KIND_COLOURS: Record<string, string> = {
  parent_of: "#1b5e20",
  supplies: "#0d47a1",
  competes_with: "#b71c1c",
  partners_with: "#6a1b9a",
  executive_of: "#37474f",
  met: "#e65100",
  visited: "#795548",
};

function nodeHref(id: string): string {
  const [kind, key] = id.split(":", 2);
  return withPoint(kind === "person" ? `/explore/people/${key}` : `/explore/companies/${key}`);
}

export async function graphView(navigate: (href: string) => void): Promise<HTMLElement> {
  const query = new URLSearchParams(location.search);
  const company = query.get("company") ?? "";
  const depth = Number(query.get("depth") ?? "2");
  const companies = await get("/companies", { limit: 1000 }, currentPoint());
  const picker = h(
    "select",
    { id: "graph-company", name: "company" },
    companies.items.map((c) => h("option", { value: c.company_id, selected: c.company_id === company }, c.name ?? c.company_id)),
  );
  const depthInput = h("input", { id: "graph-depth", name: "depth", type: "number", min: "1", max: "3", value: String(depth) });
  const form = h(
    "form",
    { class: "row" },
    h("label", { for: "graph-company" }, "Company"),
    picker,
    h("label", { for: "graph-depth" }, "Depth"),
    depthInput,
    h("button", { type: "submit" }, "Draw"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(withPoint(`/explore/graph?company=${encodeURIComponent(picker.value)}&depth=${depthInput.value}`));
  });
  const view = h("div", {}, h("h1", {}, "Relationship graph"), form);
  const chosen = company || companies.items[0]?.company_id;
  if (!chosen) return view;
  const graph = await get("/graph", { company: chosen, depth }, currentPoint());
  const names = new Map(graph.nodes.map((n) => [n.id, n.name ?? n.key]));
  const canvas = h("div", { id: "cy", class: "graph", role: "img", "aria-label": `Graph of ${graph.nodes.length} nodes around ${names.get(`company:${chosen}`) ?? chosen}; listed below` });
  view.append(canvas, legend());
  view.append(
    section(
      "Nodes",
      h("ul", { class: "columns" }, graph.nodes.map((n) => h("li", {}, h("span", { class: `tag ${n.kind}` }, n.kind), " ", link(nodeHref(n.id), names.get(n.id) ?? n.id)))),
    ),
    section(
      "Edges",
      table(
        "Edges",
        ["From", "Kind", "To", "Status", "Certainty", "Sources"],
        graph.edges.map((e) => [names.get(e.source) ?? e.source, e.kind.replace(/_/g, " "), names.get(e.target) ?? e.target, e.status ?? "—", e.certainty, e.source_count]),
      ),
    ),
  );
  // Drawn once the container is in the document, so that Cytoscape can measure it.
  requestAnimationFrame(() => {
    const cy = cytoscape({
      container: canvas,
      elements: [
        ...graph.nodes.map((n) => ({ data: { id: n.id, label: names.get(n.id), kind: n.kind, centre: n.id === `company:${chosen}` ? 1 : 0 } })),
        ...graph.edges.map((e, i) => ({
          data: { id: `e${i}`, source: e.source, target: e.target, kind: e.kind, status: e.status ?? "", certainty: e.certainty, colour: KIND_COLOURS[e.kind] ?? "#424242" },
        })),
      ],
      style: [
        { selector: "node", style: { label: "data(label)", "background-color": "#1565c0", color: "#111", "font-size": 12, "text-valign": "bottom", "text-margin-y": 4, width: 26, height: 26 } },
        { selector: 'node[kind = "person"]', style: { shape: "round-rectangle", "background-color": "#ef6c00" } },
        { selector: "node[centre = 1]", style: { "border-width": 4, "border-color": "#111", width: 34, height: 34 } },
        { selector: "edge", style: { width: 2, "line-color": "data(colour)", "target-arrow-color": "data(colour)", "target-arrow-shape": "triangle", "curve-style": "bezier" } },
        { selector: 'edge[status = "potential"], edge[status = "ended"]', style: { "line-style": "dashed" } },
        { selector: 'edge[certainty = "speculative"]', style: { opacity: 0.55 } },
        { selector: 'edge[certainty = "confirmed"]', style: { width: 3.5 } },
      ],
      layout: { name: "cose", animate: false, randomize: false },
    });
    cy.on("tap", "node", (event) => navigate(nodeHref(event.target.id())));
  });
  return view;
}

function legend(): HTMLElement {
  return h(
    "ul",
    { class: "legend", "aria-label": "Legend" },
    Object.entries(KIND_COLOURS).map(([kind, colour]) => h("li", {}, h("span", { class: "swatch", style: `background:${colour}` }), kind.replace(/_/g, " "))),
    h("li", {}, "dashed: potential or ended"),
    h("li", {}, "faint: speculative"),
    h("li", {}, "thick: confirmed"),
  );
}
