// openapi-fetch over the types openapi-typescript generates with its default options (./tidings.ts):
// append the README's event, read it back, read the company's dossier, page /events, append to one
// company with If-Match, get a typed problem, and read the stream bounded, as text.
import createClient from "openapi-fetch";
import type { paths } from "./tidings";
import { BASE_URL, TOKEN, badPeriod, newId, productLaunched, report, salesReported } from "./readme";

// Some operations answer more than JSON (CloudEvents, GraphML): this client reads JSON and problems.
const client = createClient<paths, "application/json" | "application/problem+json">({
  baseUrl: BASE_URL,
  headers: TOKEN ? { Authorization: `Bearer ${TOKEN}` } : {},
});

async function main(): Promise<void> {
  const id = newId();
  const appended = await client.POST("/events", { body: salesReported(id) });
  if (!appended.data) throw new Error(`append: ${JSON.stringify(appended.error)}`);

  const read = await client.GET("/events/{event_id}", { params: { path: { event_id: id } } });
  if (!read.data) throw new Error(`read back: ${JSON.stringify(read.error)}`);
  const event = read.data.event;

  const dossier = await client.GET("/companies/{company_id}", { params: { path: { company_id: "xiaomi" } } });
  if (!dossier.data) throw new Error(`dossier: ${JSON.stringify(dossier.error)}`);

  const pagedPositions: number[] = [];
  for (let after = 0; ; ) {
    const page = await client.GET("/events", { params: { query: { after, limit: 7 } } });
    if (!page.data) throw new Error(`page: ${JSON.stringify(page.error)}`);
    if (page.data.items.length === 0) break;
    pagedPositions.push(...page.data.items.map((stored) => stored.position));
    after = page.data.next_after;
  }

  const launched = await client.POST("/companies/{company_id}/events", {
    params: { path: { company_id: "xiaomi" }, header: { "If-Match": `"${dossier.data.version}"` } },
    body: productLaunched,
  });
  if (!launched.data) throw new Error(`If-Match append: ${JSON.stringify(launched.error)}`);
  const after = await client.GET("/companies/{company_id}", { params: { path: { company_id: "xiaomi" } } });

  const refused = await client.POST("/events", { body: badPeriod });
  if (!refused.error) throw new Error("a period 2025-13 was accepted");

  // openapi-fetch parses every body as JSON unless told otherwise: the stream is text.
  const stream = await client.GET("/events/stream", {
    params: { query: { after: appended.data.position - 1, until: "now" } },
    parseAs: "text",
  });
  if (stream.data === undefined) throw new Error(`stream: ${stream.response.status}`);

  report({
    appended: {
      status: appended.response.status,
      location: appended.response.headers.get("location"),
      position: appended.data.position,
      id: appended.data.event.id ?? null,
    },
    readBack: {
      type: event.type,
      id: event.id ?? null,
      units: event.type === "sales_reported" ? (event.units?.value ?? null) : null,
    },
    dossier: { name: dossier.data.profile.name, version: dossier.data.version },
    pagedPositions,
    launched: { status: launched.response.status, version: after.data?.version ?? -1 },
    problem: { status: refused.error.status, paths: (refused.error.errors ?? []).map((e) => e.path) },
    stream: stream.data,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
