"""``feed/reels_tray`` bodies to ``TrayEntry``s (SPEC §3 Tray)."""

from __future__ import annotations

from ..models import TrayEntry
from .attribution import Owner
from .decoding import decode_body
from .shapes import TRAY_DECODER, RawTrayItems
from .stories import decode_story_item
from .values import as_timestamp, clean_url, first_id, text_or_none


def decode_tray(body: bytes) -> list[TrayEntry]:
    """The tray in Instagram's order; ``tray`` is a list or ``{"items": [...]}``.

    Entries without a username (or without a usable user id) are skipped: nothing downstream
    can address them. Live ``broadcasts`` are a separate key and never tray reels.
    """
    response = decode_body(TRAY_DECODER, body, what="reels_tray")
    tray = response.tray
    entries = (tray.items if isinstance(tray, RawTrayItems) else tray) or []
    base = "$.tray.items" if isinstance(tray, RawTrayItems) else "$.tray"
    result: list[TrayEntry] = []
    for index, entry in enumerate(entries):
        user = entry.user or entry
        username = text_or_none(user.username)
        user_id = first_id(user.pk, user.id, user.pk_id, user.strong_id__)
        if username is None or user_id is None:
            continue
        owner = Owner.of(user_id, username)
        items = tuple(
            decode_story_item(item, path=f"{base}[{index}].items[{position}]", owner=owner, owner_username=username)
            for position, item in enumerate(entry.items or ())
        )
        result.append(
            TrayEntry(
                user_id=user_id,
                username=username,
                full_name=text_or_none(user.full_name) or "",
                profile_pic_url=clean_url(user.profile_pic_url),
                latest_reel_media=as_timestamp(entry.latest_reel_media) or 0,
                seen=as_timestamp(entry.seen) or 0,
                muted=entry.muted is True,
                items=items,
            )
        )
    return result
