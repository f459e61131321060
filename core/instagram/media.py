"""Choosing the rendition of a story or carousel child to keep (SPEC §3 "Media variants")."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import msgspec

from ..models import MediaKind, MediaVariant
from .shapes import RawCandidate, RawImageVersions
from .values import as_int, clean_url

MEDIA_KINDS: dict[int, MediaKind] = {1: "image", 2: "video", 8: "carousel"}


class CandidateLike(Protocol):
    url: str | None
    width: int | float | None
    height: int | float | None


class Rendition(msgspec.Struct, frozen=True, kw_only=True):
    """One usable rendition: an absolute http(s) URL and its pixel size when known."""

    url: str
    width: int | None = None
    height: int | None = None


def media_kind(raw: int | None, *, has_video: bool) -> MediaKind | int:
    """``image``/``video``/``carousel`` for 1/2/8; any other number is kept as sent.

    Older and embedded shapes omit ``media_type``; then the presence of video renditions decides.
    """
    if raw is None:
        return "video" if has_video else "image"
    return MEDIA_KINDS.get(raw, raw)


def best_candidate(candidates: Iterable[CandidateLike] | None) -> Rendition | None:
    """The candidate with the largest width×height (the first of equals), among usable URLs.

    The origin took the first entry on trust; Instagram does not sort them (a 1080p video can
    sit in the middle of ``video_versions``). Candidates without a usable URL are passed over,
    and a candidate with unknown size counts as 0×0, so it wins only when nothing is sized.
    """
    best: Rendition | None = None
    best_area = -1
    for candidate in candidates or ():
        width, height = as_int(candidate.width), as_int(candidate.height)
        area = (width or 0) * (height or 0)
        if area > best_area and (url := clean_url(candidate.url)) is not None:
            best, best_area = Rendition(url=url, width=width, height=height), area
    return best


class MediaChoice(msgspec.Struct, frozen=True, kw_only=True):
    """What one item or carousel child offers: the best image, the best video, and which one is its media."""

    kind: MediaKind | int
    image: Rendition | None
    video: Rendition | None
    media: Rendition | None
    candidates_seen: int


def choose_media(
    kind: MediaKind | int,
    image_versions: RawImageVersions | None,
    video_versions: Sequence[RawCandidate] | None,
) -> MediaChoice:
    """The renditions of one item: a video's media is its best video; anything else's its best image.

    ``candidates_seen`` counts the list the media came from, so a later run can tell it was
    offered fewer (or smaller) renditions.
    """
    image_candidates = (image_versions.candidates if image_versions else None) or []
    video_candidates = video_versions or []
    image = best_candidate(image_candidates)
    video = best_candidate(video_candidates)
    if kind == "video" or (kind not in MEDIA_KINDS.values() and video is not None):
        media, seen = video, len(video_candidates)
    else:
        media, seen = image, len(image_candidates)
    return MediaChoice(kind=kind, image=image, video=video, media=media, candidates_seen=seen)


def variant_of(variant_id: str, choice: MediaChoice) -> MediaVariant:
    return MediaVariant(
        variant_id=variant_id,
        media_type=choice.kind,
        image_url=choice.image.url if choice.image else None,
        video_url=choice.video.url if choice.video else None,
        media_url=choice.media.url if choice.media else None,
        width=choice.media.width if choice.media else None,
        height=choice.media.height if choice.media else None,
        candidates_seen=choice.candidates_seen,
    )
