"""``direct_v2/inbox`` bodies to ``InboxPage`` (SPEC §3 Inbox)."""

from __future__ import annotations

from collections.abc import Iterable

from ..models import InboxPage, InboxThread, InboxUser
from .decoding import decode_body
from .shapes import INBOX_DECODER, RawUser
from .values import first_id, text_or_none


def inbox_users(users: Iterable[RawUser]) -> tuple[InboxUser, ...]:
    """Participants with an id and a username, each once."""
    found: dict[str, InboxUser] = {}
    for user in users:
        user_id = first_id(user.pk, user.pk_id, user.id, user.strong_id__)
        username = text_or_none(user.username)
        if user_id is not None and username is not None:
            found.setdefault(user_id, InboxUser(user_id=user_id, username=username, full_name=user.full_name or ""))
    return tuple(found.values())


def decode_inbox(body: bytes) -> InboxPage:
    """One inbox page: threads with their participants (``users``, else ``thread_users``).

    The next cursor is ``inbox.oldest_cursor``, and only while ``inbox.has_older`` is true:
    ``has_older: false`` is authoritative even when a cursor string is present. Thread-level
    cursors page a thread's messages, not the inbox, and are ignored.
    """
    response = decode_body(INBOX_DECODER, body, what="direct inbox")
    inbox = response.inbox
    raw_threads = (inbox.threads if inbox else None) or []
    threads = tuple(
        InboxThread(
            thread_id=thread_id,
            thread_v2_id=first_id(thread.thread_v2_id),
            is_group=thread.is_group is True,
            users=inbox_users(thread.users or thread.thread_users or ()),
        )
        for thread in raw_threads
        if (thread_id := first_id(thread.thread_id)) is not None
    )
    viewer = response.viewer
    viewer_id = first_id(viewer.pk, viewer.pk_id, viewer.id) if viewer else None
    if viewer_id is None:
        viewer_id = next((v for t in raw_threads if (v := first_id(t.viewer_id))), None)
    has_older = bool(inbox and inbox.has_older is True)
    cursor = text_or_none(inbox.oldest_cursor) if inbox else None
    return InboxPage(
        threads=threads,
        viewer_id=viewer_id,
        has_older=has_older,
        next_cursor=cursor if has_older else None,
    )
