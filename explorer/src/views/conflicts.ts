// The conflicts view: every fact on which sources disagree (GET /conflicts), with the claims side by side.
import { get } from "../api";
import { formatNumber, h, link, section, table } from "../dom";
import { currentPoint, withPoint } from "../readpoint";

interface Claim {
  certainty: string;
  source_count: number;
  position: number;
  sources: { publisher: string }[];
  [field: string]: unknown;
}

interface Fact {
  claims: Claim[];
  [field: string]: unknown;
}

// Fields every claim has; what is left is what the claim says (a figure, a status, a role, ...).
const COMMON = new Set(["position", "event_id", "certainty", "sources", "source_count", "attributed_to", "note", "publishers", "published_on"]);
// Fields of the fact that say which fact it is (the period of a figure, the plan, the counterparty).
const WHICH = ["period", "granularity", "product", "measure", "plan_id", "counterparty", "kind", "person_id", "due"];

function said(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value !== "object") return typeof value === "number" ? formatNumber(value) : String(value);
  const record = value as Record<string, unknown>;
  if ("value" in record) return `${formatNumber(record.value as string)}${record.currency ? ` ${record.currency}` : ""}${record.approximate ? " (approx.)" : ""}`;
  if ("amount" in record) return `${formatNumber(record.amount as string)} ${record.currency}${record.approximate ? " (approx.)" : ""}`;
  if (Array.isArray(value)) return value.map(said).join(", ");
  return JSON.stringify(value);
}

function claimText(claim: Claim): string {
  const what = Object.entries(claim)
    .filter(([field, value]) => !COMMON.has(field) && value !== null)
    .map(([field, value]) => `${field.replace(/_/g, " ")} ${said(value)}`)
    .join(", ");
  const publishers = [...new Set(claim.sources.map((s) => s.publisher))].join("; ");
  return `${what || "—"} — ${claim.certainty}, ${publishers} (position ${claim.position})`;
}

export async function conflictsView(): Promise<HTMLElement> {
  const answer = await get("/conflicts", { limit: 1000 }, currentPoint());
  return h(
    "div",
    {},
    h("h1", {}, "Conflicts"),
    section(
      "Where sources disagree",
      table(
        "Conflicts",
        ["Company", "Kind", "Which", "Claims", "Latest position"],
        answer.items.map((conflict) => {
          // One field of a conflict holds the disputed fact (sales, plan, relationship, ...), all with claims.
          const fact = Object.values(conflict as Record<string, unknown>).find(
            (value) => typeof value === "object" && value !== null && "claims" in value,
          ) as Fact | undefined;
          const claims = fact?.claims ?? [];
          return [
            link(withPoint(`/explore/companies/${conflict.company_id}`), conflict.company_id),
            conflict.kind.replace(/_/g, " "),
            WHICH.filter((field) => fact && fact[field] !== null && fact[field] !== undefined)
              .map((field) => `${field.replace(/_/g, " ")} ${said(fact?.[field])}`)
              .join(", ") || "—",
            h("ul", {}, claims.map((c) => h("li", {}, claimText(c)))),
            conflict.latest_position,
          ];
        }),
      ),
    ),
  );
}
