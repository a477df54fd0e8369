"""Search projection: the documents full-text search finds, one row each in the view ``search``.

Every event is a document (kind ``event``: its text fields, notes and source titles); a
registration is also a ``company`` document (name, aliases, sectors) and a role report a
``person`` document (name, role). A row's ``key`` is ``<kind>:<id>``, its ``sort`` the folded
words and compound parts it is indexed under (api.projections.words), a newline between the two,
and its ``item`` the document (title and original texts, for the snippet). The database indexes
``sort`` (SQLite: an FTS5 table filled after each write of rows, Q.INDEX_TEXT; PostgreSQL: a tsvector column
with a GIN index), so the index is rebuilt, caught up and checked with the rows. Rows carry the
position and the retraction mark like every read-model row: a read point filters them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

import msgspec

from api.projections import counts, words
from api.projections.registry import Projection
from api.projections.row import Row
from schema import stored
from schema.codec import encode, event_tag
from schema.events import (
    AcquisitionAnnounced,
    AcquisitionCompleted,
    AcquisitionTerminated,
    CapitalRaised,
    CompanyRegistered,
    CompanyRenamed,
    DeliveriesReported,
    EventRetracted,
    EvidenceAdded,
    ExecutiveAppointed,
    ExecutiveDeparted,
    ExecutiveReported,
    IdentifierAdded,
    ListingCompleted,
    MarketPositionReported,
    MeetingHeld,
    OrdersReported,
    PlanAnnounced,
    PriceAnnounced,
    ProductionReported,
    ProductLaunched,
    ProfileUpdated,
    RelationshipReported,
    ResultsReported,
    SalesReported,
    SiteVisited,
    StoredEvent,
    TargetRevised,
)
from schema.search import SearchHit, SearchKind

__all__ = ["PROJECTION", "VIEW", "Document", "SearchFound", "hit", "rows", "snippet"]

VIEW = "search"
SearchFound = tuple[int, bytes, float]
"""A search row as read: (position, item, score)."""
SNIPPET_CHARS = 200

_SKIPPED = frozenset(
    {
        "type", "id", "event_id", "url", "language", "published_on", "occurred_on", "launched_on",
        "period", "due", "certainty", "currency", "amount", "country", "approximate", "years_before",
        "revised_on", "announced_on", "starting_on", "change_yoy", "unit",
        "listed_on", "raised_on", "effective_on", "scheme",
    }
)  # fmt: skip
"""Fields that hold codes, ids and dates rather than words a reader searches for."""


class Document(msgspec.Struct, frozen=True, kw_only=True):
    """What a search row stores: the hit's identity and the original texts it is indexed under."""

    kind: SearchKind
    id: str
    title: str
    texts: list[str]


def _strings(value: Any, field: str = "", found: list[str] | None = None) -> list[str]:
    """Every string of an event's wire form, in order, but for the fields of _SKIPPED."""
    found = [] if found is None else found
    if field in _SKIPPED:
        return found
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(inner, str):  # most values: spared a call
                if key not in _SKIPPED:
                    found.append(inner)
            else:
                _strings(inner, key, found)
    elif isinstance(value, list):
        for inner in value:
            _strings(inner, field, found)
    return found


