"""Everything the two origins share: data set, sessions, threads, faults, limits, the request log.

``process`` is the one path every logged request takes: pick a fault, let it replace or wrap
the real handler's response, record the request, hand the response back to the HTTP layer.
The control API and the Python ``Sandbox`` both drive the same methods here.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Callable, Literal

from .clock import Clock
from .dataset import Dataset, Story, User
from .direct import DirectStore, Reply
from .faults import Fault, FaultBook, make_fault
from .payloads import Payloads
from .ratelimit import RateLimiter, RateLimitRule
from .responses import Response, fault_response
from .sessions import SessionCookies, Sessions

VARIANTS = ("default", "classes", "nested", "picture", "delayed", "blob_video", "no_context", "no_ids", "no_owner",
            "gate_stuck")
Origin = Literal["www", "cdn"]


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    cookies: dict[str, str]
    form: dict[str, list[str]]
    raw_query: str
    body: bytes = b""

    @property
    def path_and_query(self) -> str:
        return self.path + ("?" + self.raw_query if self.raw_query else "")

    @property
    def browser(self) -> bool:
        """Whether it looks like a browser's own request: browsers add Sec-Fetch-*, HTTP libraries don't."""
        return "sec-fetch-mode" in self.headers and "sec-fetch-site" in self.headers

    def param(self, name: str) -> str | None:
        values = self.query.get(name) or self.form.get(name)
        return values[0] if values else None


@dataclass(frozen=True, slots=True)
class RequestRecord:
    time: float
    origin: Origin
    method: str
    path: str
    endpoint: str
    status: int | None  # None when no response was sent (reset, dropped)
    browser: bool
    fault: str | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class SandboxState:
    def __init__(self, dataset: Dataset, clock: Clock, base_url: str) -> None:
        self.dataset = dataset
        self.clock = clock
        self.base_url = base_url
        self.payloads = Payloads(dataset)
        self.direct = DirectStore(dataset)
        self.sessions = Sessions()
        self.faults = FaultBook()
        self.rate_limits = RateLimiter(clock)
        self.viewer_cookies: SessionCookies = self.sessions.issue(dataset.viewer)
        self.login_page_html = ""  # set by the www app, served by the "html" fault
        self._lock = threading.Lock()
        self._log: list[RequestRecord] = []
        self._variant = "default"
        self._seen: dict[str, int] = {}

    # -- the request path ------------------------------------------------------------------

    def process(self, request: Request, origin: Origin, endpoint: str,
                handler: Callable[[Request], Response]) -> Response:
        fault = self.faults.take(endpoint, request.browser)
        response = None
        if fault is not None:
            if fault.kind == "slow":
                time.sleep(float(fault.params["seconds"]))  # real time: the client's timeouts are real
            response = fault_response(fault, request.path_and_query, self.base_url, self.login_page_html)
        if response is None:
            response = handler(request)
            if fault is not None and fault.kind == "truncated":
                response.delivery, response.missing_bytes = "truncate", int(fault.params["missing_bytes"])
            elif fault is not None and fault.kind == "drop_after_accept":
                response.delivery = "drop"
        sent = response.delivery in ("send", "truncate")
        record = RequestRecord(self.clock.now(), origin, request.method, request.path, endpoint,
                               response.status if sent else None, request.browser,
                               fault.kind if fault else None)
        with self._lock:  # recorded before the response goes out, so a client never outruns the log
            self._log.append(record)
        return response

    # -- viewer state ----------------------------------------------------------------------

    def seen_at(self, user: User, latest_reel_media: int) -> int:
        with self._lock:
            if user.id in self._seen:
                return self._seen[user.id]
        return latest_reel_media if self.dataset.initially_seen(user) else 0

    def mark_seen(self, user: User, taken_at: int) -> None:
        with self._lock:
            self._seen[user.id] = max(self._seen.get(user.id, 0), taken_at)

    def variant(self) -> str:
        with self._lock:
            return self._variant

    # -- control ---------------------------------------------------------------------------

    def set_variant(self, name: str) -> None:
        if name not in VARIANTS:
            raise ValueError(f"unknown variant {name!r}; known: {', '.join(VARIANTS)}")
        with self._lock:
            self._variant = name

    def set_fault(self, kind: str, endpoint: str = "*", count: int | None = None, **params: Any) -> Fault:
        fault = make_fault(kind, endpoint, count, **params)
        self.faults.add(fault)
        return fault

    def set_rate_limit(self, max_requests: int, window_seconds: float, endpoint: str = "*") -> None:
        self.rate_limits.set_rule(endpoint, max_requests, window_seconds)

    def requests(self, endpoint: str | None = None) -> list[RequestRecord]:
        with self._lock:
            return [r for r in self._log if endpoint is None or r.endpoint == endpoint]

    def request_counts(self) -> dict[str, int]:
        with self._lock:
            return dict(Counter(r.endpoint for r in self._log))

    def replies(self) -> list[Reply]:
        return self.direct.replies()

    def post_story(self, username: str, kind: str = "image") -> Story:
        """``username`` posts a story now (by the sandbox's clock)."""
        user = self.dataset.user(username)
        if user is None:
            raise ValueError(f"no user {username!r} in the data set")
        with self._lock:
            # A user the viewer had watched in full at start is "seen" up to their newest story, and
            # that mark follows latest_reel_media until the viewer marks something; pin it first, or
            # the new story would count as seen too.
            if user.id not in self._seen and self.dataset.initially_seen(user):
                self._seen[user.id] = max((s.taken_at for s in self.dataset.all_stories(user.index)), default=0)
            return self.dataset.post_story(user, kind, int(self.clock.now()))

    def reset(self) -> None:
        """Back to the state at start: no faults, limits, log, replies, seen marks or posted stories;
        default variant."""
        self.faults.clear()
        self.rate_limits.clear()
        self.direct.reset()
        self.dataset.forget_posted_stories()
        with self._lock:
            self._log.clear()
            self._seen.clear()
            self._variant = "default"

    def describe(self) -> dict[str, Any]:
        return {
            "variant": self.variant(),
            "faults": [f.as_dict() for f in self.faults.active()],
            "rate_limits": [_rule_dict(r) for r in self.rate_limits.rules()],
            "viewer": {"id": self.dataset.viewer.id, "username": self.dataset.viewer.username},
            "users": self.dataset.user_count,
            "seed": self.dataset.seed,
        }


def _rule_dict(rule: RateLimitRule) -> dict[str, Any]:
    return {"endpoint": rule.endpoint, "max_requests": rule.max_requests, "window_seconds": rule.window_seconds}
