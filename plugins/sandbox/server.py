"""HTTP plumbing: a threaded HTTP/1.1 server that turns requests into ``Request`` values and writes
``Response`` values back, including the broken deliveries faults ask for.

One thread per connection copes with a browser's parallel requests; keep-alive connections are
tracked so ``stop()`` can close them instead of waiting for idle browsers.
"""

from __future__ import annotations

import socket
import struct
import threading
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from .responses import Response
from .state import Request

App = Callable[[Request], Response]
MAX_BODY = 1 << 20


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; with Nagle on, each keep-alive response would wait
    # for the client's delayed ACK (~40 ms), as no production web server does.
    disable_nagle_algorithm = True
    server: SandboxHTTPServer
    timeout = 30  # idle keep-alive connections end on their own

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: object) -> None:
        """Silenced: the sandbox keeps its own request log."""

    def _dispatch(self) -> None:
        request = self._read_request()
        if request is None:
            return
        response = self.server.app(request)
        self._deliver(response)

    def _read_request(self) -> Request | None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self.send_error(413)
            return None
        body = self.rfile.read(length) if length else b""
        form: dict[str, list[str]] = {}
        if "application/x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
        cookies: dict[str, str] = {}
        for header in self.headers.get_all("Cookie") or []:
            jar = SimpleCookie()
            try:
                jar.load(header)
            except CookieError:
                continue
            cookies.update({name: morsel.value for name, morsel in jar.items()})
        return Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            cookies=cookies,
            form=form,
            raw_query=split.query,
            body=body,
        )

    def _deliver(self, response: Response) -> None:
        if response.delivery == "reset":
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        if response.delivery == "drop":
            self.close_connection = True
            return
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        body = b"" if self.command == "HEAD" else response.body
        if response.delivery == "truncate":
            self.send_header("Content-Length", str(len(response.body) + response.missing_bytes))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(body)


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64  # a browser opens several connections at once

    def __init__(self, host: str, port: int, app: App) -> None:
        self.app = app
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((host, port), _Handler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self.server_address[1]

    def process_request(self, request, client_address):  # type: ignore[no-untyped-def]
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):  # type: ignore[no-untyped-def]
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def start(self, name: str) -> None:
        # A short poll interval keeps stop() quick; idle polling costs nothing noticeable.
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        with self._connections_lock:
            open_connections = list(self._connections)
        for connection in open_connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by its handler thread
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
