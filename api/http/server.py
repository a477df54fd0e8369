"""uvicorn as ``tidings serve`` runs it (the default server; api/http/serving.py picks it or Granian).

uvloop and httptools, chosen by measurement (bench/RESULTS.md, "#20 — the HTTP edge"): the app,
not the server, is the bottleneck, and uvicorn lets the app answer what its parser refuses.
One gap is closed here: httptools (llhttp) sets no
limit on the size of a request head, so a client could stream headers without end into
memory. ``BoundedHttpTools`` answers a 431 problem and closes the connection once a request
head passes ``MAX_HEAD_BYTES`` (Granian's own limit is hyper's read buffer and 100 headers; h11's 16 KiB).
Requests the parser refuses as invalid HTTP get a 400 problem rather than uvicorn's text/plain;
both carry a request id, as every problem does.
"""

from __future__ import annotations

from typing import Any

import msgspec
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from api.http.logs import access, new_request_id
from schema.problems import Problem

__all__ = ["MAX_HEAD_BYTES", "BoundedHttpTools", "server_options"]

MAX_HEAD_BYTES = 64 * 1024
"""The request line and headers together; far above what any client of the API sends."""

_REASONS = {400: b"Bad Request", 431: b"Request Header Fields Too Large"}


def _refusal(status: int, kind: str, title: str, detail: str) -> bytes:
    """A whole HTTP/1.1 answer with a problem body, for a request the parser refused before the app saw it.

    It carries a request id of its own, in the header and the body as every problem does, and the
    refusal is logged with it as an access line (the app never sees the request, so nothing else would).
    """
    request_id = new_request_id()
    body = msgspec.json.encode(
        Problem(
            type=f"urn:tidings:problem:{kind}",
            title=title,
            status=status,
            detail=detail,
            request_id=request_id,
        )
    )
    access.info(
        "- (unparsed) %d",
        status,
        extra={"method": None, "route": "(unparsed)", "status": status, "request_id": request_id, "key_id": None},
    )
    return (
        b"HTTP/1.1 %d %s\r\n"
        b"content-type: application/problem+json\r\n"
        b"cache-control: no-store\r\n"
        b"x-content-type-options: nosniff\r\n"
        b"x-request-id: %s\r\n"
        b"content-length: %d\r\n"
        b"connection: close\r\n\r\n%s" % (status, _REASONS[status], request_id.encode(), len(body), body)
    )


def _head_too_large() -> bytes:
    return _refusal(
        431,
        "headers-too-large",
        "Request headers too large",
        f"The request line and headers together exceed {MAX_HEAD_BYTES} bytes; nothing was read further.",
    )


def _not_http(reason: str) -> bytes:
    return _refusal(
        400,
        "malformed-request",
        "Malformed request",
        f"The request is not valid HTTP/1.1 ({reason.rstrip('.')}); the connection is closed.",
    )


class _HeadTooLarge(Exception):
    """Raised from a parser callback: httptools stops parsing, uvicorn calls send_400_response."""


class BoundedHttpTools(HttpToolsProtocol):  # type: ignore[misc]
    """uvicorn's httptools protocol with a bound on the size of each request head.

    Two counts, each never more than the head's real size: the parsed request line and headers
    (exact, for a head that arrives in one read), and the raw bytes of reads that ended before
    the head did (for a head that never ends, which httptools would otherwise buffer whole).
    """

    _head_bytes = 0
    _raw_head_bytes = 0
    _in_head = True
    _refused = False

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = self._raw_head_bytes = 0
        self._in_head = True

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)  # ": " and CRLF
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > MAX_HEAD_BYTES:
            raise _HeadTooLarge

    def send_400_response(self, msg: str) -> None:
        if self._head_bytes > MAX_HEAD_BYTES:
            self._refuse()
        elif not self.transport.is_closing():
            self.transport.write(_not_http(msg))
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        in_head = self._in_head
        super().data_received(data)
        if in_head and self._in_head:  # the head did not end within this read
            self._raw_head_bytes += len(data)
            if self._raw_head_bytes > MAX_HEAD_BYTES:
                self._refuse()

    def _refuse(self) -> None:
        self._refused = True
        if not self.transport.is_closing():
            self.transport.write(_head_too_large())
            self.transport.close()


def server_options() -> dict[str, Any]:
    """uvicorn.Config options shared by `tidings serve` and the benchmark's minimal app."""
    return {"loop": "uvloop", "http": BoundedHttpTools}
