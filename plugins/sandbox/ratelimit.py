"""Sliding-window request budgets per session and endpoint, as Instagram enforces them.

Off until a rule is set. A rule allows ``max_requests`` per ``window_seconds`` for each
(session, endpoint) pair whose endpoint matches the rule's pattern (same patterns as faults);
the request that would exceed it gets 429 with ``Retry-After`` = seconds until the oldest
counted request leaves the window. Refused requests are not counted.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass

from .clock import Clock
from .faults import endpoint_matches


@dataclass(frozen=True, slots=True)
class RateLimitRule:
    endpoint: str
    max_requests: int
    window_seconds: float

    def matches(self, endpoint: str) -> bool:
        return endpoint_matches(self.endpoint, endpoint)


class RateLimiter:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._rules: list[RateLimitRule] = []
        self._windows: dict[tuple[str, str], deque[float]] = {}

    def set_rule(self, endpoint: str, max_requests: int, window_seconds: float) -> None:
        if max_requests < 1 or window_seconds <= 0:
            raise ValueError("max_requests must be >= 1 and window_seconds > 0")
        with self._lock:
            self._rules = [r for r in self._rules if r.endpoint != endpoint]
            self._rules.append(RateLimitRule(endpoint.strip("/"), max_requests, window_seconds))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._windows.clear()

    def rules(self) -> list[RateLimitRule]:
        with self._lock:
            return list(self._rules)

    def admit(self, session: str, endpoint: str) -> int | None:
        """None when the request may go ahead (and is counted), else the Retry-After in seconds."""
        with self._lock:
            rule = next((r for r in self._rules if r.matches(endpoint)), None)
            if rule is None:
                return None
            now = self._clock.now()
            window = self._windows.setdefault((session, endpoint), deque())
            while window and window[0] <= now - rule.window_seconds:
                window.popleft()
            if len(window) >= rule.max_requests:
                return max(1, math.ceil(window[0] + rule.window_seconds - now))
            window.append(now)
            return None
