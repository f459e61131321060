"""What the cassette tests share: the fixed sandbox address, the fake session, a stopped clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storysync.adapters.session import load_cookies
from storysync.plugins.sandbox import Sandbox
from storysync.plugins.sandbox.pytest_plugin import FIXTURE_EPOCH

SANDBOX_SEED = 1
SANDBOX_USERS = 50
WWW_HOST, WWW_PORT = "127.0.0.1", 18765
CDN_HOST, CDN_PORT = "127.0.0.2", 18766
BASE_URL = f"http://{WWW_HOST}:{WWW_PORT}"
FAKE_COOKIES = Path(__file__).with_name("fake_cookies.txt")
WEB_APP_ID = "936619743392459"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) storysync-cassette-tests"


class FrozenClock:
    """The ``Clock`` port stopped at the sandbox's start: recorded bodies and replays agree on "now"."""

    def now(self) -> float:
        return float(FIXTURE_EPOCH)

    def sleep(self, seconds: float) -> None:
        """Nothing to wait for: cassette tests run without pacing gaps or a ledger."""


class CassetteSite:
    """What cassette tests talk to: a live sandbox while recording, only the cassettes while replaying."""

    def __init__(self, sandbox: Sandbox | None, cookies_file: Path) -> None:
        self.sandbox = sandbox
        self.cookies_file = cookies_file

    def inject(self, kind: str, endpoint: str, **params: Any) -> None:
        """Make the next ``endpoint`` request fail with ``kind``; a replay already holds that answer."""
        if self.sandbox is not None:
            self.sandbox.set_fault(kind, endpoint, count=1, **params)

    @property
    def secret_values(self) -> frozenset[str]:
        return session_secrets(self.cookies_file) | session_secrets(FAKE_COOKIES)


def session_secrets(cookies_file: Path) -> frozenset[str]:
    """The cookie values of a session export that must never be recorded.

    ``ds_user_id`` is left out: it is the viewer's public user id, which bodies carry anyway.
    """
    cookies = load_cookies(cookies_file, now=FIXTURE_EPOCH).cookies
    return frozenset(c["value"] for c in cookies if c["name"] != "ds_user_id" and c["value"])
