"""Events with sensible defaults, so a test names only the fields its behaviour is about.

Each factory is named after the event type it builds. Ids are left to the server unless
a test passes ``id=`` (for idempotency, evidence and retraction targets).
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID, uuid4

from api.seeds import FIRST_ARTICLE, seed_events
from schema.base import Certainty, Count, Money, SignedMoney, Source
from schema.events import (
    AcquisitionAnnounced,
    AcquisitionCompleted,
    AcquisitionTerminated,
    CapitalRaised,
    CompanyRegistered,
    CompanyRenamed,
    DeliveriesReported,
    Event,
    EventRetracted,
    EvidenceAdded,
    ExecutiveAppointed,
    ExecutiveDeparted,
    ExecutiveReported,
    FinancialMeasure,
    IdentifierAdded,
    ListingCompleted,
    Location,
    MarketPositionReported,
    MeetingHeld,
    OrdersReported,
    Participant,
    PlanAnnounced,
    PlanTarget,
    PriceAnnounced,
    ProductionReported,
    ProductLaunched,
    ProfileUpdated,
    RelationshipReported,
    ResultsReported,
    SalesReported,
    SiteVisited,
    TargetRevised,
    Window,
)

__all__ = [
    "acquisition_announced",
    "acquisition_completed",
    "acquisition_terminated",
    "first_article_events",
    "SOURCE",
    "capital_raised",
    "company_registered",
    "company_renamed",
    "executive_appointed",
    "executive_departed",
    "identifier_added",
    "profile_updated",
    "deliveries_reported",
    "event_retracted",
    "evidence_added",
    "executive_reported",
    "listing_completed",
    "market_position_reported",
    "meeting_held",
    "new_id",
    "orders_reported",
    "plan_announced",
    "price_announced",
    "product_launched",
    "production_reported",
    "relationship_reported",
    "results_reported",
    "sales_reported",
    "site_visited",
    "source",
    "target_revised",
]


def first_article_events() -> list[Event]:
    """The seed events of the first source article alone, without the later seed files."""
    return seed_events(FIRST_ARTICLE)


SOURCE = Source(title="Test article", publisher="Tidings tests", language="en")


def source(title: str = "Test article", *, language: str = "en") -> Source:
    return Source(title=title, publisher="Tidings tests", language=language)


def new_id() -> UUID:
    return uuid4()


def company_registered(
    company_id: str,
    *,
    name: str | None = None,
    country: str = "CN",
    aliases: Sequence[str] = (),
    sectors: Sequence[str] = (),
    parent_id: str | None = None,
    id: UUID | None = None,
    sources: Sequence[Source] = (SOURCE,),
) -> CompanyRegistered:
    return CompanyRegistered(
        id=id,
        sources=list(sources),
        company_id=company_id,
        name=name or company_id.replace("-", " ").title(),
        aliases=list(aliases),
        country=country,
        sectors=list(sectors),
        parent_id=parent_id,
    )


def executive_reported(
    company_id: str, person_id: str, *, name: str | None = None, role: str = "CEO", id: UUID | None = None
) -> ExecutiveReported:
    return ExecutiveReported(
        id=id,
        sources=[SOURCE],
        person_id=person_id,
        name=name or person_id.replace("-", " ").title(),
        company_id=company_id,
        role=role,
    )


def product_launched(
    company_id: str, product: str, *, launched_on: str = "2024", category: str = "electric vehicle"
) -> ProductLaunched:
    return ProductLaunched(
        sources=[SOURCE], company_id=company_id, product=product, category=category, launched_on=launched_on
    )


def price_announced(
    company_id: str,
    product: str,
    amount: str,
    *,
    currency: str = "CNY",
    variant: str | None = None,
    market: str = "China",
    from_price: bool = False,
    approximate: bool = False,
    announced_on: str = "2024-03-28",
    sources: Sequence[Source] = (SOURCE,),
    certainty: Certainty = "reported",
    id: UUID | None = None,
) -> PriceAnnounced:
    return PriceAnnounced(
        id=id,
        sources=list(sources),
        certainty=certainty,
        company_id=company_id,
        product=product,
        variant=variant,
        market=market,
        price=Money(amount=amount, currency=currency, approximate=approximate),
        from_price=from_price,
        announced_on=announced_on,
    )


def listing_completed(
    company_id: str,
    exchange: str,
    ticker: str,
    *,
    listed_on: str = "2018-07-09",
    amount_raised: Money | None = None,
    offer_price: Money | None = None,
    sources: Sequence[Source] = (SOURCE,),
    certainty: Certainty = "reported",
) -> ListingCompleted:
    return ListingCompleted(
        sources=list(sources),
        certainty=certainty,
        company_id=company_id,
        exchange=exchange,
        ticker=ticker,
        listed_on=listed_on,
        amount_raised=amount_raised,
        offer_price=offer_price,
    )


def capital_raised(
    company_id: str,
    amount: str,
    *,
    currency: str = "HKD",
    approximate: bool = False,
    kind: str = "share_placement",
    raised_on: str = "2025-03-25",
    sources: Sequence[Source] = (SOURCE,),
    certainty: Certainty = "reported",
) -> CapitalRaised:
    return CapitalRaised(
        sources=list(sources),
        certainty=certainty,
        company_id=company_id,
        kind=kind,  # type: ignore[arg-type]
        raised_on=raised_on,
        amount=Money(amount=amount, currency=currency, approximate=approximate),
    )


def acquisition_announced(
    acquirer: str,
    target: str,
    *sellers: str,
    price: str | None = None,
    currency: str = "EUR",
    stake_percent: str | None = None,
    announced_on: str = "2025-05-14",
    id: UUID | None = None,
) -> AcquisitionAnnounced:
    return AcquisitionAnnounced(
        id=id,
        sources=[SOURCE],
        acquirer_company_id=acquirer,
        target_company_id=target,
        seller_ids=list(sellers),
        stake_percent=stake_percent,
        price=None if price is None else Money(amount=price, currency=currency),
        announced_on=announced_on,
    )


def acquisition_completed(
    acquirer: str,
    target: str,
    *sellers: str,
    announcement_id: UUID | None = None,
    stake_percent: str | None = None,
    completed_on: str = "2025-11",
) -> AcquisitionCompleted:
    return AcquisitionCompleted(
        sources=[SOURCE],
        announcement_id=announcement_id,
        acquirer_company_id=acquirer,
        target_company_id=target,
        seller_ids=list(sellers),
        stake_percent=stake_percent,
        completed_on=completed_on,
    )


def acquisition_terminated(
    announcement_id: UUID, *, reason: str = "Regulators opposed it.", terminated_on: str = "2024-01-29"
) -> AcquisitionTerminated:
    return AcquisitionTerminated(
        sources=[SOURCE], announcement_id=announcement_id, terminated_on=terminated_on, reason=reason
    )


def meeting_held(
    *company_ids: str,
    occurred_on: str = "2025-03-22",
    city: str | None = "Beijing",
    country: str = "CN",
    topics: Sequence[str] = (),
    id: UUID | None = None,
) -> MeetingHeld:
    return MeetingHeld(
        id=id,
        sources=[SOURCE],
        occurred_on=occurred_on,
        location=Location(country=country, city=city),
        participants=[Participant(company_id=c) for c in company_ids],
        topics=list(topics),
    )


def site_visited(
    visitor: str,
    host: str,
    *,
    site: str = "Headquarters",
    occurred_on: str = "2025-03",
    city: str | None = "Shenzhen",
    country: str = "CN",
    id: UUID | None = None,
) -> SiteVisited:
    return SiteVisited(
        id=id,
        sources=[SOURCE],
        occurred_on=occurred_on,
        visitor=Participant(company_id=visitor),
        host_company_id=host,
        site=site,
        location=Location(country=country, city=city),
    )


def sales_reported(
    company_id: str,
    period: str,
    *,
    units: int | None = None,
    revenue: str | None = None,
    currency: str = "USD",
    approximate: bool = False,
    product: str | None = None,
    id: UUID | None = None,
    sources: Sequence[Source] = (SOURCE,),
    certainty: Certainty = "reported",
) -> SalesReported:
    return SalesReported(
        id=id,
        sources=list(sources),
        certainty=certainty,
        company_id=company_id,
        period=period,
        product=product,
        units=None if units is None else Count(value=units, approximate=approximate),
        revenue=None if revenue is None else Money(amount=revenue, currency=currency, approximate=approximate),
    )


def plan_announced(
    company_id: str,
    plan_id: str,
    *,
    due: str,
    target: str | None = None,
    metric: str | None = None,
    currency: str | None = None,
    kind: str = "production",
    description: str = "A plan",
    id: UUID | None = None,
) -> PlanAnnounced:
    """A plan; with ``target`` and no ``metric``, the metric is units sold (revenue when ``currency`` is given)."""
    if target is not None and metric is None:
        metric = "revenue" if currency else "units_sold"
    return PlanAnnounced(
        id=id,
        sources=[SOURCE],
        plan_id=plan_id,
        company_id=company_id,
        kind=kind,  # type: ignore[arg-type]
        description=description,
        metric=metric,  # type: ignore[arg-type]
        target=None if target is None else PlanTarget(value=target, currency=currency),
        due=due,
    )


def relationship_reported(
    from_company_id: str,
    to_company_id: str,
    *,
    kind: str = "supplies",
    status: str = "active",
    components: Sequence[str] = (),
    id: UUID | None = None,
) -> RelationshipReported:
    return RelationshipReported(
        id=id,
        sources=[SOURCE],
        from_company_id=from_company_id,
        to_company_id=to_company_id,
        kind=kind,  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        components=list(components),
    )


def market_position_reported(
    *company_ids: str, market: str = "electric vehicles", region: str = "China", position: str = "leading"
) -> MarketPositionReported:
    return MarketPositionReported(
        sources=[SOURCE],
        company_ids=list(company_ids),
        market=market,
        region=region,
        position=position,  # type: ignore[arg-type]
    )


def evidence_added(event_id: UUID, *, sources: Sequence[Source] = (), id: UUID | None = None) -> EvidenceAdded:
    return EvidenceAdded(id=id, sources=list(sources) or [source("Another article")], event_id=event_id)


def event_retracted(
    event_id: UUID, *, reason: str = "The article was corrected.", id: UUID | None = None
) -> EventRetracted:
    return EventRetracted(id=id, sources=[SOURCE], event_id=event_id, reason=reason)


def results_reported(
    company_id: str,
    period: str,
    *,
    status: str = "final",
    currency: str = "KRW",
    approximate: bool = False,
    sources: Sequence[Source] = (SOURCE,),
    certainty: Certainty = "reported",
    **measures: str,
) -> ResultsReported:
    """Results with one measure per keyword (``operating_profit="-5"``)."""
    return ResultsReported(
        sources=list(sources),
        certainty=certainty,
        company_id=company_id,
        period=period,
        status=status,  # type: ignore[arg-type]
        measures=[
            FinancialMeasure(measure=name, value=SignedMoney(amount=amount, currency=currency, approximate=approximate))
            for name, amount in measures.items()
        ],
    )


def orders_reported(
    company_id: str,
    count: int,
    *,
    product: str | None = None,
    period: str | None = None,
    hours: int | None = None,
    starting_on: str = "2025-06-26",
    kind: str = "unspecified",
    sources: Sequence[Source] = (SOURCE,),
) -> OrdersReported:
    """Orders in ``period``, or within ``hours`` from ``starting_on``."""
    return OrdersReported(
        sources=list(sources),
        company_id=company_id,
        product=product,
        count=Count(value=count),
        kind=kind,  # type: ignore[arg-type]
        period=period,
        window=None if hours is None else Window(length=hours, unit="hours", starting_on=starting_on),
    )


def deliveries_reported(
    company_id: str,
    period: str,
    count: int,
    *,
    product: str | None = None,
    approximate: bool = False,
    sources: Sequence[Source] = (SOURCE,),
) -> DeliveriesReported:
    return DeliveriesReported(
        sources=list(sources),
        company_id=company_id,
        product=product,
        count=Count(value=count, approximate=approximate),
        period=period,
    )


def target_revised(
    company_id: str,
    plan_id: str,
    target: str,
    *,
    revised_on: str = "2025-09",
    previous: str | None = None,
    approximate: bool = False,
    currency: str | None = None,
    due: str | None = None,
    sources: Sequence[Source] = (SOURCE,),
) -> TargetRevised:
    return TargetRevised(
        sources=list(sources),
        plan_id=plan_id,
        company_id=company_id,
        revised_on=revised_on,
        target=PlanTarget(value=target, currency=currency, approximate=approximate),
        previous=None if previous is None else PlanTarget(value=previous, currency=currency),
        due=due,
    )


def production_reported(company_id: str, period: str, count: int, *, product: str | None = None) -> ProductionReported:
    return ProductionReported(
        sources=[SOURCE], company_id=company_id, product=product, count=Count(value=count), period=period
    )


def executive_appointed(
    company_id: str,
    person_id: str,
    role: str,
    effective_on: str,
    *,
    name: str | None = None,
    previous_role: str | None = None,
    replaces: str | None = None,
    id: UUID | None = None,
) -> ExecutiveAppointed:
    return ExecutiveAppointed(
        id=id,
        sources=[SOURCE],
        company_id=company_id,
        person_id=person_id,
        name=name or person_id.replace("-", " ").title(),
        role=role,
        effective_on=effective_on,
        previous_role=previous_role,
        replaces=replaces,
    )


def executive_departed(
    company_id: str, person_id: str, role: str, effective_on: str, *, reason: str | None = None
) -> ExecutiveDeparted:
    return ExecutiveDeparted(
        sources=[SOURCE],
        company_id=company_id,
        person_id=person_id,
        role=role,
        effective_on=effective_on,
        reason=reason,
    )


def identifier_added(
    company_id: str, scheme: str, value: str, *, exchange: str | None = None, language: str | None = None
) -> IdentifierAdded:
    return IdentifierAdded(
        sources=[SOURCE],
        company_id=company_id,
        scheme=scheme,  # type: ignore[arg-type]
        value=value,
        exchange=exchange,
        language=language,
    )


def company_renamed(
    company_id: str, name: str, effective_on: str, *, previous_name: str | None = None
) -> CompanyRenamed:
    return CompanyRenamed(
        sources=[SOURCE], company_id=company_id, name=name, effective_on=effective_on, previous_name=previous_name
    )


def profile_updated(
    company_id: str,
    *,
    sectors_added: Sequence[str] = (),
    sectors_removed: Sequence[str] = (),
    aliases_added: Sequence[str] = (),
    aliases_removed: Sequence[str] = (),
    country: str | None = None,
    id: UUID | None = None,
) -> ProfileUpdated:
    return ProfileUpdated(
        id=id,
        sources=[SOURCE],
        company_id=company_id,
        sectors_added=list(sectors_added),
        sectors_removed=list(sectors_removed),
        aliases_added=list(aliases_added),
        aliases_removed=list(aliases_removed),
        country=country,
    )
