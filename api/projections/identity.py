"""Identity projection: a company's identifiers, renames and profile updates, and the profile they make.

``identifier_added``, ``company_renamed`` and ``profile_updated`` change a company's profile without
restating it (a second ``company_registered`` is refused). Their rows go to ``identifier``, ``rename``
and ``profile_update``; ``current`` applies them to the registration: updates in the order recorded,
renames by effective date as of the read's day, so a profile read before a rename took effect shows
the old name.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.registry import Projection
from api.projections.row import Row
from schema import stored
from schema.codec import encode
from schema.events import CompanyRegistered, CompanyRenamed, IdentifierAdded, ProfileUpdated, StoredEvent
from schema.profiles import FormerName, Identifier, ProfileChange, Renaming

__all__ = ["PROJECTION", "VIEWS", "Current", "current", "renamed", "rows"]

IDENTIFIER, RENAME, UPDATE = "identifier", "rename", "profile_update"
VIEWS = (IDENTIFIER, RENAME, UPDATE)


def rows(stored: StoredEvent) -> list[Row]:
    event = stored.event
    facts = fact_fields(stored)
    match event:
        case IdentifierAdded():
            item = Identifier(
                **facts, scheme=event.scheme, value=event.value, exchange=event.exchange, language=event.language
            )
            return [Row(IDENTIFIER, event.company_id, stored.position, event.scheme, event.value, encode(item))]
        case CompanyRenamed():
            renaming = Renaming(
                **facts, name=event.name, effective_on=event.effective_on, previous_name=event.previous_name
            )
            return [Row(RENAME, event.company_id, stored.position, "", event.effective_on, encode(renaming))]
        case ProfileUpdated():
            change = ProfileChange(
                **facts,
                sectors_added=list(event.sectors_added),
                sectors_removed=list(event.sectors_removed),
                aliases_added=list(event.aliases_added),
                aliases_removed=list(event.aliases_removed),
                country=event.country,
            )
            return [Row(UPDATE, event.company_id, stored.position, "", "", encode(change))]
        case _:
            return []


@dataclass(frozen=True, slots=True)
class Current:
    """The profile's fields that identity events change, as of a read."""

    name: str
    aliases: list[str]
    country: str
    sectors: list[str]
    identifiers: list[Identifier]
    former_names: list[FormerName]


def _changed(values: list[str], added: list[str], removed: list[str]) -> list[str]:
    gone = {value.casefold() for value in removed}
    kept = [value for value in values if value.casefold() not in gone]
    have = {value.casefold() for value in kept}
    return kept + [value for value in dict.fromkeys(added) if value.casefold() not in have]


def current(data: CompanyRows, own: CompanyRegistered) -> Current:
    """The registration ``own`` with the company's updates applied and the name in effect on the read's day."""
    aliases, sectors, country = list(own.aliases), list(own.sectors), own.country
    for change in sorted(data.facts(UPDATE, ProfileChange), key=lambda c: c.position):
        aliases = _changed(aliases, change.aliases_added, change.aliases_removed)
        sectors = _changed(sectors, change.sectors_added, change.sectors_removed)
        country = change.country or country
    name, former = _named(own.name, data.facts(RENAME, Renaming), data.at_time.date().isoformat())
    identifiers: dict[tuple[str, str, str | None, str | None], Identifier] = {}
    for found in sorted(data.facts(IDENTIFIER, Identifier), key=lambda i: i.position):
        identifiers.setdefault((found.scheme, found.value.casefold(), found.exchange, found.language), found)
    return Current(name, aliases, country, sectors, list(identifiers.values()), former)


def _named(registered: str, renames: list[Renaming], on: str) -> tuple[str, list[FormerName]]:
    """The name in effect on the day ``on`` and the names before it, from the registered name and the renames."""
    ordered = sorted(renames, key=lambda r: (r.effective_on, r.position))
    name = registered
    if ordered and ordered[0].previous_name is not None:
        name = ordered[0].previous_name  # the registration may give the name that came later
    former: list[FormerName] = []
    for renaming in (r for r in ordered if r.effective_on <= on):
        before = renaming.previous_name or name
        if before != renaming.name:
            facts = {key: getattr(renaming, key) for key in _FACT_FIELDS}
            former.append(FormerName(**facts, name=before, until=renaming.effective_on))
        name = renaming.name
    return name, former


_renaming = stored.decoder(Renaming)


def renamed(
    registrations: dict[str, CompanyRegistered], rows: list[tuple[str, bytes]], on: str
) -> dict[str, CompanyRegistered]:
    """The registrations with the name in effect on the day ``on``, from the ``rename`` rows (company, item)
    valid at the read: what every other company's dossier, the company list and the graph show."""
    found: dict[str, list[Renaming]] = {}
    for company, item in rows:
        found.setdefault(company, []).append(_renaming.decode(item))
    result = dict(registrations)
    for company, renames in found.items():
        own = registrations.get(company)
        if own is not None:
            name, _ = _named(own.name, renames, on)
            result[company] = msgspec.structs.replace(own, name=name)
    return result


_FACT_FIELDS = ("position", "event_id", "certainty", "sources", "source_count", "attributed_to", "note")

PROJECTION = Projection(
    "identity",
    writes=VIEWS,
    fold=lambda stored, _, __: rows(stored),
    handles=(IdentifierAdded, CompanyRenamed, ProfileUpdated),
)
