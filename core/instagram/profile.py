"""``users/web_profile_info`` bodies to ``Profile`` (SPEC §3 Profile)."""

from __future__ import annotations

from ..errors import NotFound
from ..models import Profile
from .decoding import decode_body, payload_error, snippet_of
from .shapes import PROFILE_DECODER, RawCount
from .values import clean_url, first_id, text_or_none


def _count(direct: int | None, edge: RawCount | None) -> int | None:
    return direct if direct is not None else (edge.count if edge else None)


def decode_profile(body: bytes, *, requested_username: str | None = None) -> Profile:
    """The profile in ``data.user``; no ``data.user`` (or ``null``) means the user does not exist.

    ``followed_by_viewer`` stays ``None`` when the payload does not say: the tray-skip rule of
    SPEC §6 must not treat "unknown" as "not followed".
    """
    response = decode_body(PROFILE_DECODER, body, what="web_profile_info")
    user = response.data.user if response.data else None
    if user is None:
        raise NotFound(f"no such user: {requested_username or '?'}", snippet=snippet_of(body))
    user_id = first_id(user.id, user.pk)
    if user_id is None:
        raise payload_error("web_profile_info", "no user id (id or pk)", path="$.data.user.id")
    username = text_or_none(user.username) or text_or_none(requested_username)
    if username is None:
        raise payload_error("web_profile_info", "no username", path="$.data.user.username")
    return Profile(
        user_id=user_id,
        username=username,
        full_name=user.full_name or "",
        profile_pic_url=clean_url(user.profile_pic_url_hd) or clean_url(user.profile_pic_url),
        biography=user.biography or "",
        follower_count=_count(user.follower_count, user.edge_followed_by),
        following_count=_count(user.following_count, user.edge_follow),
        media_count=_count(user.media_count, user.edge_owner_to_timeline_media),
        is_private=user.is_private is True,
        is_verified=user.is_verified is True,
        followed_by_viewer=user.followed_by_viewer,
    )
