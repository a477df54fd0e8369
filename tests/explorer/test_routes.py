"""GET /explore and its views: the same page on every view route, public on a keyed server, its assets
cached by content, nothing fetched from elsewhere, and none of it in the API document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from litestar.testing import TestClient

from api.app import create_app
from api.http.keys import generate
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
VIEWS = [
    "/explore",
    "/explore/search",
    "/explore/companies/xiaomi",
    "/explore/people/lei-jun",
    "/explore/graph",
    "/explore/conflicts",
]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    """A seeded app with a keys file: every API operation needs a key."""
    keys = tmp_path / "keys"
    keys.write_text(generate("read")[1] + "\n")
    settings = Settings(db=str(tmp_path / "explorer.db"), seed=True, keys_file=str(keys), rate_limit=0)
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize("path", VIEWS)
def test_every_view_route_serves_the_page_without_a_key(client: TestClient, path: str) -> None:  # type: ignore[type-arg]
    answer = client.get(f"{path}?at_position=5&company=xiaomi")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.headers["cache-control"] == "no-cache"
    assert '<main id="main"' in answer.text
    assert answer.text == client.get("/explore").text
    assert client.get("/companies/xiaomi").status_code == 401  # the data itself still needs the key


def test_assets_are_named_by_content_and_kept_a_year(client: TestClient) -> None:  # type: ignore[type-arg]
    page = client.get("/explore").text
    assets = re.findall(r'(?:src|href)="(/explore/static/[^"]+)"', page)
    assert {asset.split("?")[0] for asset in assets} == {"/explore/static/explorer.js", "/explore/static/explorer.css"}
    for asset in assets:
        answer = client.get(asset)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert asset.endswith(f"?v={answer.headers['etag'].strip(chr(34))}")
        again = client.get(asset, headers={"If-None-Match": answer.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
    assert client.get("/explore/static/explorer.js").headers["content-type"].startswith("text/javascript")


def test_the_page_revalidates_with_its_etag(client: TestClient) -> None:  # type: ignore[type-arg]
    first = client.get("/explore/graph")
    assert client.get("/explore/conflicts", headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_an_unknown_asset_is_a_404_problem(client: TestClient) -> None:  # type: ignore[type-arg]
    answer = client.get("/explore/static/secrets.txt")
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert client.get("/explore/static/..%2Fkeys.py").status_code == 404


def test_the_page_fetches_nothing_from_elsewhere(client: TestClient) -> None:  # type: ignore[type-arg]
    """Offline: the page, its style sheet and its script load nothing but the server's own URLs."""
    page = client.get("/explore").text
    css = client.get("/explore/static/explorer.css").text
    script = client.get("/explore/static/explorer.js").text
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    assert "url(" not in css and "@import" not in css
    # The only absolute URL the bundle holds is the SVG namespace, an identifier, never fetched.
    assert set(re.findall(r"https?://[\w./-]+", script)) <= {"http://www.w3.org/2000/svg"}


def test_the_routes_are_not_in_the_api_document() -> None:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    assert not [path for path in spec["paths"] if path.startswith("/explore")]
