"""``DomMediaFallback``: the story's media as the page shows it (SPEC §6 "Home carousel sync")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import msgspec

from storysync.core.models import MediaKind, ResolvedMedia, StoryContext
from storysync.core.ports import BrowserSession

from .media_urls import is_downloadable_media_url, resolved_story_media
from .scripting import load_script

#: Story media fills the viewer; anything smaller is an avatar, a sticker or a tray thumbnail.
MIN_MEDIA_SIDE = 220.0


class VisibleMedia(msgspec.Struct, frozen=True, kw_only=True, rename="camel"):
    """One ``img``/``video`` the viewer can see, with its rendered size in CSS px.

    The file's own pixel size is not read: for a ``srcset`` image the browser reports it scaled
    by the chosen density, so it would misstate the rendition.
    """

    kind: MediaKind
    url: str
    width: float
    height: float
    centre_distance: float

    @property
    def area(self) -> float:
        return self.width * self.height


def read_visible_media(session: BrowserSession) -> list[VisibleMedia]:
    """Every visible ``img`` and ``video`` of the session's page, in document order."""
    raw: Any = session.evaluate(load_script("visible_media.js"))
    return msgspec.convert(raw or [], list[VisibleMedia])


def choose_story_media(candidates: Iterable[VisibleMedia]) -> VisibleMedia | None:
    """The element most likely to be the story: big enough, downloadable, a video before an
    image, then the largest, then the one nearest the viewport's centre."""
    usable = [
        candidate
        for candidate in candidates
        if candidate.width >= MIN_MEDIA_SIDE
        and candidate.height >= MIN_MEDIA_SIDE
        and is_downloadable_media_url(candidate.url)
    ]
    if not usable:
        return None
    return max(usable, key=lambda candidate: (candidate.kind == "video", candidate.area, -candidate.centre_distance))


class DomMediaFallback:
    """The ``MediaFallback`` port over the visible DOM of any ``BrowserSession``.

    MSE-streamed videos play from a ``blob:`` URL that nothing outside the page can fetch; such
    a story is left to the network-log fallback.
    """

    def __init__(self, session: BrowserSession, name: str = "dom") -> None:
        self.name = name
        self._session = session

    def resolve(self, context: StoryContext) -> ResolvedMedia | None:
        chosen = choose_story_media(read_visible_media(self._session))
        if chosen is None:
            return None
        return resolved_story_media(context, chosen.url, chosen.kind, self.name)
