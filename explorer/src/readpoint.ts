// The time control: one read point (at_position or as_of) kept in the page's query string, so that
// it applies to every view and survives navigation and reload.
import { get, type ReadPoint } from "./api";
import { h } from "./dom";

export function currentPoint(): ReadPoint {
  const query = new URLSearchParams(location.search);
  const at = query.get("at_position");
  const asOf = query.get("as_of");
  if (at !== null && /^\d+$/.test(at)) return { at_position: Number(at) };
  if (asOf) return { as_of: asOf };
  return {};
}

/** ``href`` with the current read point appended, for links between views. */
export function withPoint(href: string): string {
  const point = currentPoint();
  const url = new URL(href, location.origin);
  if (point.at_position !== undefined) url.searchParams.set("at_position", String(point.at_position));
  if (point.as_of) url.searchParams.set("as_of", point.as_of);
  return url.pathname + url.search;
}

export function setPoint(point: ReadPoint, navigate: (href: string) => void): void {
  const url = new URL(location.href);
  url.searchParams.delete("at_position");
  url.searchParams.delete("as_of");
  if (point.at_position !== undefined) url.searchParams.set("at_position", String(point.at_position));
  if (point.as_of) url.searchParams.set("as_of", point.as_of);
  navigate(url.pathname + url.search);
}

/** The control: a slider over the log's positions (0 … head), a date for as_of, and "latest". */
export async function timeControl(navigate: (href: string) => void): Promise<HTMLElement> {
  const ready = await get("/ready");
  const head = ready.last_position;
  const point = currentPoint();
  const at = point.at_position ?? head;
  const output = h("output", { id: "at-output", for: "at-position" }, describe(point, head));
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
    output.textContent = describe({ at_position: Number(slider.value) }, head);
  });
  slider.addEventListener("change", () => {
    const value = Number(slider.value);
    setPoint(value >= head ? {} : { at_position: value }, navigate);
  });
  const date = h("input", { id: "as-of", type: "date", value: point.as_of ? point.as_of.slice(0, 10) : "" });
  date.addEventListener("change", () => {
    setPoint(date.value ? { as_of: `${date.value}T23:59:59Z` } : {}, navigate);
  });
  const latest = h("button", { type: "button", onclick: () => setPoint({}, navigate) }, "Latest");
  return h(
    "fieldset",
    { class: "time" },
    h("legend", {}, "Read point"),
    h("label", { for: "at-position" }, "Log position"),
    slider,
    output,
    h("label", { for: "as-of" }, "As known on (recorded by end of day, UTC)"),
    date,
    latest,
  );
}

function describe(point: ReadPoint, head: number): string {
  if (point.as_of) return `as known at ${point.as_of}`;
  if (point.at_position === undefined || point.at_position >= head) return `latest (position ${head})`;
  return `position ${point.at_position} of ${head}`;
}
