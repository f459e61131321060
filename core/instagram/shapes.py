"""Lenient msgspec structs for the raw Instagram JSON shapes, and their decoders.

Only the fields storysync reads are declared; msgspec skips the rest without building them,
which is what makes decoding fast. Everything is optional: a field that matters and is missing
is reported by the functions that turn these into domain models, with its JSON path. Ids are
``int | str`` because Instagram sends both (and ids beyond 2**53 as either); lists are
``list | None`` because Instagram sends ``null`` for empty lists. Numbers are ``int | float``
because some clients send ``1080.0``.

The decoders are built with ``strict=False`` so that ``"1080"`` and ``"true"`` decode as the
number and bool they mean; a value of a truly wrong type is a ``msgspec.ValidationError`` that
:mod:`.decoding` turns into ``PayloadError``.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import msgspec
from msgspec import UNSET, UnsetType

Id = int | str | None
Number = int | float | None

ItemT = TypeVar("ItemT")


class Shape(msgspec.Struct, kw_only=True):
    """Base of raw shapes: keyword-only, every field optional."""


class RawUser(Shape):
    pk: Id = None
    pk_id: Id = None
    id: Id = None
    strong_id__: Id = None
    username: str | None = None
    full_name: str | None = None
    profile_pic_url: str | None = None


# --- media ---------------------------------------------------------------------------------


class RawCandidate(Shape):
    url: str | None = None
    width: Number = None
    height: Number = None


class RawImageVersions(Shape):
    # ``additional_candidates`` (first frames, igtv covers) is deliberately not declared.
    candidates: list[RawCandidate] | None = None


class RawCarouselChild(Shape):
    pk: Id = None
    id: Id = None
    media_type: int | None = None
    image_versions2: RawImageVersions | None = None
    video_versions: list[RawCandidate] | None = None
    original_width: Number = None
    original_height: Number = None


# --- story item signals ----------------------------------------------------------------------


class RawCaption(Shape):
    text: str | None = None


class RawSponsorTag(Shape):
    sponsor: RawUser | None = None


class RawReelMention(Shape):
    user: RawUser | None = None


class RawIgMention(Shape):
    account_id: Id = None
    username: str | None = None


class RawStickerData(Shape):
    ig_mention: RawIgMention | None = None


class RawBloksStickerBody(Shape):
    sticker_data: RawStickerData | None = None


class RawBloksSticker(Shape):
    bloks_sticker: RawBloksStickerBody | None = None


class RawStoryLink(Shape):
    url: str | None = None


class RawLinkSticker(Shape):
    story_link: RawStoryLink | None = None


class RawAppAttribution(Shape):
    name: str | None = None
    content_url: str | None = None


class RawFeedMediaInner(Shape):
    user: RawUser | None = None


class RawFeedMedia(Shape):
    media_compound_str: str | None = None
    user: RawUser | None = None
    media: RawFeedMediaInner | None = None


class RawStoryItem(Shape):
    pk: Id = None
    id: Id = None
    code: str | None = None
    taken_at: Number = None
    taken_at_timestamp: Number = None
    expiring_at: Number = None
    expiring_at_timestamp: Number = None
    media_type: int | None = None
    user: RawUser | None = None
    image_versions2: RawImageVersions | None = None
    video_versions: list[RawCandidate] | None = None
    original_width: Number = None
    original_height: Number = None
    caption: RawCaption | None = None
    can_reply: bool | None = None
    can_reshare: bool | None = None
    is_paid_partnership: bool | None = None
    sponsor_tags: list[RawSponsorTag] | None = None
    reel_mentions: list[RawReelMention] | None = None
    story_bloks_stickers: list[RawBloksSticker] | None = None
    story_link_stickers: list[RawLinkSticker] | None = None
    story_app_attribution: RawAppAttribution | None = None
    story_feed_media: list[RawFeedMedia] | None = None
    # Free-form and nested: walked as plain data (see attribution.py).
    media_attributions_data: Any = None
    reshared_story_media_author: RawUser | None = None
    is_reshare_of_text_post_app_media_in_ig: bool | None = None
    carousel_media: list[RawCarouselChild] | None = None


# --- reels -----------------------------------------------------------------------------------


class RawReel(Shape, Generic[ItemT]):
    id: Id = None
    pk: Id = None
    user: RawUser | None = None
    owner: RawUser | None = None
    items: list[ItemT] | None = None
    latest_reel_media: Number = None
    seen: Number = None


class RawReelsResponse(Shape, Generic[ItemT]):
    # UNSET (key absent) differs from null: a logged-out 200 has neither key at all.
    reels: dict[str, RawReel[ItemT]] | None | UnsetType = UNSET
    reels_media: list[RawReel[ItemT]] | None | UnsetType = UNSET
    status: str | None = None


# --- profile -----------------------------------------------------------------------------------


class RawCount(Shape):
    count: int | None = None


class RawProfileUser(Shape):
    id: Id = None
    pk: Id = None
    username: str | None = None
    full_name: str | None = None
    profile_pic_url: str | None = None
    profile_pic_url_hd: str | None = None
    biography: str | None = None
    follower_count: int | None = None
    following_count: int | None = None
    media_count: int | None = None
    edge_followed_by: RawCount | None = None
    edge_follow: RawCount | None = None
    edge_owner_to_timeline_media: RawCount | None = None
    is_private: bool | None = None
    is_verified: bool | None = None
    followed_by_viewer: bool | None = None


class RawProfileData(Shape):
    user: RawProfileUser | None = None


class RawProfileResponse(Shape):
    data: RawProfileData | None = None


# --- tray ----------------------------------------------------------------------------------------


class RawTrayEntry(RawUser):
    user: RawUser | None = None
    latest_reel_media: Number = None
    seen: Number = None
    muted: bool | None = None
    items: list[RawStoryItem] | None = None


class RawTrayItems(Shape):
    items: list[RawTrayEntry] | None = None


class RawTrayResponse(Shape):
    tray: list[RawTrayEntry] | RawTrayItems | None = None


# --- inbox ---------------------------------------------------------------------------------------


class RawInboxThread(Shape):
    thread_id: Id = None
    thread_v2_id: Id = None
    is_group: bool | None = None
    users: list[RawUser] | None = None
    thread_users: list[RawUser] | None = None
    viewer_id: Id = None


class RawInbox(Shape):
    threads: list[RawInboxThread] | None = None
    has_older: bool | None = None
    # ``inbox.next_cursor`` is an object describing something else: not declared on purpose.
    oldest_cursor: str | None = None


class RawInboxResponse(Shape):
    inbox: RawInbox | None = None
    viewer: RawUser | None = None


# --- direct threads and replies -------------------------------------------------------------------


class RawSharedMedia(Shape):
    id: Id = None
    pk: Id = None


class RawReelShare(Shape):
    media: RawSharedMedia | None = None
    #: Where Instagram's own reel_share items keep the reply's text (the sandbox also sets ``text``).
    text: str | None = None


class RawThreadItem(Shape):
    item_id: Id = None
    item_type: str | None = None
    client_context: Id = None
    text: str | None = None
    timestamp: Id = None
    reel_share: RawReelShare | None = None


class RawThread(Shape):
    thread_id: Id = None
    thread_v2_id: Id = None
    id: Id = None
    users: list[RawUser] | None = None
    items: list[RawThreadItem] | None = None


class RawThreadResponse(RawThread):
    """``create_group_thread`` answers with the thread at top level, or nested under ``thread``."""

    thread: RawThread | None = None


class RawBroadcastPayload(Shape):
    thread_id: Id = None
    item_id: Id = None
    client_context: Id = None
    timestamp: Id = None
    message: str | None = None


class RawBroadcastResponse(Shape):
    action: str | None = None
    status: str | None = None
    message: str | None = None
    error_type: str | None = None
    spam: bool | None = None
    payload: RawBroadcastPayload | None = None
    message_metadata: list[RawBroadcastPayload] | None = None


# --- error bodies ---------------------------------------------------------------------------------


class RawErrorBody(Shape):
    """The fields of any JSON body that say what went wrong; ``Any`` so that no value is rejected."""

    message: Any = None
    status: Any = None
    spam: Any = None
    require_login: Any = None
    checkpoint_url: Any = None
    challenge: Any = None
    error_type: Any = None


def _decoder(shape: Any) -> msgspec.json.Decoder:
    return msgspec.json.Decoder(shape, strict=False)


STORY_ITEM_DECODER = _decoder(RawStoryItem)
REELS_DECODER = _decoder(RawReelsResponse[RawStoryItem])
#: Keeps each story item as its raw bytes, for callers that store the original payload.
REELS_RAW_ITEMS_DECODER = _decoder(RawReelsResponse[msgspec.Raw])
PROFILE_DECODER = _decoder(RawProfileResponse)
TRAY_DECODER = _decoder(RawTrayResponse)
INBOX_DECODER = _decoder(RawInboxResponse)
THREAD_DECODER = _decoder(RawThreadResponse)
BROADCAST_DECODER = _decoder(RawBroadcastResponse)
ERROR_BODY_DECODER = _decoder(RawErrorBody)
