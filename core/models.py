"""Domain values: frozen msgspec structs, ids always strings of digits, times in Unix seconds."""

from __future__ import annotations

from typing import Any, Literal, get_args

import msgspec

MediaKind = Literal["image", "video", "carousel"]
ReplyState = Literal["pending", "sent", "sent_unconfirmed", "unknown", "failed", "skipped"]
REPLY_STATES: tuple[ReplyState, ...] = get_args(ReplyState)
#: States in which Instagram has the reply (``sent_unconfirmed``: the page did not say so).
DELIVERED_REPLY_STATES: frozenset[ReplyState] = frozenset({"sent", "sent_unconfirmed"})


class Frozen(msgspec.Struct, frozen=True, kw_only=True):
    """Base of domain values: immutable, keyword-only, cheap to encode."""


class Profile(Frozen):
    user_id: str
    username: str
    full_name: str = ""
    profile_pic_url: str | None = None
    biography: str = ""
    follower_count: int | None = None
    following_count: int | None = None
    media_count: int | None = None
    is_private: bool = False
    is_verified: bool = False
    #: ``None`` when the payload does not say (never guessed).
    followed_by_viewer: bool | None = None


class MediaVariant(Frozen):
    """One rendition choice of a story (the item itself or a carousel child)."""

    variant_id: str
    media_type: MediaKind | int
    image_url: str | None = None
    video_url: str | None = None
    media_url: str | None = None
    width: int | None = None
    height: int | None = None
    #: How many candidates the payload offered, so a later run can tell a worse rendition.
    candidates_seen: int = 0


class Attribution(Frozen):
    """Whether a story shows or credits another account's content or identity (SPEC §3)."""

    flag: bool = False
    reason: str | None = None
    reasons: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    target_usernames: tuple[str, ...] = ()


class AppAttribution(Frozen):
    name: str | None = None
    content_url: str | None = None


class StoryItem(Frozen):
    story_id: str
    owner_id: str
    owner_username: str
    media_type: MediaKind | int
    taken_at: int
    expiring_at: int
    media_url: str | None = None
    image_url: str | None = None
    video_url: str | None = None
    width: int | None = None
    height: int | None = None
    original_width: int | None = None
    original_height: int | None = None
    candidates_seen: int = 0
    code: str | None = None
    caption: str | None = None
    can_reply: bool | None = None
    can_reshare: bool | None = None
    is_paid_partnership: bool = False
    sponsor_usernames: tuple[str, ...] = ()
    mention_usernames: tuple[str, ...] = ()
    link_urls: tuple[str, ...] = ()
    link_targets: tuple[str, ...] = ()
    app_attribution: AppAttribution | None = None
    attribution: Attribution = Attribution()
    variants: tuple[MediaVariant, ...] = ()

    @property
    def media_id(self) -> str:
        """What ``reel_share`` needs: ``<story_id>_<owner_id>``."""
        return f"{self.story_id}_{self.owner_id}"

    @property
    def permalink(self) -> str:
        return f"https://www.instagram.com/stories/{self.owner_username}/{self.story_id}/"

    def is_expired(self, now: float) -> bool:
        return self.expiring_at <= now


class Reel(Frozen):
    """One owner's active stories, oldest first as Instagram sends them."""

    owner_id: str
    owner_username: str
    owner_full_name: str = ""
    items: tuple[StoryItem, ...] = ()
    latest_reel_media: int | None = None
    seen: int | None = None
    #: story id -> the item's JSON exactly as Instagram sent it, when the source keeps it.
    raw_items: dict[str, bytes] = {}


class TrayEntry(Frozen):
    user_id: str
    username: str
    full_name: str = ""
    profile_pic_url: str | None = None
    latest_reel_media: int = 0
    seen: int = 0
    muted: bool = False
    items: tuple[StoryItem, ...] = ()

    @property
    def has_unseen(self) -> bool:
        return self.seen < self.latest_reel_media


