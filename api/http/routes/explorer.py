"""The explorer page (``GET /explore`` and one route per view): the built front end of ``explorer/``.

Every view route answers the same ``index.html`` (the page routes on the client); the page holds no
data, so it is public, and reads the API with the key the person types into it. The routes are left
out of the API document (``include_in_schema=False``): they are a page, not operations, so auth,
strict parameters and content negotiation leave them alone (api/http/auth.py, guards.py, negotiation.py).

The assets are package data built by ``make explorer`` (esbuild), so serving needs no Node.js. They
are read once; the page names each asset with its content hash (``explorer.js?v=…``), so a browser
may keep an asset for a year, and revalidates only the page itself (``no-cache`` with an ETag).
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from typing import Any

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.status_codes import HTTP_304_NOT_MODIFIED

__all__ = ["explorer_handlers"]

_ASSETS = {"explorer.js": "text/javascript", "explorer.css": "text/css"}
_VIEWS = ["/explore", "/explore/search", "/explore/graph", "/explore/conflicts"]
_PAGE_CACHE = "no-cache"
_ASSET_CACHE = "public, max-age=31536000, immutable"


class _Built:
    """The page and its assets as built into the package, with their ETags."""

    def __init__(self) -> None:
        folder = resources.files("api.http") / "explorer_static"
        self.assets = {name: (folder / name).read_bytes() for name in _ASSETS}
        self.tags = {name: hashlib.sha256(body).hexdigest()[:16] for name, body in self.assets.items()}
        page = (folder / "index.html").read_text()
        for name, tag in self.tags.items():
            page = page.replace(f"/explore/static/{name}", f"/explore/static/{name}?v={tag}")
        self.page = page.encode()
        self.page_tag = hashlib.sha256(self.page).hexdigest()[:16]


@functools.cache
def _built() -> _Built:
    return _Built()


def _answer(request: Request[Any, Any, Any], body: bytes, tag: str, media_type: str, cache: str) -> Response[bytes]:
    etag = f'"{tag}"'
    headers = {"Cache-Control": cache, "ETag": etag}
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(b"", status_code=HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


@get([*_VIEWS, "/explore/companies/{company_id:str}", "/explore/people/{person_id:str}"], include_in_schema=False)
async def explorer_page(request: Request[Any, Any, Any]) -> Response[bytes]:
    built = _built()
    return _answer(request, built.page, built.page_tag, "text/html", _PAGE_CACHE)


@get("/explore/static/{name:str}", include_in_schema=False)
async def explorer_asset(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    if name not in _ASSETS:
        raise NotFoundException(detail=f"The explorer has no asset {name!r}.")
    built = _built()
    return _answer(request, built.assets[name], built.tags[name], _ASSETS[name], _ASSET_CACHE)


explorer_handlers = [explorer_page, explorer_asset]
