"""Prices and the products read model: each product's launch and its prices per market and variant over time."""

from __future__ import annotations

from decimal import Decimal

from api.projections.claims import claim_fields, resolve, values_agree
from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.registry import Projection, ReadModel
from api.projections.row import Row
from schema.codec import encode
from schema.dossiers import Price, PriceClaim, Product, ProductLine, Products
from schema.events import PriceAnnounced, StoredEvent

__all__ = ["PROJECTION", "READ_MODEL", "build", "latest", "lines", "prices", "rows", "words"]


def words(text: str | None) -> str:
    """A name as prices and launches are matched by: without case or spacing."""
    return " ".join((text or "").casefold().split())


def rows(stored: StoredEvent) -> list[Row]:
    event = stored.event
    if not isinstance(event, PriceAnnounced):
        return []
    price = Price(
        **fact_fields(stored),
        product=event.product,
        variant=event.variant,
        market=event.market,
        price=event.price,
        from_price=event.from_price,
        announced_on=event.announced_on,
    )
    return [Row("price", event.company_id, stored.position, words(event.product), event.announced_on, encode(price))]


def _key(price: Price) -> tuple[str, str, str, str, str]:
    return (words(price.product), words(price.variant), words(price.market), price.announced_on, price.price.currency)


def _agree(a: Price, b: Price) -> bool:
    approximate = a.price.approximate or b.price.approximate
    return values_agree(Decimal(a.price.amount), Decimal(b.price.amount), approximate=approximate)


def _order(price: Price) -> tuple[str, str, str, str, str]:
    return (words(price.product), price.announced_on, words(price.market), words(price.variant), price.price.currency)


def prices(data: CompanyRows) -> list[Price]:
    """One item per product, variant, market, date and currency, resolved by the claim rule; in product
    order, then by date, market and variant."""
    resolved = resolve(
        sorted(data.facts("price", Price), key=lambda p: p.position),
        _key,
        _agree,
        lambda p: PriceClaim(**claim_fields(p), price=p.price, from_price=p.from_price),
    )
    return sorted(resolved, key=_order)


def latest(items: list[Price]) -> list[Price]:
    """The price of the latest date of each product, variant and market (each currency kept)."""
    newest: dict[tuple[str, str, str], str] = {}
    for price in items:
        group = (words(price.product), words(price.variant), words(price.market))
        newest[group] = max(newest.get(group, ""), price.announced_on)
    return [p for p in items if p.announced_on == newest[(words(p.product), words(p.variant), words(p.market))]]


def _first_launch(launched: list[Product]) -> Product | None:
    """The earliest launch report, or one that dates the same launch more precisely ("2024-03-28" refines "2024")."""
    if not launched:
        return None
    earliest = launched[0].launched_on
    same = [p for p in launched if p.launched_on.startswith(earliest)]
    return max(same, key=lambda p: (len(p.launched_on), -p.position))


def lines(data: CompanyRows) -> list[ProductLine]:
    """Every product with a launch or a price, by its earliest launch date (products without a launch last, by name)."""
    launches: dict[str, list[Product]] = {}
    for product in sorted(data.facts("product", Product), key=lambda p: (p.launched_on, p.position)):
        launches.setdefault(words(product.product), []).append(product)
    priced: dict[str, list[Price]] = {}
    for price in prices(data):
        priced.setdefault(words(price.product), []).append(price)
    result = []
    for name in dict.fromkeys([*launches, *priced]):
        launched = launches.get(name, [])
        first = _first_launch(launched)
        result.append(
            ProductLine(
                product=first.product if first is not None else priced[name][0].product,
                category=first.category if first is not None else None,
                launched_on=first.launched_on if first is not None else None,
                launches=launched,
                prices=priced.get(name, []),
            )
        )
    return sorted(result, key=lambda line: (line.launched_on is None, line.launched_on or "", words(line.product)))


def build(data: CompanyRows) -> Products:
    return Products(company_id=data.company_id, version=data.version, items=lines(data), **data.known())


PROJECTION = Projection("prices", writes=("price",), fold=lambda stored, _, __: rows(stored), handles=(PriceAnnounced,))


READ_MODEL = ReadModel("products", reads=("product", "price"))
