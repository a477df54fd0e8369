"""Answers of a company's read models: its ETag, If-None-Match and 304, and loading the model at a read point."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from litestar import Request, Response
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import PathParameter

from api.errors import CompanyNotFound, InvalidInput
from api.http import answers
from api.http.hardening import vary
from api.http.openapi.extras import Extras, Link
from api.http.routes.injected import Store
from api.http.routes.parameters import constrained
from api.http.routes.responses import problems
from api.projections.company_rows import CompanyRows
from api.store.readpoint import ReadPoint
from schema.base import CompanyId
from schema.events import CompanyRegistered
from schema.problems import FieldError

__all__ = [
    "CONTENT_ENCODING",
    "ETAG",
    "VARY",
    "answer",
    "coded",
    "not_modified",
    "IF_NONE_MATCH",
    "NOT_MODIFIED",
    "PATH_COMPANY",
    "READ_PROBLEMS",
    "CompanyPath",
    "cached",
    "company_etag",
    "conditional",
    "load",
]


ETAG = ResponseHeader(
    name="ETag",
    required=True,
    description="The company's version (and, where plan status is shown, the day it was evaluated). Send it as If-None-Match.",
    documentation_only=True,
)
CONTENT_ENCODING = ResponseHeader(
    name="Content-Encoding",
    description=(
        "`zstd` (RFC 8878) when the request's Accept-Encoding takes it, for a read of the latest state (the ETag "
        "is the same). Otherwise absent: the body is sent as it is."
    ),
    documentation_only=True,
)
VARY = ResponseHeader(
    name="Vary",
    description="`Accept-Encoding` (and `Origin` where CORS answers): the request headers the answer depends on.",
    documentation_only=True,
)
_ZSTD = {"Content-Encoding": "zstd"}
NOT_MODIFIED = {304: ResponseSpec(data_container=None, description="Unchanged since the ETag sent in If-None-Match.")}
_ETAGS = r'^(?:\*|(?:W/)?"[\x21\x23-\x7e]*"(?:[ \t]*,[ \t]*(?:W/)?"[\x21\x23-\x7e]*")*)$'
"""An If-None-Match value (RFC 9110, 13.1.2): ``*``, or entity tags separated by commas."""
_ETAGS_LENGTH = 1024
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETags of a copy the client holds (or `*`): when one is current the answer is 304 without a body.",
    "schema": {"type": "string", "maxLength": _ETAGS_LENGTH, "pattern": _ETAGS},
}
PATH_COMPANY = "$request.path.company_id"


def conditional(links: dict[str, Link] | None = None) -> dict[str, Extras]:
    """The OpenAPI extras of a read that can answer 304: If-None-Match (read by ``_not_modified``, not
    a handler argument) and a link that revalidates the copy just received."""
    revalidate = Link(
        parameters={"company_id": PATH_COMPANY, "header.If-None-Match": "$response.header.ETag"},
        description="Ask again with the ETag received: 304 while nothing changed.",
    )
    return {"openapi": Extras(links={**(links or {}), "Revalidate": revalidate}, parameters=[IF_NONE_MATCH])}


READ_PROBLEMS = problems(404, 422, 503)


async def load(
    store: Store, model: str, company_id: str, point: NamedDependency[ReadPoint]
) -> tuple[CompanyRows, dict[str, CompanyRegistered]]:
    found = await store.read_model(model, company_id, point)
    if found is None:
        raise CompanyNotFound(company_id)
    return found


def not_modified(request: Request[Any, Any, Any], etag: str) -> Response[Any] | None:
    """A 304 when If-None-Match holds ``etag`` (in either form)."""
    sent = request.headers.get("if-none-match")
    if sent is not None and (len(sent) > _ETAGS_LENGTH or not re.match(_ETAGS, sent)):
        got = json.dumps(sent[:60])
        expected = f'entity tags such as "3" or W/"3", separated by commas, or *, at most {_ETAGS_LENGTH} characters'
        code = "length" if len(sent) > _ETAGS_LENGTH else "pattern"
        raise InvalidInput([FieldError("header.If-None-Match", f"got {got}; expected {expected}", code=code)])
    # If-None-Match uses the weak comparison (RFC 9110 13.1.2): a proxy may have weakened our tag.
    if sent is not None and (sent.strip() == "*" or etag in (t.strip().removeprefix("W/") for t in sent.split(","))):
        return Response(None, status_code=304, headers={"ETag": etag})
    return None


def answer(body: Any, etag: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(body, headers={"ETag": etag, "Cache-Control": "no-cache", **(headers or {})})


def coded(request: Request[Any, Any, Any], etag: str, packed: bytes | None, plain: Callable[[], Any]) -> Response[Any]:
    """A read the answer cache may keep (``answers``): the ``packed`` bytes with ``Content-Encoding: zstd``
    to a client that takes zstd, else ``plain()``; either way a 304 when the client's copy is current, and
    an answer that varies on Accept-Encoding (None: not packed, as just after midnight; sent as it is).

    Both codings carry the same strong ETag: it names the company's version, which ``If-Match`` on an
    append takes (a weak tag never matches there), and no answer is served in ranges, where bytes of the
    two could mix."""
    vary(request.scope, "Accept-Encoding")
    if (unchanged := not_modified(request, etag)) is not None:
        return unchanged
    if packed is not None and answers.takes_zstd(request.scope["headers"]):
        return answer(packed, etag, _ZSTD)
    return answer(plain(), etag)


def cached(request: Request[Any, Any, Any], body: Any, etag: str) -> Response[Any]:
    return not_modified(request, etag) or answer(body, etag)


def company_etag(
    version: int, evaluated: datetime | None = None, names: dict[str, CompanyRegistered] | None = None
) -> str:
    """The company's version; the day plan status was evaluated on; and, where other companies'
    names are shown, a digest of the registrations they come from and the names in effect (a rename changes it)."""
    tag = str(version) if evaluated is None else f"{version}-{evaluated:%Y%m%d}"
    if names:
        digest = hashlib.blake2b(digest_size=6)
        for company in sorted(names):
            event_id = names[company].id
            digest.update(event_id.bytes if event_id is not None else company.encode())
            digest.update(names[company].name.encode())  # a company_renamed keeps the registration
        tag = f"{tag}-{digest.hexdigest()}"
    return f'"{tag}"'


CompanyPath = Annotated[CompanyId, constrained(PathParameter, CompanyId, description="The company's id.")]
