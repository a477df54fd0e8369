"""Deals: announced acquisitions pending on every party's dossier, and the parent a completed one makes.

An ``acquisition_announced`` writes a ``deal`` row to each party (acquirer, target, sellers). A
completion or termination writes a ``deal_end`` row to each company it touches (its own and, through
``announcement_id``, the announcement's parties): the deal is pending until one is valid at the read's
point. A completion of more than 50 % (or of the whole company) writes ``owned_by`` to the target,
``holding`` to the acquirer and ``divested`` to the other parties (the sellers): the profile reads
them for the parent and the subsidiaries, from the completion's date on.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from api.projections.claims import claim_fields, resolve
from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.listings import money_agrees
from api.projections.registry import Projection
from api.projections.row import Row
from schema import stored
from schema.base import Certainty
from schema.codec import encode
from schema.dossiers import Deal, DealClaim, DealRole
from schema.events import AcquisitionAnnounced, AcquisitionCompleted, AcquisitionTerminated, StoredEvent

__all__ = ["PROJECTION", "VIEWS", "Ownership", "deals", "ownership", "pending", "referenced", "rows", "subsidiaries"]

VIEWS = ("deal", "deal_end", "owned_by", "holding", "divested")
"""What a read of deals or of the parent needs."""

_MAJORITY = Decimal(50)


class Ownership(msgspec.Struct, frozen=True):
    """A change of control by a completed acquisition, as a row of ``owned_by``, ``holding`` or ``divested``."""

    position: int
    acquirer_company_id: str
    target_company_id: str
    completed_on: str
    certainty: Certainty = "reported"
    source_count: int = 1
    event_id: str = ""


def _end_key(event: AcquisitionCompleted | AcquisitionTerminated) -> str:
    """What a completion or termination ends: its announcement, or (a completion naming none) the pair."""
    if event.announcement_id is not None:
        return str(event.announcement_id)
    assert isinstance(event, AcquisitionCompleted)
    return f"{event.acquirer_company_id} {event.target_company_id}"


def rows(stored: StoredEvent, touched: tuple[str, ...]) -> list[Row]:
    event = stored.event
    position = stored.position
    match event:
        case AcquisitionAnnounced():
            parties: dict[str, DealRole] = {event.acquirer_company_id: "acquirer", event.target_company_id: "target"}
            for seller in event.seller_ids:
                parties.setdefault(seller, "seller")
            return [
                Row("deal", company, position, str(event.id), event.announced_on, encode(_deal(stored, event, role)))
                for company, role in parties.items()
            ]
        case AcquisitionCompleted():
            found = [Row("deal_end", c, position, _end_key(event), event.completed_on, b"") for c in touched]
            if event.stake_percent is None or Decimal(event.stake_percent) > _MAJORITY:
                owned = encode(
                    Ownership(position, event.acquirer_company_id, event.target_company_id, event.completed_on)
                )
                for company in touched:
                    view = (
                        "owned_by"
                        if company == event.target_company_id
                        else "holding"
                        if company == event.acquirer_company_id
                        else "divested"
                    )
                    found.append(Row(view, company, position, event.target_company_id, event.completed_on, owned))
            return found
        case AcquisitionTerminated():
            return [Row("deal_end", c, position, _end_key(event), event.terminated_on, b"") for c in touched]
        case _:
            return []


def _deal(stored: StoredEvent, event: AcquisitionAnnounced, role: DealRole) -> Deal:
    return Deal(
        **fact_fields(stored),
        role=role,
        acquirer_company_id=event.acquirer_company_id,
        target_company_id=event.target_company_id,
        seller_ids=list(event.seller_ids),
        stake_percent=event.stake_percent,
        price=event.price,
        announced_on=event.announced_on,
        expected_completion=event.expected_completion,
    )


def _agree(a: Deal, b: Deal) -> bool:
    return a.stake_percent == b.stake_percent and money_agrees(a.price, b.price)


def deals(data: CompanyRows) -> list[Deal]:
    """Every deal the company is a party to, announced at the read's point, resolved by the claim rule."""
    resolved = resolve(
        sorted(data.facts("deal", Deal), key=lambda d: d.position),
        lambda d: (d.acquirer_company_id, d.target_company_id),
        _agree,
        lambda d: DealClaim(
            **claim_fields(d),
            seller_ids=d.seller_ids,
            stake_percent=d.stake_percent,
            price=d.price,
            announced_on=d.announced_on,
            expected_completion=d.expected_completion,
        ),
    )
    return sorted(resolved, key=lambda d: (d.announced_on, d.position))


def pending(data: CompanyRows) -> list[Deal]:
    """The deals neither completed nor terminated at the read's point."""
    ended = {row.key for row in data.of("deal_end")}
    return [
        deal
        for deal in deals(data)
        if f"{deal.acquirer_company_id} {deal.target_company_id}" not in ended
        and not any(str(claim.event_id) in ended for claim in deal.claims)
    ]


_ownership = stored.decoder(Ownership)


def ownership(data: CompanyRows, view: str) -> list[Ownership]:
    """Completed majority acquisitions of ``view`` in effect at the read's time (dated on or before it)."""
    today = data.at_time.date().isoformat()
    found = [_ownership.decode(row.item) for row in data.of(view)]
    return sorted((o for o in found if o.completed_on <= today), key=lambda o: o.position)


def subsidiaries(data: CompanyRows, registered: dict[str, int]) -> dict[str, Ownership | None]:
    """The company's subsidiaries at the read's point: of ``registered`` (each child whose registration
    names it as parent, with the position of that row), those it has not sold since, and those it
    acquired a majority of and holds; each with the acquisition that made it (None: the registration)."""
    holds: dict[str, tuple[int, Ownership | None, bool]] = {
        child: (position, None, True) for child, position in registered.items()
    }
    for view, held in (("holding", True), ("divested", False)):
        for deal in ownership(data, view):
            if deal.position > holds.get(deal.target_company_id, (0, None, False))[0]:
                holds[deal.target_company_id] = (deal.position, deal, held)
    return {child: deal for child, (_, deal, held) in holds.items() if held}


def referenced(data: CompanyRows) -> set[str]:
    """Companies whose names the parent and subsidiaries by acquisition need."""
    return {o.acquirer_company_id for o in ownership(data, "owned_by")} | {
        o.target_company_id for o in ownership(data, "holding")
    }


PROJECTION = Projection(
    "deals",
    writes=VIEWS,
    fold=lambda stored, touched, _: rows(stored, touched),
    handles=(AcquisitionAnnounced, AcquisitionCompleted, AcquisitionTerminated),
)
