"""``Sandbox``: start, drive and stop the simulated Instagram (site + CDN) from Python."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .cdn import CdnApp
from .clock import Clock, SystemClock
from .control import Control
from .dataset import Dataset, Story
from .direct import Reply
from .faults import Fault
from .server import SandboxHTTPServer
from .sessions import COOKIE_MAX_AGE
from .state import RequestRecord, SandboxState
from .www import WwwApp

DEFAULT_CDN_HOST = "127.0.0.2"  # another loopback address: its own origin and cookie jar in a browser


class Sandbox:
    """A running sandbox. ``with Sandbox(users=50, seed=1) as sandbox: ...`` or ``start()``/``stop()``."""

    def __init__(self, users: int = 50, seed: int = 1, clock: Clock | None = None, host: str = "127.0.0.1",
                 port: int = 0, cdn_port: int = 0, cdn_host: str = DEFAULT_CDN_HOST) -> None:
        self.users = users
        self.seed = seed
        self.clock: Clock = clock or SystemClock()
        self.host = host
        self.cdn_host = cdn_host
        self._port = port
        self._cdn_port = cdn_port
        self._state: SandboxState | None = None
        self._servers: list[SandboxHTTPServer] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Sandbox:
        if self._state is not None:
            raise RuntimeError("the sandbox is already running")
        # Bind both sockets first: the data set's URLs need the CDN's port, the pages the site's.
        cdn = SandboxHTTPServer(self.cdn_host, self._cdn_port, self._not_ready)
        try:
            www = SandboxHTTPServer(self.host, self._port, self._not_ready)
        except OSError:
            cdn.server_close()
            raise
        dataset = Dataset(seed=self.seed, users=self.users, anchor=int(self.clock.now()),
                          cdn_origin=f"http://{self.cdn_host}:{cdn.port}")
        state = SandboxState(dataset, self.clock, f"http://{self.host}:{www.port}")
        cdn.app = CdnApp(state)
        www.app = WwwApp(state, Control(state))
        self._state, self._servers = state, [www, cdn]
        www.start("sandbox-www")
        cdn.start("sandbox-cdn")
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
        self._servers = []
        self._state = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @staticmethod
    def _not_ready(request: Any) -> Any:
        raise RuntimeError("request before the sandbox finished starting")

    @property
    def state(self) -> SandboxState:
        if self._state is None:
            raise RuntimeError("the sandbox is not running; call start() first")
        return self._state

    # -- where it is and who is logged in ------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self.state.base_url

    @property
    def cdn_url(self) -> str:
        return self.state.dataset.cdn.origin

    @property
    def dataset(self) -> Dataset:
        return self.state.dataset

    @property
    def cookies(self) -> dict[str, str]:
        """The viewer's session cookies (``sessionid``, ``csrftoken``, ``ds_user_id``, ``mid``)."""
        return self.state.viewer_cookies.as_dict()

    def write_cookies_file(self, path: str | os.PathLike[str]) -> Path:
        """Write the viewer's cookies as a Netscape cookies.txt (mode 0600) for the site's host."""
        target = Path(path)
        expiry = int(self.clock.now()) + COOKIE_MAX_AGE
        lines = ["# Netscape HTTP Cookie File", "# Written by the storysync sandbox: the viewer's session.", ""]
        for name, value in self.cookies.items():
            domain = f"#HttpOnly_{self.host}" if name == "sessionid" else self.host
            lines.append("\t".join((domain, "FALSE", "/", "FALSE", str(expiry), name, value)))
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # also when the file existed with a wider mode
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        return target

    # -- control -------------------------------------------------------------------------------

    def set_fault(self, kind: str, endpoint: str = "*", count: int | None = None, **params: Any) -> Fault:
        return self.state.set_fault(kind, endpoint, count, **params)

    def clear_faults(self) -> None:
        self.state.faults.clear()

    def set_variant(self, name: str) -> None:
        self.state.set_variant(name)

    def set_rate_limit(self, max_requests: int, window_seconds: float, endpoint: str = "*") -> None:
        self.state.set_rate_limit(max_requests, window_seconds, endpoint)

    def clear_rate_limits(self) -> None:
        self.state.rate_limits.clear()

    def requests(self, endpoint: str | None = None) -> list[RequestRecord]:
        return self.state.requests(endpoint)

    def request_counts(self) -> dict[str, int]:
        return self.state.request_counts()

    def replies(self) -> list[Reply]:
        return self.state.replies()

    def post_story(self, username: str, *, kind: str = "image") -> Story:
        """``username`` posts an ``image`` or ``video`` story at the clock's current time.

        It is then in the tray, ``feed/reels_media``, the story pages and on the CDN like any other
        story, and expires 24 hours later. ``reset()`` takes posted stories away again.
        """
        return self.state.post_story(username, kind)

    def reset(self) -> None:
        self.state.reset()