class InboxUser(Frozen):
    user_id: str
    username: str
    full_name: str = ""


class InboxThread(Frozen):
    thread_id: str
    thread_v2_id: str | None = None
    is_group: bool = False
    users: tuple[InboxUser, ...] = ()


class InboxPage(Frozen):
    threads: tuple[InboxThread, ...] = ()
    viewer_id: str | None = None
    has_older: bool = False
    next_cursor: str | None = None

    @property
    def users(self) -> tuple[InboxUser, ...]:
        """Conversation users of this page, each once, in first-seen order."""
        seen: dict[str, InboxUser] = {}
        for thread in self.threads:
            for user in thread.users:
                seen.setdefault(user.user_id, user)
        return tuple(seen.values())


class ThreadItem(Frozen):
    """An item of a direct thread, as read back to confirm a reply."""

    item_id: str
    item_type: str = ""
    client_context: str | None = None
    text: str | None = None
    timestamp_us: str | None = None
    media_id: str | None = None


class DirectThread(Frozen):
    thread_id: str
    thread_v2_id: str | None = None
    recipient_user_ids: tuple[str, ...] = ()
    items: tuple[ThreadItem, ...] = ()


class BroadcastAck(Frozen):
    """Instagram's acknowledgement of a ``reel_share`` reply."""

    thread_id: str
    item_id: str | None = None
    client_context: str | None = None
    timestamp_us: str | None = None
    action: str | None = None


class StoryContext(Frozen):
    """What the story viewer shows right now, as read from the page."""

    username: str | None = None
    story_id: str | None = None
    page_url: str = ""
    owner_id: str | None = None


class ResolvedMedia(Frozen):
    """Where a story's media can be downloaded, and which source said so."""

    story_id: str
    media_url: str
    media_type: MediaKind | int
    source: str
    width: int | None = None
    height: int | None = None


class NetworkResponse(Frozen):
    """One response the browser received, as the network (performance) log reports it."""

    url: str
    status: int
    mime_type: str = ""
    resource_type: str = ""
    timestamp: float = 0.0


class MediaRecord(Frozen):
    story_id: str
    path: str
    source_url: str
    content_type: str
    bytes: int
    sha256: str
    width: int | None = None
    height: int | None = None


class MediaJob(Frozen):
    """One file to fetch: where from, and the names it will be stored under."""

    url: str
    owner_username: str
    story_id: str
    media_type: MediaKind | int


class DownloadResult(Frozen):
    record: MediaRecord
    #: True when a file with a matching record was already held and nothing was fetched.
    skipped: bool = False


class ReplyRequest(Frozen):
    story_id: str
    owner_id: str
    owner_username: str
    text: str
    client_context: str
    thread_id: str | None = None
    can_reply: bool | None = None


class ReplyOutcome(Frozen):
    state: ReplyState
    method: str
    reason: str | None = None
    http_status: int | None = None
    thread_id: str | None = None
    item_id: str | None = None


class Attempt(Frozen):
    """One try of one named implementation in a fallback chain."""

    name: str
    ok: bool
    reason: str | None = None
    error_class: str | None = None
    elapsed_s: float = 0.0


class Event(Frozen):
    """A structured record of something that happened in a run (failures, skips, replies)."""

    kind: str
    at: float
    fields: dict[str, Any] = {}


class SyncReport(Frozen):
    """What a sync run did, for the CLI to render and the store to keep."""

    run_id: str
    flow: str
    started_at: float
    finished_at: float
    owners_requested: int = 0
    owners_skipped: dict[str, list[str]] = {}
    requests_by_endpoint: dict[str, int] = {}
    stories_new: int = 0
    stories_updated: int = 0
    media_downloaded: int = 0
    media_skipped: int = 0
    media_failed: int = 0
    failures_by_reason: dict[str, int] = {}
    attempts: dict[str, list[Attempt]] = {}
    end_reason: str | None = None
    stopped_by: str | None = None
    message: str = ""
