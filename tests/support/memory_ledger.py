"""Test doubles shared by the unit and integration tests of the HTTP transport."""

from __future__ import annotations

from collections import defaultdict


class MemoryLedger:
    """The store's rate-limit ledger, in memory."""

    def __init__(self) -> None:
        self.cooldowns: dict[tuple[str, str], tuple[float, str]] = {}
        self.requests: dict[tuple[str, str], list[float]] = defaultdict(list)

    def cooldown_until(self, account: str, family: str) -> float | None:
        entry = self.cooldowns.get((account, family))
        return entry[0] if entry else None

    def set_cooldown(self, account: str, family: str, until: float, reason: str) -> None:
        self.cooldowns[(account, family)] = (until, reason)

    def record_request(self, account: str, family: str, at: float) -> None:
        self.requests[(account, family)].append(at)

    def recent_requests(self, account: str, family: str, since: float) -> int:
        return sum(1 for at in self.requests[(account, family)] if at >= since)
