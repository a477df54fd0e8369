// The time control: one read point kept in the page's query string, so that it applies to every view and
// survives navigation and reload. Two axes: what Tidings had recorded (at_position or as_of) and what had
// been published (known_on); they combine, except that known_on may not be after as_of's day (a 422).
import { get, type ReadPoint } from "./api";
import { h } from "./dom";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const PARAMS = ["at_position", "as_of", "known_on"] as const;

/** The UTC day of an RFC 3339 moment, or undefined when it does not parse. */
function dayOf(moment: string): string | undefined {
  const time = Date.parse(moment);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString().slice(0, 10);
}

/** ``point`` with known_on brought back to as_of's day when it is later (the API refuses that pair). */
function consistent(point: ReadPoint): ReadPoint {
  const asOfDay = point.as_of ? dayOf(point.as_of) : undefined;
  if (point.known_on && asOfDay && point.known_on > asOfDay) return { ...point, known_on: asOfDay };
  return point;
}

export function currentPoint(): ReadPoint {
  const query = new URLSearchParams(location.search);
  const at = query.get("at_position");
  const asOf = query.get("as_of");
  const knownOn = query.get("known_on");
  const point: ReadPoint = {};
  if (at !== null && /^\d+$/.test(at)) point.at_position = Number(at);
  else if (asOf) point.as_of = asOf;
  if (knownOn && DAY.test(knownOn)) point.known_on = knownOn;
  return consistent(point);
}

function withParams(url: URL, point: ReadPoint): string {
  for (const name of PARAMS) url.searchParams.delete(name);
  if (point.at_position !== undefined) url.searchParams.set("at_position", String(point.at_position));
  if (point.as_of) url.searchParams.set("as_of", point.as_of);
  if (point.known_on) url.searchParams.set("known_on", point.known_on);
  return url.pathname + url.search;
}

/** ``href`` with the current read point appended, for links between views. */
export function withPoint(href: string): string {
  return withParams(new URL(href, location.origin), currentPoint());
}

export function setPoint(point: ReadPoint, navigate: (href: string) => void): void {
  navigate(withParams(new URL(location.href), consistent(point)));
}

/**
 * The control: a slider over the log's positions (0 … head) and a date for as_of (what Tidings had
 * recorded), a date for known_on (what had been published), and "latest".
 */
export async function timeControl(navigate: (href: string) => void): Promise<HTMLElement> {
  const ready = await get("/ready");
  const head = ready.last_position;
  const point = currentPoint();
  const known = point.known_on ? { known_on: point.known_on } : {};
  const at = point.at_position ?? head;
  const output = h("output", { id: "at-output", for: "at-position known-on" }, describe(point, head));
  const slider = h("input", {
    id: "at-position",
    type: "range",
    min: "0",
    max: String(head),
    step: "1",
    value: String(Math.min(at, head)),
    "aria-describedby": "at-output",
  });
  slider.addEventListener("input", () => {
    output.textContent = describe({ ...known, at_position: Number(slider.value) }, head);
  });
  slider.addEventListener("change", () => {
    const value = Number(slider.value);
    setPoint(value >= head ? known : { ...known, at_position: value }, navigate);
  });
  const asOfDay = point.as_of ? dayOf(point.as_of) : undefined;
  const date = h("input", { id: "as-of", type: "date", value: asOfDay ?? "" });
  date.addEventListener("change", () => {
    setPoint(date.value ? { ...known, as_of: `${date.value}T23:59:59Z` } : known, navigate);
  });
  const knownOn = h("input", {
    id: "known-on",
    type: "date",
    value: point.known_on ?? "",
    "aria-describedby": "known-on-note",
    ...(asOfDay ? { max: asOfDay } : {}),
  });
  knownOn.addEventListener("change", () => {
    const { known_on: _, ...recorded } = point;
    setPoint(knownOn.value ? { ...recorded, known_on: knownOn.value } : recorded, navigate);
  });
  const latest = h("button", { type: "button", onclick: () => setPoint({}, navigate) }, "Latest");
  return h(
    "fieldset",
    { class: "time" },
    h("legend", {}, "Read point"),
    // Each label stays with its control when the line wraps.
    h("span", { class: "field" }, h("label", { for: "at-position" }, "Log position"), slider, output),
    h("span", { class: "field" }, h("label", { for: "as-of" }, "As recorded by (end of day, UTC)"), date),
    h(
      "span",
      { class: "field" },
      h("label", { for: "known-on" }, "Known on (published by end of day)"),
      knownOn,
      h("span", { id: "known-on-note", class: "note" }, "company, conflict and graph views"),
    ),
    latest,
  );
}

function describe(point: ReadPoint, head: number): string {
  const recorded =
    point.as_of
      ? `as recorded at ${point.as_of}`
      : point.at_position === undefined || point.at_position >= head
        ? `latest (position ${head})`
        : `position ${point.at_position} of ${head}`;
  return point.known_on ? `${recorded}, published by ${point.known_on}` : recorded;
}

/** For a view whose reads do not take known_on (search, a person): say that the date is not applied. */
export function knownOnNotApplied(): HTMLElement | null {
  const { known_on } = currentPoint();
  if (!known_on) return null;
  return h("p", { class: "note", role: "note" }, `“Known on ${known_on}” does not apply to this view: its reads take only the log position or the recorded date.`);
}
