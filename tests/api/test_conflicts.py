"""Disputes: GET /conflicts across the store and GET /companies/{id}/conflicts for one company."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

Client = TestClient  # type: ignore[type-arg]


def _source(publisher: str, published_on: str) -> dict[str, Any]:
    return {"title": f"{publisher} report", "publisher": publisher, "language": "en", "published_on": published_on}


def _units(client: Client, company: str, units: int, source: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {"type": "sales_reported", "company_id": company, "period": "2025", "units": {"value": units}}
    response = client.post("/events", json={**body, "sources": [source], **extra})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _get(client: Client, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_seed_store_has_no_disputes(client: Client) -> None:
    assert _get(client, "/conflicts") == {"items": [], "next_cursor": None}
    assert _get(client, "/companies/xiaomi/conflicts")["items"] == []


def test_two_publishers_disagreeing_make_a_dispute_with_every_claim(client: Client) -> None:
    _units(client, "xiaomi", 300000, _source("CnEVPost", "2026-01-02"))
    later = _units(client, "xiaomi", 410000, _source("Reuters", "2026-03-24"))

    (conflict,) = _get(client, "/conflicts")["items"]

    assert (conflict["company_id"], conflict["kind"], conflict["latest_position"]) == (
        "xiaomi",
        "sales",
        later["position"],
    )
    figure = conflict["sales"]
    assert (figure["period"], figure["units"]["value"], figure["decided_by"]) == ("2025", 410000, "published_on")
    assert [c["units"]["value"] for c in figure["claims"]] == [410000, 300000]
    assert _get(client, "/companies/xiaomi/conflicts")["items"] == [conflict]
    assert _get(client, "/conflicts", since=later["position"])["items"] == [], "nothing new since"
    assert _get(client, "/conflicts", since=later["position"] - 1)["items"] == [conflict]
    assert _get(client, "/conflicts", known_on="2026-02-01")["items"] == [], "one claim was public then"
    assert _get(client, "/conflicts", company="samsung-electronics")["items"] == []
    assert _get(client, "/conflicts", company="xiaomi", kind="sales")["items"] == [conflict]


def test_agreeing_claims_and_one_report_of_units_and_revenue_are_no_dispute(client: Client) -> None:
    _units(client, "xiaomi", 410000, _source("Reuters", "2026-03-24"))
    approximate = {"value": 409000, "approximate": True}
    response = client.post(
        "/events",
        json={
            "type": "sales_reported",
            "company_id": "xiaomi",
            "period": "2025",
            "units": approximate,
            "sources": [_source("CnEVPost", "2026-01-02")],
        },
    )
    assert response.status_code == 201

    assert _get(client, "/conflicts")["items"] == []
    (figure,) = [f for f in _get(client, "/companies/xiaomi/sales")["items"] if f["period"] == "2025"]
    assert (figure["disputed"], figure["decided_by"]) == (False, "agreement")


def test_conflicts_page_by_company_with_a_next_link(client: Client) -> None:
    for company in ("xiaomi", "samsung-electronics"):
        _units(client, company, 300000, _source("CnEVPost", "2026-01-02"))
        _units(client, company, 410000, _source("Reuters", "2026-03-24"))

    first = client.get("/conflicts", params={"limit": 1})
    page = first.json()
    second = _get(client, "/conflicts", limit=1, cursor=page["next_cursor"])

    assert [c["company_id"] for c in page["items"]] == ["samsung-electronics"]
    assert page["next_cursor"] == "samsung-electronics"
    assert first.headers["link"] == '</conflicts?limit=1&cursor=samsung-electronics>; rel="next"'
    assert [c["company_id"] for c in second["items"]] == ["xiaomi"]
    assert _get(client, "/conflicts", limit=1, cursor="xiaomi") == {"items": [], "next_cursor": None}
    assert [c["company_id"] for c in _get(client, "/conflicts")["items"]] == ["samsung-electronics", "xiaomi"]


def test_conflicts_of_other_kinds_are_listed_and_filtered_by_kind(client: Client) -> None:
    def relationship(status: str, source: dict[str, Any]) -> None:
        body = {"type": "relationship_reported", "from_company_id": "catl", "to_company_id": "byd", "kind": "supplies"}
        response = client.post("/events", json={**body, "status": status, "sources": [source]})
        assert response.status_code == 201, response.text

    relationship("active", _source("Reuters", "2026-01-05"))
    relationship("ended", _source("CnEVPost", "2026-02-01"))
    _units(client, "xiaomi", 300000, _source("CnEVPost", "2026-01-02"))
    _units(client, "xiaomi", 410000, _source("Reuters", "2026-03-24"))

    every = _get(client, "/conflicts")["items"]
    only = _get(client, "/conflicts", kind="relationship")["items"]

    assert [(c["company_id"], c["kind"]) for c in every] == [
        ("byd", "relationship"),
        ("catl", "relationship"),
        ("xiaomi", "sales"),
    ]
    assert only == every[:2]
    assert (only[0]["relationship"]["status"], only[0]["sales"]) == ("ended", None)
    assert [c["status"] for c in only[0]["relationship"]["claims"]] == ["ended", "active"]
    assert _get(client, "/conflicts", kind="executive")["items"] == []
    assert _get(client, "/companies/byd/conflicts")["items"] == [every[0]]


def test_a_retraction_settles_a_dispute(client: Client) -> None:
    _units(client, "xiaomi", 300000, _source("CnEVPost", "2026-01-02"))
    wrong = _units(client, "xiaomi", 410000, _source("Reuters", "2026-03-24"))
    retraction = {
        "type": "event_retracted",
        "event_id": wrong["event"]["id"],
        "reason": "Misread",
        "sources": [_source("Reuters", "2026-03-25")],
    }
    assert client.post("/events", json=retraction).status_code == 201

    assert _get(client, "/conflicts")["items"] == []
    assert _get(client, "/conflicts", at_position=wrong["position"])["items"] != [], "as it stood before"


def test_bad_conflict_parameters_are_problems(client: Client) -> None:
    for params, path in (
        ({"kind": "plans"}, "query.kind"),
        ({"kind": "meeting"}, "query.kind"),
        ({"since": "-1"}, "query.since"),
        ({"cursor": "Not A Slug"}, "query.cursor"),
        ({"limit": "0"}, "query.limit"),
    ):
        response = client.get("/conflicts", params=params)
        assert response.status_code in (400, 422), response.text
        assert [e["path"] for e in response.json()["errors"]] == [path]


def test_company_and_kind_may_be_repeated(client: Client) -> None:
    for company in ("xiaomi", "samsung-electronics", "byd"):
        _units(client, company, 300000, _source("CnEVPost", "2026-01-02"))
        _units(client, company, 410000, _source("Reuters", "2026-03-24"))

    two = _get(client, "/conflicts", company=["xiaomi", "byd"], kind=["sales", "plan"])
    first = client.get("/conflicts", params={"company": ["xiaomi", "byd"], "limit": 1})

    assert [c["company_id"] for c in two["items"]] == ["byd", "xiaomi"]
    assert (first.json()["next_cursor"], [c["company_id"] for c in first.json()["items"]]) == ("byd", ["byd"])
    assert "cursor=byd" in first.headers["link"]
    rest = _get(client, "/conflicts", company=["xiaomi", "byd"], limit=1, cursor="byd")
    assert ([c["company_id"] for c in rest["items"]], rest["next_cursor"]) == (["xiaomi"], None)
    assert _get(client, "/conflicts", company=["xiaomi"], kind=["plan"])["items"] == []


def test_pages_of_one_dispute_find_each_kind_in_company_order(client: Client) -> None:
    """A page looks for the candidates of each kind up to the last company an earlier kind filled the
    page with: the sales dispute at xiaomi comes after the relationship disputes of byd and catl."""
    for status, source in (("active", _source("Reuters", "2026-01-05")), ("ended", _source("CnEVPost", "2026-02-01"))):
        body = {"type": "relationship_reported", "from_company_id": "catl", "to_company_id": "byd"}
        response = client.post("/events", json={**body, "kind": "supplies", "status": status, "sources": [source]})
        assert response.status_code == 201, response.text
    _units(client, "xiaomi", 300000, _source("CnEVPost", "2026-01-02"))
    _units(client, "xiaomi", 410000, _source("Reuters", "2026-03-24"))

    pages, cursor = [], None
    while True:
        page = _get(client, "/conflicts", limit=1, **({"cursor": cursor} if cursor else {}))
        pages.append([(c["company_id"], c["kind"]) for c in page["items"]])
        if (cursor := page["next_cursor"]) is None:
            break

    assert pages[:3] == [[("byd", "relationship")], [("catl", "relationship")], [("xiaomi", "sales")]]
    assert all(page == [] for page in pages[3:])
    assert [(c["company_id"], c["kind"]) for c in _get(client, "/conflicts")["items"]] == [p[0] for p in pages[:3]]
