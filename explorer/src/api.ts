// The public API, typed by src/openapi.d.ts (generated from ../openapi.yaml by openapi-typescript):
// a change of shape there fails `tsc` here. The key comes from the page's key field, kept in
// sessionStorage only; the read point (at_position / as_of, and known_on where the API takes it) is
// added to every read that takes it.
import type { components, paths } from "./openapi";

export type Schemas = components["schemas"];

type Gettable = { [P in Extract<keyof paths, string>]: paths[P] extends { get: { responses: { 200: unknown } } } ? P : never }[Extract<keyof paths, string>];
type Ok<P extends Gettable> = paths[P] extends {
  get: { responses: { 200: { content: { "application/json": infer Body } } } };
}
  ? Body
  : never;

const KEY = "tidings.key";

export function savedKey(): string {
  return sessionStorage.getItem(KEY) ?? "";
}

export function saveKey(key: string): void {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

export interface ReadPoint {
  at_position?: number;
  as_of?: string;
  /** YYYY-MM-DD: only what had been published by the end of that day. */
  known_on?: string;
}

type Query<P extends Gettable> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? NonNullable<Q> : never;
type Taking<Name extends string> = {
  [P in Gettable]: [Query<P>] extends [never] ? never : Name extends keyof Query<P> ? P : never;
}[Gettable];

// The reads that take known_on, per openapi.yaml; any other read answers 422 to it, so it is sent only
// to these. The type makes tsc name a read missing here or listed without taking it.
const TAKES_KNOWN_ON: Record<Taking<"known_on">, true> = {
  "/companies/{company_id}": true,
  "/companies/{company_id}/timeline": true,
  "/companies/{company_id}/meetings": true,
  "/companies/{company_id}/sales": true,
  "/companies/{company_id}/results": true,
  "/companies/{company_id}/orders": true,
  "/companies/{company_id}/deliveries": true,
  "/companies/{company_id}/production": true,
  "/companies/{company_id}/products": true,
  "/companies/{company_id}/plans": true,
  "/companies/{company_id}/relationships": true,
  "/companies/{company_id}/conflicts": true,
  "/conflicts": true,
  "/graph": true,
};

export function takesKnownOn(path: Gettable): boolean {
  return path in TAKES_KNOWN_ON;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { title?: string; detail?: string },
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** GET a documented path: ``path`` is the template, ``params`` fills ``{...}`` and the query, ``point``
 * the read point (its known_on only where the path takes it). */
export async function get<P extends Gettable>(
  path: P,
  params: Record<string, string | number | undefined> = {},
  point: ReadPoint = {},
): Promise<Ok<P>> {
  const query = new URLSearchParams();
  const url = (path as string).replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    delete params[name];
    return encodeURIComponent(String(value));
  });
  const { known_on, ...recorded } = point;
  const applied = takesKnownOn(path) ? { ...recorded, known_on } : recorded;
  for (const [name, value] of Object.entries({ ...params, ...applied })) {
    if (value !== undefined && value !== "") query.set(name, String(value));
  }
  const headers: Record<string, string> = { Accept: "application/json" };
  const key = savedKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(query.size ? `${url}?${query}` : url, { headers });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new ApiError(response.status, problem);
  }
  return (await response.json()) as Ok<P>;
}
