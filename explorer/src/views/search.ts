// The search view: a query over the whole store (GET /search), and the companies and people it holds.
import { get } from "../api";
import { h, link, section } from "../dom";
import { currentPoint, knownOnNotApplied, withPoint } from "../readpoint";

export async function searchView(navigate: (href: string) => void): Promise<HTMLElement> {
  const query = new URLSearchParams(location.search).get("q") ?? "";
  const input = h("input", { id: "q", name: "q", type: "search", value: query, autocomplete: "off" });
  const form = h(
    "form",
    { role: "search" },
    h("label", { for: "q" }, "Search companies, people and news"),
    h("div", { class: "row" }, input, h("button", { type: "submit" }, "Search")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const url = new URL(withPoint("/explore/search"), location.origin);
    if (input.value.trim()) url.searchParams.set("q", input.value.trim());
    navigate(url.pathname + url.search);
  });
  const parts: HTMLElement[] = [h("h1", {}, "Search"), form];
  const note = knownOnNotApplied();
  if (note) parts.splice(1, 0, note);
  if (query.trim()) {
    const answer = await get("/search", { q: query, limit: 50 }, currentPoint());
    parts.push(
      section(
        `Results for “${query}”`,
        answer.items.length
          ? h(
              "ol",
              { class: "hits" },
              answer.items.map((hit) =>
                h(
                  "li",
                  {},
                  h("span", { class: `tag ${hit.kind}` }, hit.kind),
                  " ",
                  hit.kind === "company"
                    ? link(withPoint(`/explore/companies/${hit.id}`), hit.title)
                    : hit.kind === "person"
                      ? link(withPoint(`/explore/people/${hit.id}`), hit.title)
                      : h("strong", {}, hit.title),
                  h("p", { class: "snippet" }, snippet(hit.snippet)),
                ),
              ),
            )
          : h("p", {}, "Nothing matches at this read point."),
      ),
    );
  }
  const [companies, people] = await Promise.all([
    get("/companies", { limit: 100 }, currentPoint()),
    get("/people", { limit: 100 }, currentPoint()),
  ]);
  parts.push(
    section(
      "Companies",
      h("ul", { class: "columns" }, companies.items.map((c) => h("li", {}, link(withPoint(`/explore/companies/${c.company_id}`), c.name ?? c.company_id)))),
    ),
    section(
      "People",
      h("ul", { class: "columns" }, people.items.map((p) => h("li", {}, link(withPoint(`/explore/people/${p.person_id}`), p.name ?? p.person_id)))),
    ),
  );
  return h("div", {}, parts);
}

/** The API's snippet is HTML whose only markup is <mark>: rebuilt as nodes, never parsed as HTML. */
function snippet(html: string): Node[] {
  const unescape = (text: string) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  return html.split(/(<mark>.*?<\/mark>)/).map((part) =>
    part.startsWith("<mark>") ? h("mark", {}, unescape(part.slice(6, -7))) : document.createTextNode(unescape(part)),
  );
}
