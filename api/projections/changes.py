"""What changed in a company's dossier between two read points: facts gained, lost and changed.

Both sides are the company's read models as the claim rule resolves them at each point (so a
new claim that wins, a retraction that hands the choice to another, a figure that settles a
plan all show); each fact is compared by the key its claims are grouped by, field by field.
The events in between that touched those claims are the change's causes.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import msgspec

from api.projections import (
    counts,
    deals,
    deliveries,
    identity,
    listings,
    meetings,
    orders,
    plans,
    prices,
    production,
    profile,
    relationships,
    results,
    sales,
)
from api.projections.company_rows import CompanyRows
from api.projections.registry import ReadModel
from schema import stored
from schema.base import Money
from schema.changes import Change, ChangeCause, ChangeKind
from schema.dossiers import CountFigure, Fact, Product
from schema.events import CompanyRegistered, EventRetracted, StoredEvent

__all__ = ["READ_MODEL", "changes", "state"]

Fields = dict[str, str | None]
State = dict[tuple[ChangeKind, str], tuple[Fields, dict[int, UUID]]]
"""(kind, key) -> (the fact's shown fields as text, the positions and ids of the claims behind it)."""

_KINDS: tuple[ChangeKind, ...] = typing.get_args(ChangeKind)
"""In the order changes are listed: the order ``ChangeKind`` names them."""
_registration = stored.decoder(CompanyRegistered)


def _event_id(item: bytes) -> UUID:
    """The event id of a stored read-model fact, whatever its kind."""
    return msgspec.json.decode(item, type=_EventOf).event_id


class _EventOf(msgspec.Struct):
    event_id: UUID


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _claims(facts: Iterable[Fact]) -> dict[int, UUID]:
    return {fact.position: fact.event_id for fact in facts}


def state(data: CompanyRows) -> State:
    """Every fact of the company's dossier at the rows' read point."""
    found: State = {}

    def put(kind: ChangeKind, key: str, fields: dict[str, Any], claims: dict[int, UUID]) -> None:
        found[(kind, key)] = ({name: _text(value) for name, value in fields.items()}, claims)

    registrations = data.of("registration")
    if registrations:
        latest = registrations[-1]
        own = _registration.decode(latest.item)
        now = identity.current(data, own)
        fields: dict[str, Any] = {
            "name": now.name,
            "aliases": now.aliases,
            "country": now.country,
            "sectors": now.sectors,
            "identifiers": [f"{i.scheme} {i.value}{' ' + i.exchange if i.exchange else ''}" for i in now.identifiers],
        }
        changed_by = {latest.position: own.id or UUID(int=0)}
        changed_by |= {row.position: _event_id(row.item) for row in data.rows if row.view in identity.VIEWS}
        parent = own.parent_id
        if acquired := deals.ownership(data, "owned_by"):  # the parent by a completed acquisition
            parent = acquired[-1].acquirer_company_id
            if acquired[-1].event_id:
                changed_by[acquired[-1].position] = UUID(acquired[-1].event_id)
        put("profile", own.company_id, {**fields, "parent": parent}, changed_by)
    for figure in sales.figures(data):
        amount = str(figure.units.value) if figure.units is not None else None
        if figure.revenue is not None:
            amount = f"{figure.revenue.amount} {figure.revenue.currency}"
        key = " ".join(p for p in (figure.period, figure.product, figure.measure) if p)
        if figure.revenue is not None:
            key += f" {figure.revenue.currency}"
        put(
            "sales",
            key,
            {"value": amount, "certainty": figure.certainty, "disputed": figure.disputed},
            _claims(figure.claims),
        )
    for result in results.figures(data):
        value = f"{result.value.amount} {result.value.currency}"
        result_fields: dict[str, Any] = {
            "value": value,
            "status": result.status,
            "change_yoy": result.change_yoy,
            "disputed": result.disputed,
        }
        put(
            "results",
            f"{result.period} {result.measure} {result.value.currency}",
            result_fields,
            _claims(result.claims),
        )
    counted: list[tuple[ChangeKind, list[CountFigure]]] = [
        ("orders", list(orders.figures(data))),
        ("deliveries", deliveries.figures(data)),
        ("production", production.figures(data)),
    ]
    for kind, figures in counted:
        for count in figures:
            span = count.period if count.window is None else counts.window_text(count.window)
            words = [span, count.product, getattr(count, "kind", None)]
            count_fields: dict[str, Any] = {"count": count.count.value, "disputed": count.disputed}
            put(kind, " ".join(w for w in words if w), count_fields, _claims(count.claims))
    for plan in plans.resolved(data):
        target = None if plan.target is None else " ".join(filter(None, (plan.target.value, plan.target.currency)))
        plan_fields: dict[str, Any] = {
            "status": plan.status,
            "target": target,
            "due": plan.due,
            "metric": plan.metric,
            "actual": plan.actual,
        }
        claims = {
            **_claims(plan.claims),
            **{step.position: step.event_id for step in plan.history},
            **{b.position: b.event_id for b in plan.basis},
        }
        put("plan", plan.plan_id, {**plan_fields, "disputed": plan.disputed}, claims)
    for rel in relationships.relationships(data):
        direction = rel.direction if rel.kind == "supplies" else None
        key = " ".join(p for p in (rel.kind, direction, rel.counterparty) if p)
        rel_fields: dict[str, Any] = {"status": rel.status, "components": rel.components, "disputed": rel.disputed}
        put("relationship", key, rel_fields, _claims(rel.claims))
    for executive in profile.executives(data):
        exec_fields: dict[str, Any] = {
            "name": executive.name,
            "role": executive.role,
            "current": executive.current,
            "started_on": executive.started_on,
            "ended_on": executive.ended_on,
            "disputed": executive.disputed,
        }
        put("executive", executive.person_id, exec_fields, _claims(executive.claims))
    for market in relationships.market_positions(data):
        market_fields: dict[str, Any] = {
            "standing": market.standing,
            "peers": market.peers,
            "disputed": market.disputed,
        }
        put("market_position", f"{market.market} / {market.region}", market_fields, _claims(market.claims))
    for product in data.facts("product", Product):
        product_fields: dict[str, Any] = {"category": product.category, "launched_on": product.launched_on}
        put("product", product.product, product_fields, {product.position: product.event_id})
    for meeting in meetings.build(data).items:
        key = f"{meeting.kind} {meeting.occurred_on} {','.join(meeting.counterparties)}"
        meeting_fields: dict[str, Any] = {"site": meeting.site, "occasion": meeting.occasion, "topics": meeting.topics}
        put("meeting", key, meeting_fields, _claims(meeting.claims))
    for price in prices.prices(data):
        key = " ".join(p for p in (price.product, price.variant, price.market, price.announced_on) if p)
        price_fields: dict[str, Any] = {
            "price": _money(price.price),
            "from_price": price.from_price,
            "disputed": price.disputed,
        }
        put("price", f"{key} {price.price.currency}", price_fields, _claims(price.claims))
    for listing in listings.listings(data):
        listing_fields: dict[str, Any] = {
            "ticker": listing.ticker,
            "listed_on": listing.listed_on,
            "offer_price": _money(listing.offer_price),
            "amount_raised": _money(listing.amount_raised),
            "disputed": listing.disputed,
        }
        put("listing", listing.exchange, listing_fields, _claims(listing.claims))
    for raised in listings.capital_raised(data):
        raised_fields: dict[str, Any] = {"amount": _money(raised.amount), "disputed": raised.disputed}
        put(
            "capital_raise",
            f"{raised.kind} {raised.raised_on} {raised.amount.currency}",
            raised_fields,
            _claims(raised.claims),
        )
    for deal in deals.pending(data):
        deal_fields: dict[str, Any] = {
            "role": deal.role,
            "sellers": deal.seller_ids,
            "stake_percent": deal.stake_percent,
            "price": _money(deal.price),
            "expected_completion": deal.expected_completion,
            "disputed": deal.disputed,
        }
        put("deal", f"{deal.acquirer_company_id} {deal.target_company_id}", deal_fields, _claims(deal.claims))
    return found


def _money(money: Money | None) -> str | None:
    return None if money is None else f"{money.amount} {money.currency}"


def changes(before: State, after: State, between: Iterable[StoredEvent], start: int) -> list[Change]:
    """The facts of ``after`` not in ``before`` (gained), of ``before`` not in ``after`` (lost), and
    those whose fields differ; ``between``: the company's events after position ``start`` up to
    the later point, where the causes are found."""
    events = {stored.position: stored for stored in between}
    retracted_by = {
        stored.event.event_id: stored for stored in events.values() if isinstance(stored.event, EventRetracted)
    }
    result = []
    for kind, key in sorted(before.keys() | after.keys(), key=lambda k: (_KINDS.index(k[0]), k[1])):
        old, new = before.get((kind, key)), after.get((kind, key))
        if old is not None and new is not None and old[0] == new[0]:
            continue
        fields = sorted(
            name for name in (old or new or ({}, {}))[0] if old is None or new is None or old[0][name] != new[0][name]
        )
        causes = {p: events[p] for p in (new[1] if new else {}) if p > start and p in events}
        for event_id in (old[1] if old else {}).values():
            if (retraction := retracted_by.get(event_id)) is not None:
                causes[retraction.position] = retraction
        result.append(
            Change(
                kind=kind,
                key=key,
                change="gained" if old is None else "lost" if new is None else "changed",
                fields=fields,
                before=old[0] if old else None,
                after=new[0] if new else None,
                caused_by=[
                    ChangeCause(position=p, event_id=_id(s), type=s.event.__struct_config__.tag)  # type: ignore[arg-type]
                    for p, s in sorted(causes.items())
                ],
            )
        )
    return result


def _id(stored: StoredEvent) -> UUID:
    assert stored.event.id is not None, "a stored event has its id"
    return stored.event.id


READ_MODEL = ReadModel(
    "changes",
    reads=(
        "registration",
        "subsidiary",
        *plans.VIEWS,
        results.VIEW,
        orders.VIEW,
        "relationship",
        "market",
        "executive",
        "product",
        "meeting",
        "price",
        "listing",
        "capital",
        *deals.VIEWS,
        *identity.VIEWS,
    ),
)
