"""Story items and reels: ``feed/reels_media`` bodies to ``Reel``s of ``StoryItem``s (SPEC §3)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import msgspec

from ..errors import LoginRequired
from ..models import AppAttribution, Reel, StoryItem
from .attribution import Owner, external_attribution
from .decoding import decode_body, payload_error, snippet_of
from .media import choose_media, media_kind, variant_of
from .shapes import (
    REELS_DECODER,
    REELS_RAW_ITEMS_DECODER,
    STORY_ITEM_DECODER,
    RawReel,
    RawStoryItem,
)
from .values import (
    as_int,
    as_timestamp,
    first_id,
    normalize_story_id,
    text_or_none,
    unwrap_link_shim,
)

STORY_LIFETIME_SECONDS = 86_400


class ReelsPage(msgspec.Struct, frozen=True, kw_only=True):
    """The reels of one ``reels_media`` response, keyed by requested owner id.

    An owner without active stories is absent. ``raw_items`` (story id → the item's JSON as
    Instagram sent it) is filled only when the caller asked to keep raw payloads.
    """

    reels: dict[str, Reel] = {}

    @property
    def raw_items(self) -> dict[str, bytes]:
        return {story_id: raw for reel in self.reels.values() for story_id, raw in reel.raw_items.items()}


def decode_story_item(item: RawStoryItem, *, path: str, owner: Owner, owner_username: str) -> StoryItem:
    """One entry of a reel's ``items``; ``owner`` is the reel's owner, ``path`` locates errors."""
    story_id = normalize_story_id(item.pk) or normalize_story_id(item.id)
    if story_id is None:
        raise payload_error("story item", "no story id (pk, or id before '_', must be digits)", path=f"{path}.pk")
    taken_at = as_timestamp(item.taken_at)
    if taken_at is None:
        taken_at = as_timestamp(item.taken_at_timestamp)
    if taken_at is None:
        raise payload_error("story item", "no taken_at", path=f"{path}.taken_at")
    expiring_at = as_timestamp(item.expiring_at)
    if expiring_at is None:
        expiring_at = as_timestamp(item.expiring_at_timestamp)
    if expiring_at is None:
        expiring_at = taken_at + STORY_LIFETIME_SECONDS

    user = item.user
    owner_id = (first_id(user.pk, user.pk_id, user.id) if user else None) or owner.user_id
    username = (text_or_none(user.username) if user else None) or owner_username

    kind = media_kind(item.media_type, has_video=bool(item.video_versions))
    own_media = choose_media(kind, item.image_versions2, item.video_versions)
    children = [
        (normalize_story_id(child.pk) or normalize_story_id(child.id) or f"{story_id}:{index}",
         choose_media(media_kind(child.media_type, has_video=bool(child.video_versions)),
                      child.image_versions2, child.video_versions))
        for index, child in enumerate(item.carousel_media or ())
    ]
    # A carousel's own entry carries no renditions: its media is the first child's.
    shown = children[0][1] if kind == "carousel" and children else own_media
    variants = tuple(variant_of(child_id, choice) for child_id, choice in children) if children else (
        variant_of(story_id, own_media),
    )

    link_urls = tuple(
        sticker.story_link.url
        for sticker in item.story_link_stickers or ()
        if sticker.story_link and text_or_none(sticker.story_link.url)
    )
    app = item.story_app_attribution
    return StoryItem(
        story_id=story_id,
        owner_id=owner_id,
        owner_username=username,
        media_type=kind,
        taken_at=taken_at,
        expiring_at=expiring_at,
        media_url=shown.media.url if shown.media else None,
        image_url=shown.image.url if shown.image else None,
        video_url=shown.video.url if shown.video else None,
        width=shown.media.width if shown.media else None,
        height=shown.media.height if shown.media else None,
        original_width=as_int(item.original_width),
        original_height=as_int(item.original_height),
        candidates_seen=shown.candidates_seen,
        code=text_or_none(item.code),
        caption=item.caption.text if item.caption else None,
        can_reply=item.can_reply,
        can_reshare=item.can_reshare,
        is_paid_partnership=item.is_paid_partnership is True,
        sponsor_usernames=tuple(
            name
            for tag in item.sponsor_tags or ()
            if tag.sponsor and (name := text_or_none(tag.sponsor.username))
        ),
        mention_usernames=tuple(
            name
            for mention in item.reel_mentions or ()
            if mention.user and (name := text_or_none(mention.user.username))
        ),
        link_urls=link_urls,
        link_targets=tuple(unwrap_link_shim(url) for url in link_urls),
        app_attribution=AppAttribution(name=text_or_none(app.name), content_url=text_or_none(app.content_url))
        if app
        else None,
        attribution=external_attribution(item, owner),
        variants=variants,
    )


def _owner_ids(reel: RawReel) -> Iterator[str]:
    """Every id under which a reel may be filed (SPEC §3 Reels)."""
    for user in (reel.user, reel.owner):
        if user is not None:
            yield from (i for i in (first_id(user.pk), first_id(user.id), first_id(user.pk_id)) if i)
    yield from (i for i in (first_id(reel.id), first_id(reel.pk)) if i)


def _find_reels(response, wanted: Sequence[str]) -> dict[str, tuple[str, RawReel]]:
    """Each wanted owner's reel and its JSON path: exact ``reels`` key first, then owner ids in either shape.

    The origin ignored ``reels_media`` whenever ``reels`` was present but empty; both shapes are
    searched here, and an owner matched once is never matched again (no double counting when
    the same reel is in both).
    """
    by_key = response.reels or {}
    by_owner: dict[str, tuple[str, RawReel]] = {}
    located = [(f"$.reels[{key!r}]", reel) for key, reel in by_key.items()]
    located += [(f"$.reels_media[{index}]", reel) for index, reel in enumerate(response.reels_media or ())]
    for path, reel in located:
        for owner_id in _owner_ids(reel):
            by_owner.setdefault(owner_id, (path, reel))
    found: dict[str, tuple[str, RawReel]] = {}
    for owner_id in wanted:
        if owner_id in by_key:
            found[owner_id] = (f"$.reels[{owner_id!r}]", by_key[owner_id])
        elif owner_id in by_owner:
            found[owner_id] = by_owner[owner_id]
    return found


def decode_reels(
    body: bytes,
    requested_ids: Sequence[str],
    *,
    requested_usernames: Mapping[str, str] | None = None,
    keep_raw: bool = False,
) -> ReelsPage:
    """The requested owners' reels from a ``feed/reels_media`` body.

    ``requested_usernames`` (owner id → username we asked for) feeds the
    ``owner_username_mismatch`` signal. Items of owners that were not requested never appear.
    A ``status: ok`` body with neither ``reels`` nor ``reels_media`` is a logged-out answer.
    """
    decoder = REELS_RAW_ITEMS_DECODER if keep_raw else REELS_DECODER
    response = decode_body(decoder, body, what="reels_media")
    if response.reels is msgspec.UNSET and response.reels_media is msgspec.UNSET:
        if response.status == "ok":
            raise LoginRequired("reels_media answered without reels: the session is logged out", status=200,
                                snippet=snippet_of(body))
        raise payload_error("reels_media", "neither reels nor reels_media in the body", path="$")
    names = requested_usernames or {}
    wanted = list(dict.fromkeys(i for i in map(first_id, requested_ids) if i))
    reels: dict[str, Reel] = {}
    for owner_id, (path, raw_reel) in _find_reels(response, wanted).items():
        requested_username = names.get(owner_id)
        reel_user = raw_reel.user or raw_reel.owner
        owner_username = (text_or_none(reel_user.username) if reel_user else None) or requested_username or ""
        owner = Owner.of(owner_id, owner_username, requested_username)
        items = []
        raw_items: dict[str, bytes] = {}
        for index, entry in enumerate(raw_reel.items or ()):
            item_path = f"{path}.items[{index}]"
            raw = bytes(entry) if keep_raw else None
            item = entry if raw is None else decode_body(STORY_ITEM_DECODER, raw, what="story item", at=item_path)
            story = decode_story_item(item, path=item_path, owner=owner, owner_username=owner_username)
            if raw is not None:
                raw_items[story.story_id] = raw
            items.append(story)
        reels[owner_id] = Reel(
            owner_id=owner_id,
            owner_username=owner_username,
            owner_full_name=(text_or_none(reel_user.full_name) if reel_user else None) or "",
            items=tuple(items),
            latest_reel_media=as_timestamp(raw_reel.latest_reel_media),
            seen=as_timestamp(raw_reel.seen),
            raw_items=raw_items,
        )
    return ReelsPage(reels=reels)
