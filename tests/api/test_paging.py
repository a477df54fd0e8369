"""Every paged list pages alike: while more may follow, ``Link: rel="next"`` holds the URL of the next
page (the same query, the continuation set), and following it reads every item once, in order."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from litestar.testing import TestClient

Client = TestClient  # type: ignore[type-arg]

_NEXT = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')
DOC = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())

# Each paged list: its first page, where its items are, and what identifies one.
LISTS: dict[str, tuple[str, str, str]] = {
    "/events": ("/events?limit=4", "items", "position"),
    "/companies": ("/companies?limit=1", "items", "company_id"),
    "/people": ("/people?limit=1", "items", "person_id"),
    "/companies/{company_id}/timeline": (
        "/companies/xiaomi/timeline?limit=2&type=meeting_held&type=sales_reported&type=plan_announced&type=product_launched",
        "items",
        "event.position",
    ),
}


def _key(item: dict[str, Any], key: str) -> Any:
    for name in key.split("."):
        item = item[name]
    return item


def _follow(client: Client, url: str, items: str) -> tuple[list[Any], list[str]]:
    seen: list[Any] = []
    urls = [url]
    while True:
        response = client.get(urls[-1])
        assert response.status_code == 200, response.text
        seen += response.json()[items]
        link = response.headers.get("link")
        if link is None:
            return seen, urls
        match = _NEXT.match(link)
        assert match, link
        urls.append(match["url"])
        assert len(urls) < 100


@pytest.mark.parametrize("path", list(LISTS))
def test_following_link_next_reads_the_whole_list_once(client: Client, path: str) -> None:
    first, items, key = LISTS[path]
    if path == "/people":  # the seed names two people: a third makes three pages
        third = {
            "type": "executive_reported",
            "person_id": "lu-weibing",
            "name": "Lu Weibing",
            "company_id": "xiaomi",
            "role": "President",
            "sources": [{"title": "Xiaomi's president", "publisher": "Reuters", "language": "en"}],
        }
        assert client.post("/events", json=third).status_code == 201
    whole = client.get(re.sub(r"limit=\d+", "limit=1000", first)).json()[items]

    paged, urls = _follow(client, first, items)

    assert len(urls) > 2, urls  # the table pages each list several times
    assert [_key(item, key) for item in paged] == [_key(item, key) for item in whole]
    # The next page keeps the request's own filters.
    query = first.partition("?")[2].split("&")
    assert all(part in urls[1] for part in query if not part.startswith(("after=", "cursor="))), urls[1]


@pytest.mark.parametrize("path", list(LISTS))
def test_the_last_page_has_no_link(client: Client, path: str) -> None:
    first, _, _ = LISTS[path]
    response = client.get(re.sub(r"limit=\d+", "limit=1000", first))

    assert response.status_code == 200
    assert "link" not in response.headers


def test_every_paged_list_documents_its_link_header() -> None:
    paged = {
        path
        for path, item in DOC["paths"].items()
        if any(p["name"] in ("cursor", "after") for p in item.get("get", {}).get("parameters", []))
        and path != "/events/stream"
    }
    # The parked events of a subscription page too (tests/api/test_subscriptions.py follows their Link).
    assert paged == {*LISTS, "/conflicts", "/subscriptions/{name}/parked"}
    for path in paged:
        assert "Link" in DOC["paths"][path]["get"]["responses"]["200"]["headers"], path
