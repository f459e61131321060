"""The ordered fallback chain: order, attempts, and which errors fall through (SPEC §5)."""

from __future__ import annotations

import pytest

from storysync.core.chain import FallbackChain, StorySourceChain
from storysync.core.errors import LoginRequired, NotJson, RateLimited, StorySyncError, Transient, UserAgentMismatch
from storysync.core.models import InboxPage, Profile


class FakeSource:
    def __init__(self, name: str, error: StorySyncError | None = None) -> None:
        self.name = name
        self.error = error
        self.calls = 0

    def profile(self, username: str) -> Profile:
        self.calls += 1
        if self.error:
            raise self.error
        return Profile(user_id="1", username=f"{username}@{self.name}")

    def reels(self, user_ids):
        return {}

    def tray(self):
        return []

    def inbox(self, cursor=None, limit=20):
        return InboxPage()


def test_first_success_wins_and_later_members_are_not_called():
    a, b = FakeSource("a"), FakeSource("b")
    chain = StorySourceChain([("a", a), ("b", b)])
    assert chain.profile("x").username == "x@a"
    assert (a.calls, b.calls) == (1, 0)
    assert [(t.name, t.ok) for t in chain.take_attempts()] == [("a", True)]


@pytest.mark.parametrize("error", [Transient("5xx"), NotJson("html"), UserAgentMismatch("ua")])
def test_transport_level_failures_fall_through_and_are_recorded(error):
    chain = StorySourceChain([("a", FakeSource("a", error)), ("b", FakeSource("b"))])
    assert chain.profile("x").username == "x@b"
    attempts = chain.take_attempts()
    assert [(t.name, t.ok, t.error_class) for t in attempts] == [("a", False, type(error).__name__), ("b", True, None)]
    assert attempts[0].reason == str(error.reason)


@pytest.mark.parametrize("error", [RateLimited("429", retry_after=30), LoginRequired("out")])
def test_account_level_failures_stop_the_chain(error):
    b = FakeSource("b")
    chain = StorySourceChain([("a", FakeSource("a", error)), ("b", b)])
    with pytest.raises(type(error)) as raised:
        chain.profile("x")
    assert b.calls == 0
    assert [t.name for t in raised.value.attempts] == ["a"]


def test_all_failing_raises_the_last_error_with_every_attempt():
    chain = FallbackChain([("a", "A"), ("b", "B")])

    def operation(member):
        raise Transient(f"down {member}")

    with pytest.raises(Transient, match="down B") as raised:
        chain.call(operation)
    assert [t.name for t in raised.value.attempts] == ["a", "b"]


def test_empty_chain_is_a_clear_error():
    with pytest.raises(StorySyncError, match="no implementation"):
        FallbackChain([]).call(lambda member: member)
