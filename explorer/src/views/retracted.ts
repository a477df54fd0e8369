// Retracted events for the timeline. GET /companies/{id}/timeline leaves retracted facts out; the log
// (GET /events?company=…) still lists them with the retraction that withdrew them. The log has no
// at_position/as_of/known_on, so the read point is applied here: an event shows as retracted where both
// it and its retraction were recorded at or before the point and, with known_on, one of the event's
// sources had been published by that day (as the company reads count it: a partial date from its last
// day, an undated source from the day Tidings recorded it).
import { get, type ReadPoint, type Schemas } from "../api";

type Stored = Schemas["StoredEvent"];

export interface RetractedRow {
  occurred_on: string;
  dated_by: string;
  stored: Stored;
}

const OWN_DATES = ["occurred_on", "period", "launched_on", "listed_on", "announced_on", "raised_on", "effective_on"];

function known(position: number, recordedAt: string, point: ReadPoint): boolean {
  if (point.at_position !== undefined) return position <= point.at_position;
  if (point.as_of) return Date.parse(recordedAt) <= Date.parse(point.as_of);
  return true;
}

/** The last day a (possibly partial) publication date covers: 2025-03 → 2025-03-31, 2025 → 2025-12-31. */
function lastDay(published: string): string {
  if (published.length === 4) return `${published}-12-31`;
  if (published.length === 7) {
    const [year, month] = published.split("-").map(Number);
    return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
  }
  return published.slice(0, 10);
}

function published(stored: Stored, knownOn: string | undefined): boolean {
  if (!knownOn) return true;
  return stored.event.sources.some((s) => (s.published_on ? lastDay(s.published_on) : stored.recorded_at.slice(0, 10)) <= knownOn);
}

function dated(stored: Stored): { occurred_on: string; dated_by: string } {
  const event = stored.event as unknown as Record<string, unknown>;
  for (const field of OWN_DATES) {
    if (typeof event[field] === "string") return { occurred_on: event[field] as string, dated_by: "event" };
  }
  const published = stored.event.sources.find((s) => s.published_on)?.published_on;
  if (published) return { occurred_on: published, dated_by: "source" };
  return { occurred_on: stored.recorded_at.slice(0, 10), dated_by: "recorded" };
}

export async function retractedEvents(companyId: string, point: ReadPoint): Promise<RetractedRow[]> {
  const log = await get("/events", { company: companyId, limit: 1000 });
  return log.items
    .filter((stored) => stored.retracted && known(stored.position, stored.recorded_at, point) && published(stored, point.known_on))
    .filter((stored) => stored.retracted && known(stored.retracted.position, stored.retracted.recorded_at, point))
    .map((stored) => ({ ...dated(stored), stored }));
}