def _title(stored: StoredEvent) -> str:
    """The event said in brief."""
    event = stored.event
    match event:
        case CompanyRegistered():
            return f"{event.name} registered ({event.company_id})"
        case ExecutiveReported():
            return f"{event.name}: {event.role} of {event.company_id}"
        case ExecutiveAppointed():
            return f"{event.name}: {event.role} of {event.company_id} from {event.effective_on}"
        case ExecutiveDeparted():
            return f"{event.name or event.person_id} left as {event.role} of {event.company_id} on {event.effective_on}"
        case IdentifierAdded():
            where = f" on {event.exchange}" if event.exchange else f" ({event.language})" if event.language else ""
            return f"{event.company_id}: {event.scheme} {event.value}{where}"
        case CompanyRenamed():
            return f"{event.company_id} renamed {event.name} from {event.effective_on}"
        case ProfileUpdated():
            return f"Profile of {event.company_id} updated"
        case MeetingHeld():
            companies = " and ".join(dict.fromkeys(p.company_id for p in event.participants))
            at = ", ".join(filter(None, [event.location.site, event.location.city, event.location.country]))
            return (
                f"{event.occasion + ': ' if event.occasion else ''}meeting of {companies} on {event.occurred_on} ({at})"
            )
        case SiteVisited():
            return f"{event.visitor.company_id} visited {event.site} of {event.host_company_id} in {event.occurred_on}"
        case ProductLaunched():
            return f"{event.company_id} launched {event.product} ({event.category}) in {event.launched_on}"
        case PriceAnnounced():
            what = f"{event.product} {event.variant}" if event.variant else event.product
            price = f"{'from ' if event.from_price else ''}{event.price.currency} {event.price.amount}"
            return f"Price of {what} in {event.market}: {price} ({event.announced_on})"
        case ListingCompleted():
            return f"{event.company_id} listed on {event.exchange} as {event.ticker} on {event.listed_on}"
        case CapitalRaised():
            kind = event.kind.replace("_", " ")
            return (
                f"{event.company_id} raised {event.amount.currency} {event.amount.amount} ({kind}, {event.raised_on})"
            )
        case SalesReported():
            return f"Sales of {event.company_id}{' (' + event.product + ')' if event.product else ''} in {event.period}"
        case PlanAnnounced():
            return f"Plan of {event.company_id}: {event.description}"
        case ResultsReported():
            measures = ", ".join(m.measure.replace("_", " ") for m in event.measures)
            return f"{event.status.capitalize()} results of {event.company_id} for {event.period}: {measures}"
        case OrdersReported():
            return _counted("Orders", event)
        case DeliveriesReported():
            return _counted("Deliveries", event)
        case ProductionReported():
            return _counted("Production", event)
        case TargetRevised():
            return f"Target of {event.company_id}'s plan {event.plan_id} revised on {event.revised_on}"
        case RelationshipReported():
            kind = event.kind.replace("_", " ")
            what = f": {', '.join(event.components)}" if event.components else ""
            return f"{event.from_company_id} {kind} {event.to_company_id} ({event.status}){what}"
        case MarketPositionReported():
            return f"{', '.join(event.company_ids)}: {event.position} in {event.market}, {event.region}"
        case AcquisitionAnnounced():
            stake = f"{event.stake_percent} % of " if event.stake_percent else ""
            sellers = f" from {', '.join(event.seller_ids)}" if event.seller_ids else ""
            return f"{event.acquirer_company_id} to acquire {stake}{event.target_company_id}{sellers} ({event.announced_on})"
        case AcquisitionCompleted():
            stake = f"{event.stake_percent} % of " if event.stake_percent else ""
            return f"{event.acquirer_company_id} completed acquiring {stake}{event.target_company_id} ({event.completed_on})"
        case AcquisitionTerminated():
            return f"Acquisition {event.announcement_id} terminated ({event.terminated_on}): {event.reason}"
        case EvidenceAdded():
            return f"Evidence for event {event.event_id}: {event.sources[0].title}"
        case EventRetracted():
            return f"Retraction of event {event.event_id}: {event.reason}"
        case _:
            return event_tag(event).replace("_", " ")


def _counted(what: str, event: OrdersReported | DeliveriesReported | ProductionReported) -> str:
    span = event.period if event.window is None else counts.window_text(event.window)
    return f"{what} of {event.company_id}{' (' + event.product + ')' if event.product else ''}: {span}"


