// The person view: roles at companies and the meetings and visits the person took part in.
import { get } from "../api";
import { h, link, section, table } from "../dom";
import { currentPoint, knownOnNotApplied, withPoint } from "../readpoint";

export async function personView(personId: string): Promise<HTMLElement> {
  const person = await get("/people/{person_id}", { person_id: personId }, currentPoint());
  const company = (cid: string) => link(withPoint(`/explore/companies/${cid}`), cid);
  return h(
    "div",
    {},
    h("h1", {}, person.name ?? personId),
    knownOnNotApplied(),
    section(
      "Roles",
      table("Roles", ["Company", "Role", "Certainty", "Sources"], person.roles.map((r) => [company(r.company_id), r.role + (r.disputed ? " ⚠ disputed" : ""), r.certainty, r.source_count])),
    ),
    section(
      "Meetings and visits",
      table(
        "Meetings and visits",
        ["Occurred", "Kind", "Role", "With", "Occasion", "Certainty"],
        person.meetings.map((m) => [
          h("time", {}, m.occurred_on),
          m.kind.replace(/_/g, " "),
          m.role,
          h("span", {}, m.counterparties.flatMap((cid, i) => [i ? ", " : "", company(cid)])),
          m.occasion ?? "—",
          m.certainty,
        ]),
      ),
    ),
  );
}
