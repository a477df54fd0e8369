// A small Tidings client typed by openapi-typescript from the served spec (tests/clients/
// test_openapi_typescript.py checks it with tsc --strict). The switch over the stored event union is
// exhaustive: a new event type in the document fails the check until it is handled here.
import type { components, paths } from "./tidings";

type Schemas = components["schemas"];
export type Event = Schemas["EventOutput"];
export type StoredEvent = Schemas["StoredEvent"];
export type Problem = Schemas["Problem"];
type EventPage = paths["/events"]["get"]["responses"][200]["content"]["application/json"];
type Dossier = paths["/companies/{company_id}"]["get"]["responses"][200]["content"]["application/json"];
type NewEvent = NonNullable<paths["/events"]["post"]["requestBody"]>["content"]["application/json"];

export function headline(event: Event): string {
  switch (event.type) {
    case "company_registered":
      return `${event.name} (${event.country}) registered`;
    case "executive_reported":
      return `${event.name} is ${event.role} of ${event.company_id}`;
    case "meeting_held":
      return `${event.participants.map((p) => p.company_id).join(" and ")} met on ${event.occurred_on}`;
    case "site_visited":
      return `${event.visitor.company_id} visited ${event.site} of ${event.host_company_id}`;
    case "product_launched":
      return `${event.company_id} launched ${event.product} (${event.launched_on})`;
    case "price_announced":
      return `${event.product} ${event.variant ?? ""} in ${event.market}: ${event.from_price ? "from " : ""}${event.price.currency} ${event.price.amount}`;
    case "sales_reported":
      return `${event.company_id} sold ${event.units?.value ?? "?"} units in ${event.period}`;
    case "plan_announced":
      return `${event.company_id} plans ${event.description} by ${event.due}`;
    case "relationship_reported":
      return `${event.from_company_id} ${event.kind} ${event.to_company_id} (${event.status})`;
    case "market_position_reported":
      return `${event.company_ids.join(", ")}: ${event.position} in ${event.market}, ${event.region}`;
    case "results_reported":
      return `${event.company_id} ${event.status} results for ${event.period}: ${event.measures.map((m) => m.measure).join(", ")}`;
    case "orders_reported":
      return `${event.company_id} took ${event.count.value} ${event.kind} orders${event.product ? ` for ${event.product}` : ""}`;
    case "deliveries_reported":
      return `${event.company_id} delivered ${event.count.value}${event.period ? ` in ${event.period}` : ""}`;
    case "production_reported":
      return `${event.company_id} produced ${event.count.value}${event.period ? ` in ${event.period}` : ""}`;
    case "target_revised":
      return `${event.company_id} revised ${event.plan_id} to ${event.target.value} on ${event.revised_on}`;
    case "listing_completed":
      return `${event.company_id} listed on ${event.exchange} as ${event.ticker} on ${event.listed_on}`;
    case "capital_raised":
      return `${event.company_id} raised ${event.amount.currency} ${event.amount.amount} (${event.kind}) on ${event.raised_on}`;
    case "acquisition_announced":
      return `${event.acquirer_company_id} to acquire ${event.target_company_id} (announced ${event.announced_on})`;
    case "acquisition_completed":
      return `${event.acquirer_company_id} acquired ${event.target_company_id} on ${event.completed_on}`;
    case "acquisition_terminated":
      return `acquisition ${event.announcement_id} terminated on ${event.terminated_on}: ${event.reason}`;
    case "executive_appointed":
      return `${event.name} became ${event.role} of ${event.company_id} on ${event.effective_on}`;
    case "executive_departed":
      return `${event.person_id} left as ${event.role} of ${event.company_id} on ${event.effective_on}`;
    case "identifier_added":
      return `${event.company_id} is ${event.value} (${event.scheme}${event.exchange ? ` on ${event.exchange}` : ""})`;
    case "company_renamed":
      return `${event.company_id} is named ${event.name} from ${event.effective_on}`;
    case "profile_updated":
      return `${event.company_id} profile: +${event.sectors_added.join(", ")} +${event.aliases_added.join(", ")}`;
    case "evidence_added":
      return `${event.sources.length} more source(s) for ${event.event_id}`;
    case "event_retracted":
      return `${event.event_id} retracted: ${event.reason}`;
    default: {
      const unhandled: never = event;
      return unhandled;
    }
  }
}

async function problemOrThrow(response: Response): Promise<never> {
  const problem = (await response.json()) as Problem;
  throw new Error(`${problem.status} ${problem.title}: ${problem.detail}`);
}

export async function appendEvent(base: string, event: NewEvent): Promise<StoredEvent> {
  const response = await fetch(`${base}/events`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(event),
  });
  if (response.status !== 200 && response.status !== 201) return problemOrThrow(response);
  return (await response.json()) as StoredEvent;
}

export async function* readLog(base: string, after = 0): AsyncGenerator<StoredEvent> {
  for (;;) {
    const response = await fetch(`${base}/events?after=${after}&limit=100`);
    if (!response.ok) return problemOrThrow(response);
    const page = (await response.json()) as EventPage;
    yield* page.items;
    if (page.items.length === 0) return;
    after = page.next_after;
  }
}

export async function dossier(base: string, companyId: string): Promise<Dossier> {
  const response = await fetch(`${base}/companies/${encodeURIComponent(companyId)}`);
  if (!response.ok) return problemOrThrow(response);
  return (await response.json()) as Dossier;
}

export async function headlines(base: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const stored of readLog(base)) lines.push(`#${stored.position} ${headline(stored.event)}`);
  return lines;
}