def _documents(stored: StoredEvent) -> list[Document]:
    event = stored.event
    assert event.id is not None
    texts = list(dict.fromkeys(_strings(msgspec.to_builtins(event))))
    found = [Document(kind="event", id=str(event.id), title=_title(stored), texts=texts)]
    if isinstance(event, CompanyRegistered):
        company = [event.name, *event.aliases, event.company_id, *event.sectors]
        found.append(Document(kind="company", id=event.company_id, title=event.name, texts=company))
    elif isinstance(event, ExecutiveReported | ExecutiveAppointed):
        person = [event.name, event.person_id, f"{event.role} of {event.company_id}"]
        found.append(Document(kind="person", id=event.person_id, title=event.name, texts=person))
    elif isinstance(event, IdentifierAdded) and event.scheme in ("name", "ticker"):
        # A name in another language, or a ticker, finds the company as its aliases do.
        # Only the value: a query for the company's name or id finds its registration's document.
        company = [event.value]
        title = f"{event.value} ({event.company_id})"
        found.append(Document(kind="company", id=event.company_id, title=title, texts=company))
    elif isinstance(event, CompanyRenamed):
        company = [event.name, *([event.previous_name] if event.previous_name else [])]
        found.append(Document(kind="company", id=event.company_id, title=event.name, texts=company))
    return found


def rows(stored: StoredEvent, touched: tuple[str, ...]) -> list[Row]:
    company = touched[0] if touched else ""
    result = []
    for document in _documents(stored):
        indexed, parts = words.indexed(document.texts)
        sort = " ".join(indexed) + "\n" + " ".join(parts)
        result.append(Row(VIEW, company, stored.position, f"{document.kind}:{document.id}", sort, encode(document)))
    return result


_decoder = stored.decoder(Document)
_LINKS = {"company": "/companies/{}", "person": "/people/{}", "event": "/events/{}"}
_WORD = re.compile(r"[^\W_]+")


def hit(position: int, item: bytes, score: float, terms: list[words.Term]) -> SearchHit:
    """A search row as the answer shows it."""
    document = _decoder.decode(item)
    return SearchHit(
        kind=document.kind,
        id=document.id,
        title=document.title,
        snippet=snippet(document.texts, terms),
        link=_LINKS[document.kind].format(document.id),
        score=max(score, 0.0),
        position=position,
    )


def _matched(word: str, terms: list[words.Term]) -> set[str]:
    return {t.text for t in terms for w in words.spellings(word) if words.matches(w, t)}


def snippet(texts: list[str], terms: list[words.Term]) -> str:
    """The text with the most query terms, cut around its first match, matches in ``<mark>``, as escaped HTML."""
    best: tuple[int, str, list[tuple[int, int]]] = (0, texts[0] if texts else "", [])
    seen: dict[str, set[str]] = {}  # a document repeats its words (company ids, source titles)
    for text in texts:
        text = unicodedata.normalize("NFC", text)
        found: set[str] = set()
        spans = []
        for match in _WORD.finditer(text):
            word = match.group()
            matched = seen.get(word)
            if matched is None:
                matched = seen[word] = _matched(word, terms)
            if matched:
                found |= matched
                spans.append(match.span())
        if len(found) > best[0]:
            best = (len(found), text, spans)
    _, text, spans = best
    start = 0
    if spans and len(text) > SNIPPET_CHARS:
        # About a quarter of the room before the first match, from the start of a word.
        start = max(0, spans[0][0] - SNIPPET_CHARS // 4)
        if start > 0:
            start = next((m.start() for m in _WORD.finditer(text, start)), start)
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        end = max((m.end() for m in _WORD.finditer(text, start, end) if m.end() < end), default=end)
    pieces = ["… " if start > 0 else ""]
    cursor = start
    for first, last in spans:
        if first < start or last > end:
            continue
        pieces += [
            html.escape(text[cursor:first], quote=False),
            "<mark>",
            html.escape(text[first:last], quote=False),
            "</mark>",
        ]
        cursor = last
    pieces += [html.escape(text[cursor:end], quote=False), " …" if end < len(text) else ""]
    return "".join(pieces)


PROJECTION = Projection(
    "search",
    writes=(VIEW,),
    fold=lambda stored, touched, _: rows(stored, touched),
    version=2,  # 2: identifiers and renames are company documents too
)
