"""Paging through the direct inbox for ``storysync inbox`` (SPEC §3 "Inbox") over a fake source."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from storysync.core.errors import RateLimited
from storysync.core.models import InboxPage, InboxThread, InboxUser
from storysync.core.services.inbox import inbox_users


def page(first_user: int, count: int, *, has_older: bool, cursor: str | None) -> InboxPage:
    threads = tuple(
        InboxThread(thread_id=str(9000 + n), users=(InboxUser(user_id=str(n), username=f"user{n}"),))
        for n in range(first_user, first_user + count)
    )
    return InboxPage(threads=threads, has_older=has_older, next_cursor=cursor)


@dataclass
class FakeInbox:
    """Answers ``inbox(cursor, limit)`` from a list of pages (an exception stands for a failing page)."""

    pages: list[InboxPage | Exception]
    asked: list[tuple[str | None, int]] = field(default_factory=list)
    name: str = "fake"

    def inbox(self, cursor: str | None = None, limit: int = 20) -> InboxPage:
        self.asked.append((cursor, limit))
        answer = self.pages[len(self.asked) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer


def ids(listing) -> list[str]:
    return [user.user_id for user in listing.users]


def test_pages_are_followed_by_cursor_until_the_inbox_has_no_older_threads() -> None:
    source = FakeInbox([page(0, 3, has_older=True, cursor="c1"), page(3, 2, has_older=False, cursor="c2")])

    listing = inbox_users(source, page_size=3, max_pages=12, max_users=500)

    assert ids(listing) == ["0", "1", "2", "3", "4"]
    assert (listing.pages, listing.exhausted, listing.error) == (2, True, None)
    assert source.asked == [(None, 3), ("c1", 3)]


def test_a_blank_cursor_ends_the_listing_even_when_older_threads_are_announced() -> None:
    listing = inbox_users(FakeInbox([page(0, 2, has_older=True, cursor="  ")]),
                               page_size=2, max_pages=12, max_users=500)
    assert (ids(listing), listing.pages, listing.exhausted) == (["0", "1"], 1, True)


def test_the_page_and_user_limits_bound_the_listing() -> None:
    pages = [page(n * 2, 2, has_older=True, cursor=f"c{n}") for n in range(10)]

    by_pages = inbox_users(FakeInbox(list(pages)), page_size=2, max_pages=3, max_users=500)
    by_users = inbox_users(FakeInbox(list(pages)), page_size=2, max_pages=12, max_users=5)

    assert (ids(by_pages), by_pages.exhausted) == (["0", "1", "2", "3", "4", "5"], False)
    assert (ids(by_users), by_users.pages) == (["0", "1", "2", "3", "4"], 3)


def test_users_in_several_threads_are_listed_once() -> None:
    listing = inbox_users(FakeInbox([page(0, 2, has_older=True, cursor="c"), page(1, 2, has_older=False,
                                                                                       cursor=None)]),
                               page_size=2, max_pages=12, max_users=500)
    assert ids(listing) == ["0", "1", "2"]


def test_a_failing_later_page_keeps_the_earlier_pages_and_the_error() -> None:
    refusal = RateLimited("HTTP 429", status=429, retry_after=60)
    listing = inbox_users(FakeInbox([page(0, 2, has_older=True, cursor="c"), refusal]),
                               page_size=2, max_pages=12, max_users=500)
    assert (ids(listing), listing.pages, listing.exhausted, listing.error) == (["0", "1"], 1, False, refusal)


def test_a_failing_first_page_raises() -> None:
    with pytest.raises(RateLimited):
        inbox_users(FakeInbox([RateLimited("HTTP 429", status=429)]), page_size=2, max_pages=12, max_users=500)
