// The company view: profile, executives, subsidiaries, the sales chart with plan targets, the
// timeline and the relationships, each read at the page's read point.
import { get, type Schemas } from "../api";
import { formatNumber, h, link, section, table } from "../dom";
import { currentPoint, withPoint } from "../readpoint";
import { salesChart } from "./chart";
import { retractedEvents, type RetractedRow } from "./retracted";

type Item = Schemas["TimelineItem"];

export async function companyView(companyId: string): Promise<HTMLElement> {
  const point = currentPoint();
  const id = { company_id: companyId };
  const [company, timeline, sales, plans, relationships, retracted] = await Promise.all([
    get("/companies/{company_id}", { ...id }, point),
    get("/companies/{company_id}/timeline", { ...id, limit: 1000 }, point),
    get("/companies/{company_id}/sales", { ...id }, point),
    get("/companies/{company_id}/plans", { ...id }, point),
    get("/companies/{company_id}/relationships", { ...id }, point),
    retractedEvents(companyId, point),
  ]);
  const profile = company.profile;
  const name = profile.name ?? companyId;
  const companyLink = (cid: string, label?: string | null) => link(withPoint(`/explore/companies/${cid}`), label ?? cid);
  return h(
    "div",
    {},
    h("h1", {}, name),
    h(
      "dl",
      { class: "profile" },
      h("dt", {}, "Id"), h("dd", {}, profile.company_id),
      h("dt", {}, "Country"), h("dd", {}, profile.country ?? "—"),
      h("dt", {}, "Sectors"), h("dd", {}, profile.sectors.join(", ") || "—"),
      h("dt", {}, "Also known as"), h("dd", {}, profile.aliases.join(", ") || "—"),
      h("dt", {}, "Parent"), h("dd", {}, profile.parent ? companyLink(profile.parent.company_id, profile.parent.name) : "—"),
      h("dt", {}, "Known up to"), h("dd", {}, `position ${company.last_position}`),
    ),
    h("p", {}, link(withPoint(`/explore/graph?company=${encodeURIComponent(companyId)}`), `Relationship graph around ${name}`)),
    section(
      "Executives",
      table(
        "Executives",
        ["Person", "Role", "Certainty", "Sources"],
        profile.executives.map((e) => [
          link(withPoint(`/explore/people/${e.person_id}`), e.name ?? e.person_id),
          e.role + (e.disputed ? " ⚠ disputed" : ""),
          e.certainty,
          e.source_count,
        ]),
      ),
    ),
    section(
      "Subsidiaries",
      profile.subsidiaries.length
        ? h("ul", {}, profile.subsidiaries.map((s) => h("li", {}, companyLink(s.company_id, s.name))))
        : h("p", { class: "empty" }, "None known at this read point."),
    ),
    section("Sales and plans", salesChart(sales.items, plans.items), plansTable(plans.items)),
    section(
      "Timeline",
      table(
        "Timeline",
        ["Occurred", "Event", "Certainty", "Sources", "Position"],
        merged(timeline.items, retracted).map((item) => timelineRow(item)),
      ),
    ),
    section(
      "Relationships",
      table(
        "Relationships",
        ["Kind", "Counterparty", "Direction", "Status", "Certainty", "Sources"],
        [...relationships.suppliers, ...relationships.customers, ...relationships.partners, ...relationships.competitors].map((r) => [
          r.kind,
          companyLink(r.counterparty),
          r.direction,
          r.status + (r.disputed ? " ⚠ disputed" : ""),
          r.certainty,
          r.source_count,
        ]),
      ),
    ),
  );
}

function plansTable(plans: Schemas["PlanItem"][]): HTMLElement {
  return table(
    "Plans",
    ["Plan", "Target", "Due", "Status", "Certainty"],
    plans.map((p) => [
      p.description,
      p.target ? `${formatNumber(p.target.value)}${p.target.currency ? ` ${p.target.currency}` : ""}` : "—",
      p.due,
      p.status + (p.disputed ? " ⚠ disputed" : ""),
      p.certainty,
    ]),
  );
}

/** The timeline and the retracted events in one date order (then position), as the API orders the timeline. */
function merged(items: Item[], retracted: RetractedRow[]): { occurred_on: string; source_count: number; stored: Schemas["StoredEvent"] }[] {
  return [
    ...items.map((item) => ({ occurred_on: item.occurred_on, source_count: item.source_count, stored: item.event })),
    ...retracted.map((row) => ({ occurred_on: row.occurred_on, source_count: row.stored.event.sources.length, stored: row.stored })),
  ].sort((a, b) => (a.occurred_on < b.occurred_on ? -1 : a.occurred_on > b.occurred_on ? 1 : a.stored.position - b.stored.position));
}

function timelineRow(item: { occurred_on: string; source_count: number; stored: Schemas["StoredEvent"] }): (Node | string | number)[] {
  const stored = item.stored;
  const event = stored.event;
  const what = event.type.replace(/_/g, " ");
  const note = "note" in event && event.note ? event.note : "";
  const text = h("span", { class: "what" }, h("strong", {}, what), note ? ` — ${note.length > 140 ? `${note.slice(0, 140)}…` : note}` : "");
  const retracted = stored.retracted;
  const why = retracted ? `retracted at position ${retracted.position}: ${retracted.reason}` : "";
  return [
    h("time", {}, item.occurred_on),
    retracted ? h("span", {}, h("del", {}, text), " ", h("span", { class: "tag retracted" }, "retracted"), h("span", { class: "why" }, ` (${why})`)) : text,
    event.certainty ?? "",
    item.source_count,
    stored.position,
  ];
}
