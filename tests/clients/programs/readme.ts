// The README's request bodies, typed with the generated `Event` that ./event.ts re-exports: each
// generator's test writes that one line, so these literals must compile against every generator's
// types under --strict. Fields with defaults (id, certainty, note, url, published_on, approximate, ...)
// are left out where the README leaves them out.
import type { Event } from "./event";

export const BASE_URL: string = process.env.TIDINGS_URL ?? "http://127.0.0.1:8000";
export const TOKEN: string | undefined = process.env.TIDINGS_KEY || undefined;

/** "Try it with curl": the sales figure appended with an id of the client's choosing. */
export function salesReported(id: string): Event {
  return {
    type: "sales_reported",
    id,
    company_id: "xiaomi",
    period: "2025",
    units: { value: 410000, approximate: true },
    sources: [{ title: "Xiaomi annual report", publisher: "Xiaomi", language: "en" }],
  };
}

/** The README's example of a refused body: a period that is no period (and a company never registered). */
export const badPeriod: Event = {
  type: "sales_reported",
  company_id: "tesla",
  period: "2025-13",
  units: { value: 1 },
  sources: [{ title: "t", publisher: "p", language: "en" }],
};

/** The README's If-Match example: appended to one company, no id. */
export const productLaunched: Event = {
  type: "product_launched",
  company_id: "xiaomi",
  product: "YU7",
  category: "electric vehicle",
  launched_on: "2025-06",
  sources: [{ title: "t", publisher: "p", language: "en" }],
};

/** A fresh UUID for an event id (any UUID will do). */
export function newId(): string {
  return crypto.randomUUID();
}

/** What a smoke program saw, printed as one JSON line for the pytest test to assert on. */
export interface Observed {
  appended: { status: number; location: string | null; position: number; id: string | null };
  readBack: { type: string; id: string | null; units: number | null };
  dossier: { name: string; version: number };
  pagedPositions: number[];
  launched: { status: number; version: number };
  problem: { status: number; paths: string[] };
  stream: string;
}

export function report(observed: Observed): void {
  console.log(JSON.stringify(observed));
}
