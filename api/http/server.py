"""How ``tidings serve`` runs the app: uvicorn with uvloop and httptools, the request head bounded.

Chosen by measurement (bench/RESULTS.md): on this machine uvicorn+uvloop+httptools and
granian serve Tidings equally fast (the app, not the server, is the bottleneck), and
uvicorn is the faster of the two for the minimal app; uvicorn also gives the graceful
shutdown `tidings serve` relies on. One gap is closed here: httptools (llhttp) sets no
limit on the size of a request head, so a client could stream headers without end into
memory. ``BoundedHttpTools`` answers a 431 problem and closes the connection once a request
head passes ``MAX_HEAD_BYTES`` (granian's own limit is its 400 KiB HTTP/1 buffer; h11's 16 KiB).
"""

from __future__ import annotations

from typing import Any

import msgspec
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from schema.problems import Problem

__all__ = ["MAX_HEAD_BYTES", "BoundedHttpTools", "server_options"]

MAX_HEAD_BYTES = 64 * 1024
"""The request line and headers together; far above what any client of the API sends."""

_PROBLEM = msgspec.json.encode(
    Problem(
        type="urn:tidings:problem:headers-too-large",
        title="Request headers too large",
        status=431,
        detail=f"The request line and headers together exceed {MAX_HEAD_BYTES} bytes; nothing was read further.",
    )
)
_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: application/problem+json\r\n"
    b"cache-control: no-store\r\n"
    b"x-content-type-options: nosniff\r\n"
    b"content-length: %d\r\n"
    b"connection: close\r\n\r\n%s" % (len(_PROBLEM), _PROBLEM)
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
        else:
            super().send_400_response(msg)

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
            self.transport.write(_TOO_LARGE)
            self.transport.close()


def server_options() -> dict[str, Any]:
    """uvicorn.Config options shared by `tidings serve` and the benchmark's minimal app."""
    return {"loop": "uvloop", "http": BoundedHttpTools}
