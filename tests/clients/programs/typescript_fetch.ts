// The typescript-fetch client of openapi-generator with its default options (./api): model classes
// with camelCase properties and JSON converters. The README's bodies, as the JSON they are, go through
// its EventFromJSON; then the same calls as the other programs.
import { CompaniesApi, Configuration, EventFromJSON, EventsApi, ResponseError } from "./api";
import { BASE_URL, TOKEN, badPeriod, newId, productLaunched, report, salesReported } from "./readme";

const config = new Configuration({ basePath: BASE_URL, accessToken: TOKEN });
const events = new EventsApi(config);
const companies = new CompaniesApi(config);

async function problemOf(call: Promise<unknown>): Promise<{ status: number; paths: string[] }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ResponseError) {
      const problem = (await error.response.json()) as { status: number; errors?: { path: string }[] };
      return { status: problem.status, paths: (problem.errors ?? []).map((e) => e.path) };
    }
    throw error;
  }
  throw new Error("a period 2025-13 was accepted");
}

async function main(): Promise<void> {
  const id = newId();
  const appendedRaw = await events.appendEventRaw({ event: EventFromJSON(salesReported(id)) });
  const appended = await appendedRaw.value();

  const event = (await events.getEvent({ eventId: id })).event;
  const dossier = await companies.getCompany({ companyId: "xiaomi" });

  const pagedPositions: number[] = [];
  for (let after = 0; ; ) {
    const page = await events.listEvents({ after, limit: 7 });
    if (page.items.length === 0) break;
    pagedPositions.push(...page.items.map((stored) => stored.position));
    after = page.nextAfter;
  }

  const launchedRaw = await events.appendCompanyEventRaw({
    companyId: "xiaomi",
    ifMatch: `"${dossier.version}"`,
    event: EventFromJSON(productLaunched),
  });
  const after = await companies.getCompany({ companyId: "xiaomi" });

  const problem = await problemOf(events.appendEvent({ event: EventFromJSON(badPeriod) }));
  const stream = await events.streamEvents({ after: appended.position - 1, until: "now" });

  report({
    appended: {
      status: appendedRaw.raw.status,
      location: appendedRaw.raw.headers.get("location"),
      position: appended.position,
      id: appended.event.id ?? null,
    },
    readBack: {
      type: event.type,
      id: event.id ?? null,
      units: event.type === "sales_reported" ? (event.units?.value ?? null) : null,
    },
    dossier: { name: dossier.profile.name, version: dossier.version },
    pagedPositions,
    launched: { status: launchedRaw.raw.status, version: after.version },
    problem,
    stream,
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
