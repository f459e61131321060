"""``NetworkLogMediaFallback``: the story's media as the browser downloaded it (SPEC §6 "Home carousel sync")."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from urllib.parse import urlsplit

from storysync.core.models import NetworkResponse, ResolvedMedia, StoryContext
from storysync.core.policy import story_id_from_media_url
from storysync.core.ports import BrowserSession

from .dom_fallback import read_visible_media
from .media_urls import (
    INSTAGRAM_CDN_DOMAINS,
    is_downloadable_media_url,
    media_kind,
    resolved_story_media,
    same_media,
)

#: Enough for every rendition and byte range a story page loads, while bounding memory on long runs.
DEFAULT_BUFFER_SIZE = 500


class NetworkLogMediaFallback:
    """The ``MediaFallback`` port over the network log of any ``BrowserSession``.

    The session's log is drained on every read, so this fallback keeps its own rolling buffer of
    the current page's responses: a later ``resolve`` still sees media loaded before an earlier
    one. A new document starts a new buffer. Only this fallback may read the session's log.
    """

    def __init__(
        self,
        session: BrowserSession,
        name: str = "perflog",
        cdn_hosts: Iterable[str] | None = None,
        buffer_size: int = DEFAULT_BUFFER_SIZE,
    ) -> None:
        self.name = name
        self._session = session
        self._cdn_hosts = frozenset(host.lower() for host in cdn_hosts or ())
        self._responses: deque[NetworkResponse] = deque(maxlen=buffer_size)

    def resolve(self, context: StoryContext) -> ResolvedMedia | None:
        self._take_new_responses()
        candidates = [response for response in self._responses if self._is_story_media(response)]
        if context.story_id:
            # A response whose cache key names another story is a neighbour being preloaded.
            candidates = [r for r in candidates if story_id_from_media_url(r.url) in (None, context.story_id)]
        chosen = self._choose(candidates, context.story_id)
        if chosen is None:
            return None
        return resolved_story_media(context, chosen.url, media_kind(chosen.mime_type, chosen.url), self.name)

    def _take_new_responses(self) -> None:
        for response in self._session.network_log():
            if response.resource_type == "document":
                self._responses.clear()
            self._responses.append(response)

    def _is_story_media(self, response: NetworkResponse) -> bool:
        return (
            200 <= response.status < 300
            and self._is_cdn(response.url)
            and is_downloadable_media_url(response.url)
            and media_kind(response.mime_type, response.url) is not None
        )

    def _is_cdn(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host in self._cdn_hosts or parts.netloc.lower() in self._cdn_hosts:
            return True
        return any(host == domain or host.endswith("." + domain) for domain in INSTAGRAM_CDN_DOMAINS)

    def _choose(self, candidates: list[NetworkResponse], story_id: str | None) -> NetworkResponse | None:
        """The response keyed to the story, else one the page shows, else the most recent.

        A video story also loads its cover image, under the same key and shown as the poster,
        so among matches the video wins.
        """
        if not candidates:
            return None
        newest_first = candidates[::-1]
        videos_first = sorted(newest_first, key=lambda r: media_kind(r.mime_type, r.url) != "video")
        if story_id:
            keyed = next((r for r in videos_first if story_id_from_media_url(r.url) == story_id), None)
            if keyed is not None:
                return keyed
        shown = [media.url for media in read_visible_media(self._session)]
        on_screen = next((r for r in videos_first if any(same_media(r.url, url) for url in shown)), None)
        return on_screen or newest_first[0]
