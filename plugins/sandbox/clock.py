"""Clocks for the sandbox: anything with ``now() -> float`` (Unix seconds) will do.

Stories expire, CDN URLs carry an ``oe`` expiry and rate-limit windows slide, all against the
injected clock, so tests can move time instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> float:
        return time.time()


class ManualClock:
    """A clock that only moves when told to; safe to share between server threads."""

    def __init__(self, start: float) -> None:
        self._start = float(start)
        self._now = float(start)
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, timestamp: float) -> None:
        with self._lock:
            self._now = float(timestamp)

    def rewind(self) -> None:
        """Return to the time the clock was created with."""
        self.set(self._start)
