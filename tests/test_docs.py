"""The interactive API docs page works offline: the app serves the page, every asset it loads, and the spec."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml
from litestar.testing import TestClient

from api.app import create_app
from api.http.keys import generate
from api.http.openapi import DOCS_PATH
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


class _References(HTMLParser):
    """Every URL the page makes a browser load: scripts, stylesheets, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name in ("src", "href"):
            if (url := found.get(name)) and (tag != "a"):
                self.urls.append(url)


@pytest.fixture(params=["open", "with keys"])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    """An open server, and one with API keys: the page, its assets and the spec need no key either way."""
    keys = ""
    if request.param == "with keys":
        (tmp_path / "keys").write_text(generate("read")[1] + "\n")
        keys = str(tmp_path / "keys")
    with TestClient(create_app(Settings(db=str(tmp_path / "docs.db"), keys_file=keys))) as client:
        yield client


def _page(client: TestClient, path: str = DOCS_PATH) -> tuple[str, list[str]]:  # type: ignore[type-arg]
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    parser = _References()
    parser.feed(response.text)
    return response.text, parser.urls


def test_docs_page_loads_only_assets_the_app_serves(client: TestClient) -> None:  # type: ignore[type-arg]
    page, urls = _page(client)
    assert "SwaggerUIBundle" in page
    assert any(url.endswith(".js") for url in urls) and any(url.endswith(".css") for url in urls)
    for url in urls:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc, f"{url} would need the internet"
        asset = client.get(urljoin(DOCS_PATH, url))
        assert asset.status_code == 200, url
        assert asset.content, url
        kind = asset.headers["content-type"]
        if url.endswith(".js"):
            assert "javascript" in kind, (url, kind)
        elif url.endswith(".css"):
            assert kind.startswith("text/css"), (url, kind)


def test_docs_page_shows_the_committed_document(client: TestClient) -> None:  # type: ignore[type-arg]
    page, _ = _page(client)
    spec = client.get("/schema/openapi.json")
    assert '"/schema/openapi.json"' in page
    assert spec.status_code == 200
    assert spec.json() == yaml.safe_load((ROOT / "openapi.yaml").read_text())


def test_schema_root_is_the_docs_page(client: TestClient) -> None:  # type: ignore[type-arg]
    assert _page(client, "/schema")[0] == _page(client)[0]
