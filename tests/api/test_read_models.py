"""What is known about a company, read over HTTP from the seed article's events.

The seed store holds the first article's 23 events (positions 1..23): six companies, Jay Y. Lee and
Lei Jun, their meeting in Beijing, Lee's visit to BYD, Xiaomi's 2024 sales and two plans, supply
relationships, market positions, and two pingbacks as evidence; then the later seed files. Tests of
the first article read at ``at_position=23``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import zstandard
from litestar.testing import TestClient

from tests.api.wire import SEED, SOURCE

Client = TestClient  # type: ignore[type-arg]

READ_MODELS = ["", "/timeline", "/meetings", "/sales", "/products", "/plans", "/relationships", "/conflicts"]


def _get(client: Client, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _append(client: Client, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/events", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _sales_2025(units: int) -> dict[str, Any]:
    return {
        "type": "sales_reported",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "period": "2025",
        "units": {"value": units, "approximate": True},
    }


def _production_2025(units: int) -> dict[str, Any]:
    return {
        "type": "production_reported",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "period": "2025",
        "count": {"value": units, "approximate": True},
    }


def _plan(plans: Any, plan_id: str) -> dict[str, Any]:
    return next(p for p in plans["items"] if p["plan_id"] == plan_id)


# -- the company list --------------------------------------------------------------------


def test_the_company_list_holds_every_registered_company_in_id_order(client: Client) -> None:
    page = _get(client, "/companies")

    assert [c["company_id"] for c in page["items"]] == SEED["companies"]
    assert page["next_cursor"] is None


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("catl", ["catl"]),
        ("CATL", ["catl"]),
        ("amperex", ["catl"]),
        ("samsung", ["samsung-display", "samsung-electronics", "samsung-sdi"]),
        ("display", ["samsung-display"]),
        ("tesla", []),
    ],
)
def test_q_matches_names_and_aliases_ignoring_case(client: Client, q: str, expected: list[str]) -> None:
    page = _get(client, "/companies", q=q)

    assert [c["company_id"] for c in page["items"]] == expected


def test_q_finds_catl_by_its_alias(client: Client) -> None:
    (catl,) = _get(client, "/companies", q="catl")["items"]

    assert catl["name"] == "Contemporary Amperex Technology Co. Limited"
    assert catl["aliases"] == ["CATL"]


@pytest.mark.parametrize(
    ("country", "expected"),
    [("KR", ["samsung-display", "samsung-electronics", "samsung-sdi"]), ("CN", ["byd", "catl", "xiaomi"]), ("US", [])],
)
def test_the_country_filter(client: Client, country: str, expected: list[str]) -> None:
    assert [c["company_id"] for c in _get(client, "/companies", country=country)["items"]] == expected


def test_cursor_paging_with_limit_2_visits_every_company_once(client: Client) -> None:
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    for _ in range(10):
        page = _get(client, "/companies", **params)
        assert len(page["items"]) <= 2
        seen += [c["company_id"] for c in page["items"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]

    assert seen == SEED["companies"]


def test_a_summary_carries_the_version_and_last_position(client: Client) -> None:
    (xiaomi,) = _get(client, "/companies", q="xiaomi")["items"]
    dossier = _get(client, "/companies/xiaomi")

    assert (xiaomi["version"], xiaomi["last_position"]) == (dossier["version"], dossier["last_position"])


# -- the dossier -------------------------------------------------------------------------


def test_the_dossier_of_xiaomi(client: Client) -> None:
    dossier = _get(client, "/companies/xiaomi", at_position=SEED["first_article"])

    assert dossier["company_id"] == "xiaomi"
    assert dossier["version"] == 15, "registration, 12 facts and 2 pieces of evidence touch xiaomi"
    assert dossier["last_position"] == SEED["first_article"]
    profile = dossier["profile"]
    assert (profile["name"], profile["country"], profile["parent"]) == ("Xiaomi", "CN", None)
    assert [(e["person_id"], e["name"], e["role"]) for e in profile["executives"]] == [("lei-jun", "Lei Jun", "CEO")]
    assert [(p["product"], p["launched_on"]) for p in profile["products"]] == [("SU7", "2024")]
    assert dossier["counts"] == {
        "company_registered": 1,
        "executive_reported": 1,
        "market_position_reported": 1,
        "meeting_held": 1,
        "plan_announced": 2,
        "product_launched": 1,
        "relationship_reported": 5,
        "sales_reported": 1,
    }
    units, revenue = dossier["latest_sales"]
    assert (units["period"], units["measure"], units["units"]["value"]) == ("2024", "units", 137000)
    assert (revenue["period"], revenue["measure"], revenue["revenue"]["amount"]) == ("2024", "revenue", "4500000000")
    assert sorted(p["plan_id"] for p in dossier["open_plans"]) == ["ev-production-2025", "international-expansion-2027"]
    assert {c["company_id"]: c["via"] for c in dossier["counterparties"]} == {
        "samsung-display": ["supplies"],
        "samsung-electronics": ["competes_with", "meeting", "partners_with", "supplies"],
        "samsung-sdi": ["supplies"],
    }


def test_the_products_of_xiaomi_give_the_su7_and_yu7_launch_prices(seeded_client: Client) -> None:
    client = seeded_client
    items = _get(client, "/companies/xiaomi/products")["items"]

    launches = [(i["product"], i["launched_on"]) for i in items]
    assert launches == [("SU7", "2024-03-28"), ("YU7", "2025-06-26")]
    prices = {
        (i["product"], p["variant"]): (p["price"], p["from_price"], p["market"], p["announced_on"])
        for i in items
        for p in i["prices"]
    }
    assert prices[("SU7", "Standard")] == (
        {"amount": "215900", "currency": "CNY", "approximate": False},
        True,
        "China",
        "2024-03-28",
    )
    assert prices[("YU7", "Standard")][0]["amount"] == "253500"


def test_the_dossier_shows_the_hkex_listing_and_the_2025_placement(seeded_client: Client) -> None:
    client = seeded_client
    dossier = _get(client, "/companies/xiaomi")

    (listing,) = dossier["profile"]["listings"]
    assert (listing["exchange"], listing["ticker"], listing["listed_on"]) == ("HKEX", "1810", "2018-07-09")
    (placement,) = dossier["capital_raised"]
    assert (placement["raised_on"], placement["amount"]["amount"], placement["amount"]["currency"]) == (
        "2025-03-25",
        "42500000000",
        "HKD",
    )
    assert ("YU7", "253500") in [(p["product"], p["price"]["amount"]) for p in dossier["latest_prices"]]


def test_products_of_an_unknown_company_is_a_404_problem(client: Client) -> None:
    response = client.get("/companies/tesla/products")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_the_dossier_names_parent_and_subsidiaries(client: Client) -> None:
    samsung = _get(client, "/companies/samsung-electronics")["profile"]
    sdi = _get(client, "/companies/samsung-sdi")["profile"]

    assert samsung["subsidiaries"] == [
        {"company_id": "samsung-display", "name": "Samsung Display"},
        {"company_id": "samsung-sdi", "name": "Samsung SDI"},
    ]
    assert sdi["parent"] == {"company_id": "samsung-electronics", "name": "Samsung Electronics"}


def test_an_append_touching_the_company_moves_version_and_last_position(client: Client) -> None:
    before = _get(client, "/companies/xiaomi")

    stored = _append(client, _sales_2025(400000))

    after = _get(client, "/companies/xiaomi")
    assert after["version"] == before["version"] + 1
    assert after["last_position"] == stored["position"]
    assert [f["period"] for f in after["latest_sales"]] == ["2025"]


# -- ETag and If-None-Match --------------------------------------------------------------


@pytest.mark.parametrize("view", READ_MODELS)
def test_if_none_match_with_the_etag_is_304_without_a_body(client: Client, view: str) -> None:
    first = client.get(f"/companies/xiaomi{view}")
    etag = first.headers["etag"]

    again = client.get(f"/companies/xiaomi{view}", headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


@pytest.mark.parametrize("view", READ_MODELS)
def test_the_etag_changes_after_an_append_touching_the_company(client: Client, view: str) -> None:
    etag = client.get(f"/companies/xiaomi{view}").headers["etag"]

    _append(client, _sales_2025(400000))

    response = client.get(f"/companies/xiaomi{view}", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["etag"] != etag


def test_a_weakened_etag_in_if_none_match_is_still_a_match(client: Client) -> None:
    etag = client.get("/companies/xiaomi").headers["etag"]

    response = client.get("/companies/xiaomi", headers={"If-None-Match": f"W/{etag}"})

    assert response.status_code == 304


def test_a_dossier_is_sent_packed_to_a_client_that_takes_zstd_on_either_backend(client: Client) -> None:
    """Both backends keep answers packed (PostgreSQL confirms each with the database before it is sent) and
    send them so to a client that takes zstd, the same JSON to any other."""
    plain = client.get("/companies/xiaomi", headers={"Accept-Encoding": "identity"})
    client.app.state.answers.clear()
    for hits in (0, 1):  # built by the handler, then a hit
        with client.stream("GET", "/companies/xiaomi", headers={"Accept-Encoding": "zstd"}) as packed:
            sent = b"".join(packed.iter_raw())
        assert client.app.state.answers.hits == hits
        assert packed.headers["vary"] == plain.headers["vary"] == "Accept-Encoding"
        assert packed.headers["content-encoding"] == "zstd"
        assert zstandard.ZstdDecompressor().decompress(sent) == plain.content
        assert packed.headers["etag"] == plain.headers["etag"]


def test_the_etag_stays_after_an_append_about_another_company(client: Client) -> None:
    etag = client.get("/companies/xiaomi").headers["etag"]

    _append(client, {**_sales_2025(3_000_000), "company_id": "byd"})

    assert client.get("/companies/xiaomi", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("company", ["xiaomi", "samsung-sdi"])
def test_the_dossier_etag_changes_when_a_company_it_names_is_renamed(client: Client, company: str) -> None:
    before = client.get(f"/companies/{company}")
    renamed = {
        "type": "company_renamed",
        "sources": [SOURCE],
        "company_id": "samsung-electronics",
        "name": "Samsung Electronics Co., Ltd.",
        "effective_on": "1988-11",
    }
    _append(client, renamed)

    assert "Samsung Electronics Co., Ltd." in client.get(f"/companies/{company}").text, "the dossier changed"
    revalidated = client.get(f"/companies/{company}", headers={"If-None-Match": before.headers["etag"]})
    assert revalidated.status_code == 200, "a 304 would keep the old name in the client's cache"


def test_an_etag_of_another_state_is_not_a_match(client: Client) -> None:
    response = client.get("/companies/xiaomi", headers={"If-None-Match": '"1"'})

    assert response.status_code == 200
    assert response.json()["company_id"] == "xiaomi"


# -- the timeline ------------------------------------------------------------------------


def _timeline(client: Client, company: str, **params: Any) -> list[tuple[str, int, str]]:
    items = _get(client, f"/companies/{company}/timeline", **params)["items"]
    return [(i["occurred_on"], i["event"]["position"], i["event"]["event"]["type"]) for i in items]


def test_the_timeline_is_ordered_by_occurred_on_then_position(client: Client) -> None:
    timeline = _timeline(client, "xiaomi", at_position=SEED["first_article"])

    assert timeline == sorted(timeline, key=lambda item: (item[0], item[1]))
    assert timeline[:3] == [
        ("2024", 10, "product_launched"),
        ("2024", 12, "sales_reported"),
        ("2025-03", 2, "company_registered"),  # undated: by its article's publication, before the 22nd
    ]
    assert timeline[-1] == ("2025-03-22", 9, "meeting_held")


def test_the_timeline_holds_the_facts_not_evidence_or_retractions(client: Client) -> None:
    types = {t for _, _, t in _timeline(client, "xiaomi")}

    assert "evidence_added" not in types
    assert "event_retracted" not in types
    assert len(_timeline(client, "xiaomi")) == sum(_get(client, "/companies/xiaomi")["counts"].values())


def test_the_timeline_counts_the_sources_added_as_evidence(client: Client) -> None:
    items = _get(client, "/companies/samsung-electronics/timeline")["items"]

    partnership = next(i for i in items if i["event"]["event"]["id"] == "0195bb26-3c00-7013-8a1d-5e3d00000013")
    assert partnership["source_count"] == 3


def test_the_timeline_type_filter_is_repeatable(client: Client) -> None:
    timeline = _timeline(client, "xiaomi", type=["sales_reported", "meeting_held"])

    assert timeline == [("2024", 12, "sales_reported"), ("2025-03-22", 9, "meeting_held")]


def test_the_later_seed_files_date_the_su7_launch_and_its_prices_to_the_day(seeded_client: Client) -> None:
    in_2024 = _timeline(seeded_client, "xiaomi", **{"from": "2024", "to": "2024"})

    assert [(day, t) for day, p, t in in_2024 if p > SEED["first_article"]][:2] == [
        ("2024-03-28", "product_launched"),
        ("2024-03-28", "price_announced"),
    ]


def test_the_timeline_from_and_to_filters_take_partial_dates(client: Client) -> None:
    in_2024 = _timeline(client, "xiaomi", **{"from": "2024", "to": "2024"})
    assert [(p, t) for _, p, t in in_2024 if p <= SEED["first_article"]] == [
        (10, "product_launched"),
        (12, "sales_reported"),
    ]
    march = _timeline(client, "samsung-electronics", **{"from": "2025-03", "to": "2025-03"})
    assert {day[:7] for day, _, _ in march} == {"2025-03"}
    assert march == sorted(march, key=lambda item: (item[0], item[1]))
    assert march[0] == ("2025-03", 1, "company_registered"), "undated facts go by their March article"
    assert [p for _, p, _ in march][-2:] == [21, 9], "the visit dated March, then the meeting of the 22nd"
    assert [p for _, p, _ in _timeline(client, "samsung-electronics", **{"from": "2025-03-22", "to": "2025"})] == [9]


def test_timeline_cursor_paging_visits_every_item_once_in_order(client: Client) -> None:
    everything = _get(client, "/companies/xiaomi/timeline", limit=1000)["items"]
    seen: list[Any] = []
    params: dict[str, Any] = {"limit": 2}
    for _ in range(100):
        page = _get(client, "/companies/xiaomi/timeline", **params)
        assert len(page["items"]) <= 2
        seen += page["items"]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]

    assert seen == everything
    assert len(everything) == sum(_get(client, "/companies/xiaomi")["counts"].values())


# -- meetings, sales, plans, relationships -----------------------------------------------


def test_xiaomi_met_samsung_in_beijing_on_2025_03_22(client: Client) -> None:
    (meeting,) = _get(client, "/companies/xiaomi/meetings")["items"]

    assert (meeting["kind"], meeting["role"], meeting["occurred_on"]) == ("meeting", "participant", "2025-03-22")
    assert meeting["location"]["city"] == "Beijing"
    assert meeting["counterparties"] == ["samsung-electronics"]
    assert meeting["occasion"] == "China Development Forum"
    assert {(p["company_id"], p["person_id"]) for p in meeting["participants"]} == {
        ("samsung-electronics", "jay-y-lee"),
        ("xiaomi", "lei-jun"),
    }


def test_samsung_meetings_include_the_visit_to_byd_in_shenzhen(client: Client) -> None:
    items = _get(client, "/companies/samsung-electronics/meetings")["items"]

    assert [(m["kind"], m["role"], m["occurred_on"], m["counterparties"]) for m in items] == [
        ("site_visit", "visitor", "2025-03", ["byd"]),
        ("meeting", "participant", "2025-03-22", ["xiaomi"]),
    ]
    assert items[0]["location"]["city"] == "Shenzhen"
    assert items[0]["site"] == "BYD headquarters"


def test_byd_hosted_the_visit(client: Client) -> None:
    (visit,) = _get(client, "/companies/byd/meetings")["items"]

    assert (visit["kind"], visit["role"], visit["counterparties"]) == ("site_visit", "host", ["samsung-electronics"])


def test_xiaomi_sales_of_2024(client: Client) -> None:
    units, revenue = _get(client, "/companies/xiaomi/sales")["items"]

    assert (units["period"], units["granularity"], units["measure"]) == ("2024", "year", "units")
    assert units["units"] == {"value": 137000, "approximate": True}
    assert (revenue["period"], revenue["measure"]) == ("2024", "revenue")
    assert revenue["revenue"] == {"amount": "4500000000", "currency": "USD", "approximate": True}
    assert [claim["sources"][0]["publisher"] for claim in units["claims"]] == [
        "German Xiaomi fan site (publisher name not given)"
    ]


def test_sales_are_ordered_by_period(client: Client) -> None:
    for period in ["2025-Q2", "2025", "2023", "2025-04"]:
        _append(client, {**_sales_2025(1000), "period": period})

    periods = [(f["period"], f["measure"]) for f in _get(client, "/companies/xiaomi/sales")["items"]]

    assert periods == [
        ("2023", "units"),
        ("2024", "units"),
        ("2024", "revenue"),
        ("2025", "units"),
        ("2025-Q2", "units"),
        ("2025-04", "units"),
    ]


def test_neither_of_xiaomi_plans_is_met(client: Client) -> None:
    plans = _get(client, "/companies/xiaomi/plans")

    assert sorted(p["plan_id"] for p in plans["items"]) == ["ev-production-2025", "international-expansion-2027"]
    assert {p["status"] for p in plans["items"]} <= {"pending", "unknown"}
    production = _plan(plans, "ev-production-2025")
    assert (production["metric"], production["target"]["value"], production["due"]) == (
        "units_produced",
        "350000",
        "2025",
    )


def test_samsung_supplies_xiaomi_chips_nand_and_oled(client: Client) -> None:
    suppliers = _get(client, "/companies/xiaomi/relationships")["suppliers"]

    samsung = [s for s in suppliers if s["counterparty"] == "samsung-electronics"]
    assert [(s["status"], s["components"]) for s in samsung] == [
        ("active", ["chips", "NAND flash memory", "OLED displays"])
    ]
    assert {s["counterparty"] for s in suppliers} == {"samsung-electronics", "samsung-sdi", "samsung-display"}
    customers = _get(client, "/companies/samsung-electronics/relationships")["customers"]
    assert [c["counterparty"] for c in customers] == ["xiaomi"]


def test_evidence_raises_the_source_count_of_a_relationship(client: Client) -> None:
    def supply() -> dict[str, Any]:
        suppliers = _get(client, "/companies/xiaomi/relationships")["suppliers"]
        return next(s for s in suppliers if s["event_id"] == SEED["supplies_chips_to_xiaomi"])

    assert supply()["source_count"] == 1
    more = {"title": "Samsung ships OLED panels to Xiaomi", "publisher": "The Elec", "language": "ko"}

    _append(client, {"type": "evidence_added", "sources": [more], "event_id": SEED["supplies_chips_to_xiaomi"]})

    assert supply()["source_count"] == 2
    assert supply()["sources"][-1]["title"] == more["title"]


def test_the_seed_pingbacks_count_as_sources_of_the_partnership(client: Client) -> None:
    partners = _get(client, "/companies/xiaomi/relationships")["partners"]

    (partnership,) = [p for p in partners if p["counterparty"] == "samsung-electronics"]
    assert partnership["source_count"] == 3
    assert [s["language"] for s in partnership["sources"]] == ["de", "es", "en"]


# -- issue 3: a plan met by a reported figure, as known at each moment -------------------


def test_a_2025_figure_above_target_meets_the_production_plan(client: Client) -> None:
    stored = _append(client, _production_2025(400000))

    plans = _get(client, "/companies/xiaomi/plans")

    production = _plan(plans, "ev-production-2025")
    assert production["status"] == "met"
    assert production["actual"] == "400000"
    assert Decimal(production["progress"]) >= 1
    open_plans = [p["plan_id"] for p in _get(client, "/companies/xiaomi")["open_plans"]]
    assert open_plans == ["international-expansion-2027"]
    assert _plan(_get(client, "/companies/xiaomi/plans", at_position=stored["position"]), "ev-production-2025")[
        "status"
    ] == ("met")


def test_the_plan_was_not_met_as_known_before_the_figure(client: Client) -> None:
    previous = _get(client, "/events", after=SEED["events"] - 1, limit=1)["items"][0]
    stored = _append(client, _production_2025(400000))
    assert stored["recorded_at"] > previous["recorded_at"]

    at_position = _get(client, "/companies/xiaomi/plans", at_position=previous["position"])
    as_of = _get(client, "/companies/xiaomi/plans", as_of=previous["recorded_at"])

    for plans in (at_position, as_of):
        assert _plan(plans, "ev-production-2025")["status"] != "met"
        assert _plan(plans, "ev-production-2025")["actual"] is None
    assert _get(client, "/companies/xiaomi", as_of=previous["recorded_at"])["last_position"] == previous["position"]


def test_a_retracted_figure_no_longer_meets_the_plan_but_stays_in_the_log(client: Client) -> None:
    figure = _append(client, _production_2025(400000))
    figure_id = figure["event"]["id"]

    retraction = _append(
        client,
        {"type": "event_retracted", "sources": [SOURCE], "event_id": figure_id, "reason": "The figure was a forecast."},
    )

    assert _plan(_get(client, "/companies/xiaomi/plans"), "ev-production-2025")["status"] != "met"
    assert _get(client, "/companies/xiaomi/production")["items"] == []
    dossier = _get(client, "/companies/xiaomi")
    assert "production_reported" not in dossier["counts"]
    # Counted again as known before the retraction, and no longer from its position on.
    assert _get(client, "/companies/xiaomi", at_position=figure["position"])["counts"]["production_reported"] == 1
    assert "production_reported" not in _get(client, "/companies/xiaomi", at_position=retraction["position"])["counts"]
    assert figure_id not in {i["event"]["event"]["id"] for i in _get(client, "/companies/xiaomi/timeline")["items"]}
    assert _get(client, f"/events/{figure_id}") == {
        **figure,
        "retracted": {
            "event_id": retraction["event"]["id"],
            "position": retraction["position"],
            "recorded_at": retraction["recorded_at"],
            "reason": "The figure was a forecast.",
            "sources": retraction["event"]["sources"],
        },
    }, "the stored event as it was, with who withdrew it, when and why"
    assert _get(client, f"/events/{retraction['event']['id']}") == retraction
    assert [i["position"] for i in _get(client, "/events", after=SEED["events"])["items"]] == [
        figure["position"],
        retraction["position"],
    ]


def test_before_its_retraction_the_figure_is_still_shown(client: Client) -> None:
    figure = _append(client, _production_2025(400000))
    _append(
        client,
        {"type": "event_retracted", "sources": [SOURCE], "event_id": figure["event"]["id"], "reason": "A forecast."},
    )

    plans = _get(client, "/companies/xiaomi/plans", at_position=figure["position"])

    assert _plan(plans, "ev-production-2025")["status"] == "met"
