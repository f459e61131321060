"""The ordered fallback chain (DESIGN "Core", SPEC §5 "Fallback policy").

Implementations are tried in configured order. Every try is recorded as an ``Attempt``. An error
whose class says it concerns the account (``falls_through = False``) stops the chain at once:
the next source would use the same account.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from .errors import InstagramError, LocalRateLimitPause, StorySyncError
from .models import Attempt, InboxPage, Profile, Reel, TrayEntry
from .reasons import Reason

T = TypeVar("T")
R = TypeVar("R")


def _reason_of(error: BaseException) -> str:
    reason = getattr(error, "reason", None)
    return str(reason) if reason else Reason.TRANSIENT_NETWORK_ERROR.value


def falls_through(error: BaseException) -> bool:
    """Policy: may the next implementation try after ``error``?"""
    if isinstance(error, LocalRateLimitPause):
        return False  # the account is cooling down, and the next source would use the same account
    if isinstance(error, InstagramError):
        return error.falls_through
    return isinstance(error, StorySyncError)


class FallbackChain(Generic[T]):
    """Named implementations in order; ``call`` returns the first success and records attempts."""

    def __init__(self, members: Sequence[tuple[str, T]], *, timer: Callable[[], float] = time.perf_counter) -> None:
        self.members = list(members)
        self.names = [name for name, _ in self.members]
        self._timer = timer
        #: Attempts of every call since the last ``take_attempts``.
        self.attempts: list[Attempt] = []

    def call(self, operation: Callable[[T], R]) -> R:
        """Run ``operation`` on each member until one succeeds.

        Raises the last member's error, annotated with ``attempts`` (this call's tries), when
        every member failed or one failed in a way that must not fall through.
        """
        tries: list[Attempt] = []
        last_error: StorySyncError | None = None
        for name, member in self.members:
            started = self._timer()
            try:
                result = operation(member)
            except StorySyncError as error:
                tries.append(
                    Attempt(
                        name=name,
                        ok=False,
                        reason=_reason_of(error),
                        error_class=type(error).__name__,
                        elapsed_s=self._timer() - started,
                    )
                )
                last_error = error
                if not falls_through(error):
                    break
                continue
            tries.append(Attempt(name=name, ok=True, elapsed_s=self._timer() - started))
            self.attempts.extend(tries)
            return result
        self.attempts.extend(tries)
        if last_error is None:
            raise StorySyncError("no implementation is configured for this chain")
        last_error.attempts = tuple(tries)  # type: ignore[attr-defined]
        raise last_error

    def take_attempts(self) -> list[Attempt]:
        taken, self.attempts = self.attempts, []
        return taken


def take_attempts_of(member: object) -> list[Attempt]:
    """The tries a chain recorded since last asked; a single implementation records none."""
    return member.take_attempts() if isinstance(member, FallbackChain) else []


class StorySourceChain(FallbackChain):
    """A chain of ``StorySource``s that is itself a ``StorySource``."""

    name = "chain"

    def profile(self, username: str) -> Profile:
        return self.call(lambda source: source.profile(username))

    def reels(self, user_ids: Sequence[str]) -> dict[str, Reel]:
        return self.call(lambda source: source.reels(user_ids))

    def tray(self) -> list[TrayEntry]:
        return self.call(lambda source: source.tray())

    def inbox(self, cursor: str | None = None, limit: int = 20) -> InboxPage:
        return self.call(lambda source: source.inbox(cursor, limit))
