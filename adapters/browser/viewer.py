"""``BrowserStoryViewer``: the ``StoryViewer`` port over any ``BrowserSession`` (SPEC §6 "Home carousel sync").

Finding controls and reading page states happens in the page (``viewer.js``), which tags what
it found with a data attribute so the session's own click reaches it by CSS selector. Waiting
across a navigation happens here: a script cannot outlive the page it runs in.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from storysync.core.errors import BrowserError, LoginRequired
from storysync.core.models import StoryContext
from storysync.core.policy import normalize_story_id, normalize_username
from storysync.core.ports import BrowserSession, ViewGate

from .dom_fallback import MIN_MEDIA_SIDE, choose_story_media, read_visible_media
from .media_urls import is_downloadable_media_url
from .scripting import load_script

CONTROL_ATTRIBUTE = "data-storysync-viewer-control"
STORY_PATH = re.compile(r"^/stories/([^/]+)/(?:([^/]+)/)?$")
#: ``/stories/highlights/<highlight id>/`` shows a highlight: the segment names no owner, the id no story.
HIGHLIGHTS_SEGMENT = "highlights"
LOGIN_PATH = "/accounts/login"
_POLL_SECONDS = 0.1
#: Where the viewer is: its address, the page's ``og:url`` and the story media on screen.
Position = tuple[str, "str | None", tuple[str, ...]]


class BrowserStoryViewer:
    """Drives the story viewer of a logged-in browser; the session belongs to the caller.

    ``timeout`` (seconds) bounds every wait for the page and must stay below the session's
    script timeout, since some waits run inside the page.
    """

    def __init__(
        self,
        session: BrowserSession,
        base_url: str,
        timeout: float = 8.0,
        *,
        cookies: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self._session = session
        self._base = base_url.rstrip("/")
        self._timeout = timeout
        self._cookies = list(cookies)
        self._cookies_given = False

    def open_home(self) -> None:
        if not self._cookies_given:
            if self._cookies:
                self._session.set_cookies(self._cookies, self._base + "/")
            self._cookies_given = True
        self._session.navigate(self._base + "/")
        if urlsplit(self._session.current_url()).path.startswith(LOGIN_PATH):
            raise LoginRequired("the browser was sent to the login page: the session is logged out")

    def open_first_story(self) -> bool:
        found = self._run("tagFirstStory", {"marker": CONTROL_ATTRIBUTE, "timeoutMs": self._timeout_ms})
        if not (found and self._session.click(f"[{CONTROL_ATTRIBUTE}]", timeout=self._timeout)):
            return False
        return self._wait_for(lambda: STORY_PATH.match(self._path()) is not None)

    def pass_view_gate(self) -> ViewGate:
        return self._run("passGate", {"timeoutMs": self._timeout_ms, "minSide": MIN_MEDIA_SIDE})

    def page_unavailable(self) -> bool:
        return bool(self._run("page")["unavailable"])

    def read_context(self) -> StoryContext:
        page = self._run("page")
        username, story_id = _story_ref(page["href"])
        if story_id is None and page["ogUrl"]:
            og_username, story_id = _story_ref(page["ogUrl"])
            username = username or og_username
        return StoryContext(username=username, story_id=story_id, page_url=page["href"])

    def visible_media_urls(self) -> list[str]:
        shown = read_visible_media(self._session)
        chosen = choose_story_media(shown)
        others = [media.url for media in shown if media is not chosen and is_downloadable_media_url(media.url)]
        return ([chosen.url] if chosen else []) + others

    def next(self) -> bool:
        before = self._position()
        if not (self._run("tagNext", {"marker": CONTROL_ATTRIBUTE})
                and self._session.click(f"[{CONTROL_ATTRIBUTE}]", timeout=self._timeout)):
            self._session.press("ArrowRight")
        return self._wait_for(lambda: self._moved_from(before))

    def tray_exhausted(self) -> bool:
        return self._path() == (urlsplit(self._base).path or "/").rstrip("/") + "/"

    # -- plumbing --------------------------------------------------------------------------------

    @property
    def _timeout_ms(self) -> int:
        return int(self._timeout * 1000)

    def _run(self, action: str, options: Mapping[str, Any] | None = None) -> Any:
        return self._session.evaluate(load_script("story_page.js", "viewer.js"), action, dict(options or {}))

    def _path(self) -> str:
        return urlsplit(self._session.current_url()).path

    def _position(self) -> Position:
        page = self._run("page")
        return page["href"], page["ogUrl"], tuple(media.url for media in read_visible_media(self._session))

    def _moved_from(self, before: Position) -> bool:
        href, og_url, media = self._position()
        # Media is compared only once the new story shows some: in between, a re-rendering
        # viewer shows none, which is not yet a move.
        return (href, og_url) != before[:2] or (bool(media) and media != before[2])

    def _wait_for(self, arrived: Callable[[], bool]) -> bool:
        """Poll ``arrived`` until it holds or the timeout passes; a page mid-navigation is not there yet."""
        deadline = time.monotonic() + self._timeout
        while True:
            try:
                if arrived():
                    return True
            except BrowserError:
                # A script run while the old document unloads fails; the next poll sees the new one.
                pass
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_SECONDS)


def _story_ref(url: str) -> tuple[str | None, str | None]:
    """``(username, story_id)`` of a ``/stories/<username>/<id>/`` URL; ``None`` for what it lacks."""
    match = STORY_PATH.match(urlsplit(url).path)
    if match is None or match.group(1) == HIGHLIGHTS_SEGMENT:
        return None, None
    username = normalize_username(unquote(match.group(1)))
    story_id = normalize_story_id(match.group(2)) if match.group(2) else None
    return username, story_id
