// The conflicts view: every fact on which sources disagree (GET /conflicts), with the claims side by side.
import { get } from "../api";
import { h, link, section, table } from "../dom";
import { currentPoint, withPoint } from "../readpoint";

interface Claim {
  certainty: string;
  source_count: number;
  position: number;
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
        ["Company", "Kind", "Claims", "Latest position"],
        answer.items.map((conflict) => {
          // One field of a conflict holds the disputed fact (sales, plan, relationship, ...), all with claims.
          const fact = Object.values(conflict as Record<string, unknown>).find(
            (value) => typeof value === "object" && value !== null && "claims" in value,
          ) as { claims: Claim[] } | undefined;
          const claims = fact?.claims ?? [];
          return [
            link(withPoint(`/explore/companies/${conflict.company_id}`), conflict.company_id),
            conflict.kind.replace(/_/g, " "),
            h("ul", {}, claims.map((c) => h("li", {}, `position ${c.position}: ${c.certainty}, ${c.source_count} source(s)`))),
            conflict.latest_position,
          ];
        }),
      ),
    ),
  );
}
