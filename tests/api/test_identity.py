"""Roles over time and identity over HTTP, from the seeds: where a reader looks (the dossier, /people, /search)."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

Client = TestClient  # type: ignore[type-arg]


def _get(client: Client, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_jay_y_lee_is_executive_chairman_with_his_earlier_role_ended(seeded_client: Client) -> None:
    (samsung,) = _get(seeded_client, "/people/jay-y-lee")["roles"]

    assert (samsung["role"], samsung["current"], samsung["started_on"], samsung["ended_on"]) == (
        "Executive Chairman",
        True,
        "2022-10-27",
        None,
    )
    assert [(t["role"], t["started_on"], t["ended_on"], t["current"]) for t in samsung["tenures"]] == [
        ("Vice Chairman", "2012-12", "2022-10-27", False),
        ("Executive Chairman", "2022-10-27", None, True),
    ]
    assert "President" in {claim["role"] for claim in samsung["claims"]}, "the undated report stays a claim"


def test_the_dossier_shows_roles_with_dates_and_tickers_with_their_exchanges(seeded_client: Client) -> None:
    profile = _get(seeded_client, "/companies/samsung-electronics")["profile"]

    executives = {e["person_id"]: e for e in profile["executives"]}
    assert (executives["jun-young-hyun"]["current"], executives["jun-young-hyun"]["started_on"]) == (True, "2024-05-21")
    assert (executives["kyung-kye-hyun"]["current"], executives["kyung-kye-hyun"]["ended_on"]) == (False, "2024-05-21")
    assert [(i["value"], i["exchange"]) for i in profile["identifiers"] if i["scheme"] == "ticker"] == [
        ("005930", "KRX")
    ]
    xiaomi = _get(seeded_client, "/companies/xiaomi")["profile"]
    assert [(i["value"], i["exchange"]) for i in xiaomi["identifiers"]] == [("1810", "HKEX")]


def test_panasonic_shows_its_new_name_its_former_name_and_its_updated_profile(seeded_client: Client) -> None:
    profile = _get(seeded_client, "/companies/panasonic")["profile"]

    assert profile["name"] == "Panasonic Holdings Corporation"
    assert [(f["name"], f["until"]) for f in profile["former_names"]] == [("Panasonic Corporation", "2022-04-01")]
    assert profile["aliases"] == ["Panasonic", "Panasonic Holdings"]
    assert profile["sectors"] == ["electronics", "batteries", "home appliances"]


def test_search_finds_samsung_by_its_korean_name(seeded_client: Client) -> None:
    hits = _get(seeded_client, "/search", q="삼성전자")["items"]

    assert ("company", "samsung-electronics") in {(h["kind"], h["id"]) for h in hits}
