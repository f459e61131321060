"""Injected faults: what can go wrong between a client and Instagram, on demand.

A fault has a kind, an endpoint pattern and a count. ``endpoint="*"`` matches every API
endpoint (``feed/reels_media``, ``direct_v2/inbox``, ...); any other pattern is an fnmatch
pattern over endpoint names, which also reaches pages (``page/story``) and the CDN
(``cdn/media``). ``count`` is how many matching requests it applies to; None means until cleared.
The first matching fault (in the order they were set) applies; one fault per request.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass, field
from typing import Any

# kind -> the parameters it accepts, with their defaults
FAULT_KINDS: dict[str, dict[str, Any]] = {
    "rate_limit": {"retry_after": 60},
    "please_wait_401": {},
    "server_error": {"status": 500},
    "truncated": {"missing_bytes": 100},
    "html": {},
    "login_redirect": {},
    "challenge_redirect": {},
    "checkpoint": {},
    "feedback_required": {},
    "slow": {"seconds": 2.0},
    "reset": {},
    "direct_refused": {},
    "drop_after_accept": {},
}


NON_API_PREFIXES = ("page/", "cdn/", "static/")


def endpoint_matches(pattern: str, endpoint: str) -> bool:
    """``*`` is every API endpoint; anything else is an fnmatch pattern over endpoint names."""
    if pattern == "*":
        return not endpoint.startswith(NON_API_PREFIXES)
    return fnmatch.fnmatchcase(endpoint, pattern)


@dataclass(slots=True)
class Fault:
    kind: str
    endpoint: str = "*"
    count: int | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def matches(self, endpoint: str, browser: bool) -> bool:
        if self.kind == "direct_refused" and browser:
            return False  # in-page requests pass; only direct ones are refused
        return endpoint_matches(self.endpoint, endpoint)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "endpoint": self.endpoint, "count": self.count, "params": dict(self.params)}


def make_fault(kind: str, endpoint: str = "*", count: int | None = None, **params: Any) -> Fault:
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(sorted(FAULT_KINDS))}")
    unknown = set(params) - set(FAULT_KINDS[kind])
    if unknown:
        raise ValueError(f"fault {kind!r} takes no parameter(s) {', '.join(sorted(unknown))}")
    if count is not None and count < 1:
        raise ValueError("count must be at least 1 (or None for until cleared)")
    return Fault(kind, endpoint.strip("/"), count, {**FAULT_KINDS[kind], **params})


def parse_fault_spec(spec: str) -> Fault:
    """``KIND[:ENDPOINT[:COUNT]]``, as the CLI's ``--fault`` takes it."""
    kind, _, rest = spec.partition(":")
    endpoint, _, count = rest.rpartition(":") if ":" in rest else (rest, "", "")
    if count and not count.isdigit():
        raise ValueError(f"fault count must be a number: {spec!r}")
    return make_fault(kind, endpoint or "*", int(count) if count else None)


class FaultBook:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        with self._lock:
            return [Fault(f.kind, f.endpoint, f.count, dict(f.params)) for f in self._faults]

    def take(self, endpoint: str, browser: bool) -> Fault | None:
        """The fault to apply to this request, used up by one if it has a count."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(endpoint, browser):
                    if fault.count is not None:
                        fault.count -= 1
                        if fault.count == 0:
                            self._faults.remove(fault)
                    return fault
            return None
