"""Inbox users (SPEC §3 "Inbox"): conversation users across pages, keeping what earlier pages gave."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import StorySyncError
from ..models import InboxUser
from ..ports import StorySource

MAX_PAGE_SIZE = 50


@dataclass(frozen=True)
class InboxListing:
    """Conversation users gathered page by page; ``error`` is why a later page could not be read."""

    users: tuple[InboxUser, ...]
    pages: int
    exhausted: bool
    error: StorySyncError | None = None


def inbox_users(source: StorySource, *, page_size: int, max_pages: int, max_users: int) -> InboxListing:
    """Users of the inbox's threads, each once, newest conversation first (SPEC §3 "Inbox").

    Follows ``oldest_cursor`` while ``has_older`` holds, for at most ``max_pages`` pages and
    ``max_users`` users. A failing first page raises; a later one ends the listing with what the
    earlier pages gave, and the error.
    """
    users: dict[str, InboxUser] = {}
    cursor: str | None = None
    pages = 0
    while pages < max_pages and len(users) < max_users:
        try:
            page = source.inbox(cursor, min(page_size, MAX_PAGE_SIZE))
        except StorySyncError as error:
            if pages == 0:
                raise
            return InboxListing(tuple(users.values()), pages, False, error)
        pages += 1
        for user in page.users:
            users.setdefault(user.user_id, user)
        cursor = (page.next_cursor or "").strip()
        if not (page.has_older and cursor):
            return InboxListing(tuple(users.values())[:max_users], pages, True)
    return InboxListing(tuple(users.values())[:max_users], pages, False)
