// The SDK @hey-api/openapi-ts generates with its default plugins (./sdk: types, SDK functions and its
// bundled fetch client): the README's calls, a typed problem, and the stream through its SSE client.
import { createClient } from "./sdk/client";
import { appendCompanyEvent, appendEvent, getCompany, getEvent, listEvents, streamEvents } from "./sdk";
import { BASE_URL, TOKEN, badPeriod, newId, productLaunched, report, salesReported } from "./readme";

const client = createClient({ baseUrl: BASE_URL, auth: TOKEN });

async function main(): Promise<void> {
  const id = newId();
  const appended = await appendEvent({ client, body: salesReported(id) });
  if (!appended.data) throw new Error(`append: ${JSON.stringify(appended.error)}`);

  const read = await getEvent({ client, path: { event_id: id } });
  if (!read.data) throw new Error(`read back: ${JSON.stringify(read.error)}`);
  const event = read.data.event;

  const dossier = await getCompany({ client, path: { company_id: "xiaomi" } });
  if (!dossier.data) throw new Error(`dossier: ${JSON.stringify(dossier.error)}`);

  const pagedPositions: number[] = [];
  for (let after = 0; ; ) {
    const page = await listEvents({ client, query: { after, limit: 7 } });
    if (!page.data) throw new Error(`page: ${JSON.stringify(page.error)}`);
    if (page.data.items.length === 0) break;
    pagedPositions.push(...page.data.items.map((stored) => stored.position));
    after = page.data.next_after;
  }

  const launched = await appendCompanyEvent({
    client,
    path: { company_id: "xiaomi" },
    headers: { "If-Match": `"${dossier.data.version}"` },
    body: productLaunched,
  });
  if (!launched.data) throw new Error(`If-Match append: ${JSON.stringify(launched.error)}`);
  const after = await getCompany({ client, path: { company_id: "xiaomi" } });

  const refused = await appendEvent({ client, body: badPeriod });
  if (!refused.error) throw new Error("a period 2025-13 was accepted");

  // Its SSE client parses each frame; with until=now the server ends the stream after the replay.
  const frames: string[] = [];
  const { stream } = await streamEvents({
    client,
    query: { after: appended.data.position - 1, until: "now" },
    sseMaxRetryAttempts: 1,
    onSseEvent: (frame) => {
      // Called for the retry hint and comments too; a frame of the log has an event name. Its data
      // comes JSON-parsed (a StoredEvent), though typed as the schema's string.
      if (frame.event !== undefined) frames.push(`id: ${frame.id}\nevent: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n`);
    },
  });
  for await (const _ of stream) {
    // onSseEvent collects each frame with its id and event name.
  }

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
    stream: frames.join("\n"),
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
