"""``ApiStorySource``: the requests of SPEC §1 over any ``Transport``, decoded with ``core.instagram``.

It only builds paths, parameters and referers and decodes bodies; the transport owns headers,
pacing, retries and error classification. That is why the same class serves the direct httpx
transport and a browser's in-page fetch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from storysync.core.errors import BadRequest, InstagramError, Transient
from storysync.core.instagram import (
    decode_broadcast,
    decode_create_thread,
    decode_inbox,
    decode_profile,
    decode_reels,
    decode_thread,
    decode_tray,
)
from storysync.core.models import BroadcastAck, DirectThread, InboxPage, Profile, Reel, TrayEntry
from storysync.core.policy import chunk, next_batch_size
from storysync.core.ports import Transport

INSTAGRAM_BASE_URL = "https://www.instagram.com"
MAX_INBOX_PAGE = 50
TOO_MANY_REELS = "too many reels requested"


class ApiStorySource:
    """The ``StorySource`` port (plus the reply helpers the API reply sink uses) over a ``Transport``."""

    def __init__(
        self,
        transport: Transport,
        *,
        name: str = "http",
        batch_size: int = 10,
        inbox_page_size: int = 20,
        base_url: str = INSTAGRAM_BASE_URL,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.name = name
        self._transport = transport
        self._batch_size = batch_size
        self._inbox_page_size = inbox_page_size
        self._base = base_url.rstrip("/")
        self._usernames: dict[str, str] = {}

    def set_username_hints(self, usernames: Mapping[str, str]) -> None:
        """Remember ``user id -> username`` so reel requests carry the owner's profile as Referer."""
        self._usernames.update(usernames)

    def profile(self, username: str) -> Profile:
        body = self._transport.get_json(
            "users/web_profile_info/",
            [("username", username)],
            endpoint="users/web_profile_info",
            referer=self._profile_url(username),
            username=username,
        )
        profile = decode_profile(body, requested_username=username)
        self._usernames[profile.user_id] = profile.username
        return profile

    def reels(self, user_ids: Sequence[str]) -> dict[str, Reel]:
        """Reels of ``user_ids`` in batches of ``batch_size``; a batch the server refuses is halved."""
        unique_ids = list(dict.fromkeys(user_ids))
        reels: dict[str, Reel] = {}
        for batch in chunk(unique_ids, self._batch_size):
            reels.update(self._reels_batch(batch))
        return reels

    def _reels_batch(self, batch: Sequence[str]) -> dict[str, Reel]:
        try:
            return self._fetch_reels(batch)
        except InstagramError as error:
            if len(batch) == 1 or not _batch_may_be_too_large(error):
                raise
        reels: dict[str, Reel] = {}
        for half in chunk(batch, next_batch_size(len(batch))):
            reels.update(self._reels_batch(half))
        return reels

    def _fetch_reels(self, batch: Sequence[str]) -> dict[str, Reel]:
        first_username = self._usernames.get(batch[0])
        body = self._transport.get_json(
            "feed/reels_media/",
            [("reel_ids", user_id) for user_id in batch],
            endpoint="feed/reels_media",
            referer=self._profile_url(first_username) if first_username else f"{self._base}/",
            username=first_username,
        )
        known = {user_id: self._usernames[user_id] for user_id in batch if user_id in self._usernames}
        # Each item's JSON is kept as sent, so the archive holds what no decoder version reads yet.
        page = decode_reels(body, list(batch), requested_usernames=known or None, keep_raw=True)
        for owner_id, reel in page.reels.items():
            self._usernames[owner_id] = reel.owner_username
        return page.reels

    def tray(self) -> list[TrayEntry]:
        body = self._transport.get_json("feed/reels_tray/", endpoint="feed/reels_tray", referer=f"{self._base}/")
        entries = decode_tray(body)
        self._usernames.update({entry.user_id: entry.username for entry in entries})
        return entries

    def inbox(self, cursor: str | None = None, limit: int | None = None) -> InboxPage:
        """One inbox page of at most ``limit`` threads (default ``inbox_page_size``, never above 50)."""
        page_size = min(limit or self._inbox_page_size, MAX_INBOX_PAGE)
        params = [("limit", str(page_size)), ("visual_message_return_type", "unseen")]
        if cursor:
            params.append(("cursor", cursor))
        body = self._transport.get_json(
            "direct_v2/inbox/", params, endpoint="direct_v2/inbox", referer=f"{self._base}/direct/inbox/"
        )
        return decode_inbox(body)

    def create_thread(self, owner_id: str) -> DirectThread:
        """Open (or find) the one-to-one thread with ``owner_id``, as the web client does before a reply."""
        body = self._transport.post_form(
            "direct_v2/create_group_thread/",
            {"recipient_users": json.dumps([owner_id])},
            endpoint="direct_v2/create_group_thread",
            referer=f"{self._base}/direct/new/",
            username=self._usernames.get(owner_id),
        )
        return decode_create_thread(body)

    def share_reply(
        self, thread_id: str, story_id: str, owner_id: str, text: str, client_context: str, *, referer: str
    ) -> BroadcastAck:
        """Send ``text`` as a reply to the story; ``referer`` is the story's URL."""
        body = self._transport.post_form(
            "direct_v2/threads/broadcast/reel_share/",
            {
                "action": "send_item",
                "client_context": client_context,
                "media_id": f"{story_id}_{owner_id}",
                "reel_id": owner_id,
                "thread_id": thread_id,
                "text": text,
            },
            endpoint="direct_v2/threads/broadcast/reel_share",
            referer=referer,
            username=self._usernames.get(owner_id),
        )
        return decode_broadcast(body)

    def thread(self, thread_id: str) -> DirectThread:
        """Read a thread back (to find an earlier delivery of a reply)."""
        if not thread_id.isdigit():
            # Thread ids are digits; anything else would change the request path.
            raise ValueError(f"not a thread id: {thread_id!r}")
        body = self._transport.get_json(
            f"direct_v2/threads/{thread_id}/",
            endpoint="direct_v2/threads",
            referer=f"{self._base}/direct/t/{thread_id}/",
        )
        return decode_thread(body)

    def _profile_url(self, username: str) -> str:
        return f"{self._base}/{username}/"


def _batch_may_be_too_large(error: InstagramError) -> bool:
    """SPEC §6: a refused request (400, "Too many reels requested") or a 5xx after retries is
    worth a smaller batch. Refusals about the account (rate limit, login, checkpoint) are not:
    a smaller batch would only spend more requests on the same refusal.
    """
    return isinstance(error, BadRequest | Transient) or TOO_MANY_REELS in error.snippet.lower()
