"""The explorer's build fetches nothing from outside the page's own origin: no CDN font, script or style,
no source map on a remote host.

The static half of "the page works with the server cut off from everything but the browser"; the browser
half (every request of every view goes to the Tidings server) is ``test_the_page_works_offline`` in
tests/explorer/test_browser.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BUILT = Path(__file__).resolve().parents[2] / "api" / "http" / "explorer_static"
SERVED = ["index.html", "explorer.js", "explorer.css"]

# An absolute or protocol-relative URL: a scheme://, or // followed by a host name.
URL = re.compile(r"""(?:\b[a-z][a-z0-9+.-]*:)?//[a-z0-9-]+(?:\.[a-z0-9-]+)+[^\s"'`)<>]*""", re.IGNORECASE)
# Names, not addresses: the XML namespace an SVG element is created in is never fetched.
NAMESPACES = {"http://www.w3.org/2000/svg"}


def test_the_built_files_are_the_ones_checked() -> None:
    # explorer.js.LEGAL.txt is the bundled licences' text, which the page never loads.
    assert sorted(path.name for path in BUILT.iterdir()) == sorted([*SERVED, "explorer.js.LEGAL.txt"])


@pytest.mark.parametrize("name", SERVED)
def test_the_page_references_no_url_outside_its_own_origin(name: str) -> None:
    text = (BUILT / name).read_text(encoding="utf-8")
    remote = sorted(set(URL.findall(text)) - NAMESPACES)
    assert remote == [], f"{name} references {remote}: the page must work with no network but the server's"


def test_the_bundle_names_no_source_map_and_the_style_sheet_imports_nothing() -> None:
    assert "sourceMappingURL" not in (BUILT / "explorer.js").read_text(encoding="utf-8")
    css = (BUILT / "explorer.css").read_text(encoding="utf-8")
    assert "@import" not in css
    assert [u for u in re.findall(r"url\(\s*['\"]?([^'\")]*)", css) if not u.startswith(("data:", "/", "#"))] == []


def test_the_page_loads_its_assets_from_its_own_origin() -> None:
    html = (BUILT / "index.html").read_text(encoding="utf-8")
    references = re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)""", html)
    assert references, "index.html names no asset: the check would prove nothing"
    foreign = [r for r in references if not r.startswith(("/", "#", "data:"))]
    assert foreign == []
