"""The viewer's direct threads and the story replies the sandbox received.

Shared by the API (``create_group_thread``, ``reel_share``, ``inbox``, thread view) and the
viewer page, whose reply box posts to the same endpoints; all methods are thread-safe.
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field

from .dataset import Dataset, Story, stable_hash


@dataclass(frozen=True, slots=True)
class DirectItem:
    item_id: str
    user_id: str
    timestamp: int  # microseconds
    item_type: str  # "text" or "reel_share"
    client_context: str
    text: str
    seq: int
    story: Story | None = None


@dataclass(slots=True)
class Thread:
    thread_id: str
    thread_v2_id: str
    user_ids: tuple[str, ...]
    last_activity_at: int  # microseconds
    items: list[DirectItem] = field(default_factory=list)  # oldest first

    @property
    def is_group(self) -> bool:
        return len(self.user_ids) > 1


@dataclass(frozen=True, slots=True)
class Reply:
    """A story reply as the sandbox recorded it."""

    thread_id: str
    item_id: str
    client_context: str
    story_id: str
    owner_id: str
    media_id: str
    text: str
    timestamp: int  # microseconds
    browser: bool  # sent by a page's fetch (Sec-Fetch headers present)


class DirectStore:
    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset
        self._lock = threading.Lock()
        self._threads: dict[str, Thread] = {}
        self._replies: list[Reply] = []
        self._seq = 0
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._threads = {}
            self._replies = []
            self._seq = 0
            for seed in self._dataset.initial_threads():
                thread = Thread(seed.thread_id, seed.thread_v2_id, seed.user_ids, seed.last_activity_at)
                thread.items.append(self._new_item(thread, seed.last_sender_id, seed.last_activity_at, "text",
                                                   str(seed.last_activity_at)[-13:] + "17", seed.last_text))
                self._threads[thread.thread_id] = thread

    def _new_item(self, thread: Thread, user_id: str, timestamp: int, item_type: str, client_context: str,
                  text: str, story: Story | None = None) -> DirectItem:
        self._seq += 1
        item_id = str(30_000_000_000_000_000_000_000_000_000_000_000
                      + stable_hash(thread.thread_id, client_context, self._seq) % 10**34)
        return DirectItem(item_id, user_id, timestamp, item_type, client_context, text, self._seq, story)

    def inbox_page(self, cursor: str | None, limit: int) -> tuple[list[Thread], bool, str]:
        """(threads newest first, has_older, oldest_cursor) for one page of the inbox."""
        offset = _decode_cursor(cursor)
        with self._lock:
            ordered = sorted(self._threads.values(), key=lambda t: (-t.last_activity_at, t.thread_id))
        page = ordered[offset:offset + limit]
        end = offset + len(page)
        return page, end < len(ordered), _encode_cursor(end)

    def thread(self, thread_id: str) -> tuple[Thread, list[DirectItem]] | None:
        with self._lock:
            thread = self._threads.get(thread_id)
            return None if thread is None else (thread, list(thread.items))

    def find_or_create(self, recipient_ids: tuple[str, ...], now: float) -> tuple[Thread, list[DirectItem]]:
        """The viewer's thread with exactly these recipients, created when there is none."""
        wanted = tuple(sorted(recipient_ids))
        with self._lock:
            for thread in self._threads.values():
                if tuple(sorted(thread.user_ids)) == wanted:
                    return thread, list(thread.items)
            thread_id, thread_v2_id = self._dataset.thread_ids("created-" + "-".join(wanted))
            thread = Thread(thread_id, thread_v2_id, wanted, int(now * 1_000_000))
            self._threads[thread_id] = thread
            return thread, []

    def add_reel_share(self, thread_id: str, story: Story, text: str, client_context: str, now: float,
                       browser: bool) -> DirectItem:
        """Append a story reply to a thread; a repeated ``client_context`` returns the first item.

        Instagram deduplicates on ``client_context``, which is what makes a blind retry safe.
        """
        with self._lock:
            thread = self._threads[thread_id]
            for item in thread.items:
                if item.client_context == client_context:
                    return item
            timestamp = int(now * 1_000_000)
            item = self._new_item(thread, self._dataset.viewer.id, timestamp, "reel_share", client_context, text,
                                  story)
            thread.items.append(item)
            thread.last_activity_at = timestamp
            self._replies.append(
                Reply(thread_id, item.item_id, client_context, story.story_id, story.owner_id, story.media_id, text,
                      timestamp, browser)
            )
            return item

    def replies(self) -> list[Reply]:
        with self._lock:
            return list(self._replies)


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"inbox:{offset}".encode()).decode()


def _decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        kind, _, offset = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        return int(offset) if kind == "inbox" else 0
    except ValueError:
        return 0
