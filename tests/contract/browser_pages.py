"""A tiny local web server for the browser adapter tests, and the pages they load.

Routes are plain functions of the request, so a test module declares exactly the pages it needs.
Two servers make two origins, as Instagram's pages and its CDN are.
"""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class Reply:
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    #: Close the connection without answering, as a reset or crashed server does.
    drop_connection: bool = False


Route = Callable[[Request], Reply]


class PageServer:
    """A threaded HTTP server on 127.0.0.1 serving ``routes`` (path → function); records requests."""

    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.requests: list[Request] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length),
                )
                server.requests.append(request)
                route = server.routes.get(parts.path)
                reply = route(request) if route else Reply(404, "text/plain", "not found")
                if reply.drop_connection:
                    self.close_connection = True
                    return
                body = reply.body.encode() if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Silence per-request logging; tests read ``server.requests`` instead."""

        return Handler

    def requests_to(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]


@contextmanager
def serving(routes: dict[str, Route]) -> Iterator[PageServer]:
    server = PageServer(routes)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def png(width: int, height: int) -> bytes:
    """A valid, solid grey PNG of the given size (so the browser decodes and lays it out)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def html(body: str, head: str = "") -> Reply:
    return Reply(body=f"<!doctype html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>")
