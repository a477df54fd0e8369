"""How ``tidings serve`` runs the app: uvicorn with uvloop and httptools, the request head bounded.

Chosen by measurement (bench/RESULTS.md): on this machine uvicorn+uvloop+httptools and
granian serve Tidings equally fast (the app, not the server, is the bottleneck), and
uvicorn is the faster of the two for the minimal app; uvicorn also gives the graceful
shutdown `tidings serve` relies on. One gap is closed here: httptools (llhttp) sets no
limit on the size of a request head, so a client could stream headers without end into
memory. ``BoundedHttpTools`` answers 431 and closes the connection once a request head
passes ``MAX_HEAD_BYTES`` (granian's own limit is its 400 KiB HTTP/1 buffer; h11's 16 KiB).
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

__all__ = ["MAX_HEAD_BYTES", "BoundedHttpTools", "server_options"]

MAX_HEAD_BYTES = 64 * 1024
"""The request line and headers together; far above what any client of the API sends."""

_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 36\r\n"
    b"connection: close\r\n\r\n"
    b"The request headers are too large.\r\n"
)


class BoundedHttpTools(HttpToolsProtocol):  # type: ignore[misc]
    """uvicorn's httptools protocol with a bound on the bytes received before the headers end."""

    _head_bytes = 0
    _in_head = True

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._in_head = True

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        in_head = self._in_head
        super().data_received(data)
        if in_head and self._in_head:  # the head did not end within this chunk
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
                self.transport.write(_TOO_LARGE)
                self.transport.close()


def server_options() -> dict[str, Any]:
    """uvicorn.Config options shared by `tidings serve` and the benchmark's minimal app."""
    return {"loop": "uvloop", "http": BoundedHttpTools}
