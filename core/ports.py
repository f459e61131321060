"""The ports the core owns. Adapters implement them; services depend only on them.

Every method raises only ``storysync.core.errors`` exceptions: adapters translate their
libraries' exceptions before they cross a port.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, Protocol, runtime_checkable

from .errors import MediaError
from .models import (
    DownloadResult,
    MediaJob,
    Event,
    InboxPage,
    MediaRecord,
    NetworkResponse,
    Profile,
    Reel,
    ReplyOutcome,
    ReplyRequest,
    ResolvedMedia,
    StoryContext,
    StoryItem,
    SyncReport,
    TrayEntry,
)


@runtime_checkable
class Clock(Protocol):
    """Wall time and waiting, injected so expiry, cooldowns and backoff are testable."""

    def now(self) -> float:
        """Current Unix time in seconds."""

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds`` (a fake clock advances instead)."""


class ApiResponse(Protocol):
    status: int
    body: bytes
    headers: Mapping[str, str]


@runtime_checkable
class EventSink(Protocol):
    """Where services and adapters report what happened (stored, logged, shown to observer plugins)."""

    def begin_run(self, run_id: str) -> None:
        """Attach the events that follow to ``run_id``."""

    def emit(self, event: Event) -> None: ...


@runtime_checkable
class Transport(Protocol):
    """One authenticated request to Instagram's web API, classified (SPEC §2, §4).

    ``path`` is relative to ``/api/v1/`` (e.g. ``feed/reels_media/``); ``endpoint`` is the
    family name used for events, pacing and the ledger (e.g. ``feed/reels_media``). The return
    value is the raw body of a successful (2xx) JSON response; anything else raises an
    ``InstagramError`` subclass after the transport's own retries.
    """

    name: str

    def get_json(
        self,
        path: str,
        params: Sequence[tuple[str, str]] = (),
        *,
        endpoint: str,
        referer: str,
        username: str | None = None,
    ) -> bytes: ...

    def post_form(
        self,
        path: str,
        form: Mapping[str, str],
        *,
        endpoint: str,
        referer: str,
        username: str | None = None,
    ) -> bytes: ...

    def close(self) -> None: ...


@runtime_checkable
class StorySource(Protocol):
    """Where story data comes from (direct HTTP, a browser's in-page fetch, a plugin's own)."""

    name: str

    def profile(self, username: str) -> Profile:
        """The profile of ``username``; ``NotFound`` when there is none."""

    def reels(self, user_ids: Sequence[str]) -> dict[str, Reel]:
        """Active reels of the given owners, keyed by owner id; owners without stories are absent.

        Implementations batch as they see fit; the result covers every requested id that has a reel.
        """

    def tray(self) -> list[TrayEntry]:
        """The viewer's story tray, in Instagram's order."""

    def inbox(self, cursor: str | None = None, limit: int = 20) -> InboxPage:
        """One page of the direct inbox, starting after ``cursor``."""


@runtime_checkable
class MediaFallback(Protocol):
    """A second way to find a story's media when the API did not give a usable URL."""

    name: str

    def resolve(self, context: StoryContext) -> ResolvedMedia | None:
        """The media of the story the viewer shows now, or ``None`` when this strategy finds none."""


@runtime_checkable
class ReplySink(Protocol):
    """A way to deliver a reply to a story."""

    name: str

    def send(self, request: ReplyRequest) -> ReplyOutcome:
        """Send once; return the outcome (``sent``, ``sent_unconfirmed``, ``unknown``, ``failed``).

        Raises ``InstagramError`` subclasses for refusals and transport failures so the reply
        service can decide, by policy, whether another sink may try.
        """

    def find_sent(self, request: ReplyRequest) -> ReplyOutcome | None:
        """Look for an earlier delivery of ``request`` (by ``client_context`` or text) without sending."""


@runtime_checkable
class BrowserSession(Protocol):
    """A real browser driven by Selenium or Playwright; started lazily, closed at run end."""

    name: str

    def navigate(self, url: str) -> None:
        """Load ``url`` and wait for the document to be ready."""

    def current_url(self) -> str: ...

    def evaluate(self, script: str, *args: Any) -> Any:
        """Run ``script`` (a function body receiving ``args`` as ``arguments``) and return its value.

        Promises returned by the script are awaited. Values reach the script only as arguments.
        """

    def set_cookies(self, cookies: Sequence[Mapping[str, Any]], url: str) -> None:
        """Give the browser the account's cookies for the origin of ``url``."""

    def network_log(self) -> list[NetworkResponse]:
        """Responses received since the last call (Chrome performance log or response events)."""

    def click(self, selector: str, timeout: float = 5.0) -> bool:
        """Click the first visible element matching the CSS ``selector``; ``False`` if none appeared."""

    def type_text(self, selector: str, text: str, timeout: float = 5.0) -> bool:
        """Type into the first visible element matching ``selector``; ``False`` if none appeared."""

    def press(self, key: str) -> None:
        """Press a keyboard key (e.g. ``ArrowRight``, ``Enter``) on the focused page."""

    def close(self) -> None:
        """Quit the browser; safe to call twice and when it never started."""


#: How the story viewer's view gate ("View story") went: not shown, clicked away, or still there.
ViewGate = Literal["no_gate", "cleared", "not_cleared"]


@runtime_checkable
class StoryViewer(Protocol):
    """Instagram's story viewer as a logged-in browser shows it (SPEC §6 "Home carousel sync").

    Unexpected page states are answers (``False``, ``None``, ``not_cleared``), never exceptions;
    only a browser that fails altogether raises ``BrowserError``, and a logged-out one
    ``LoginRequired``.
    """

    def open_home(self) -> None:
        """Load the home page (with the story tray) as the account."""

    def open_first_story(self) -> bool:
        """Open the first story of the tray; ``False`` when the tray offers none or nothing opened."""

    def pass_view_gate(self) -> ViewGate:
        """Pass the "View story" prompt if the current story shows one, then wait for its media."""

    def page_unavailable(self) -> bool:
        """Whether the page says "Sorry, this page isn't available." """

    def read_context(self) -> StoryContext:
        """Owner and story id from ``/stories/<username>/<id>/``, else ``og:url``; ``None`` parts when absent."""

    def visible_media_urls(self) -> list[str]:
        """Downloadable URLs of the story media on screen, most likely first (to recover a story id)."""

    def next(self) -> bool:
        """Move to the next story (the Next control, else ArrowRight); whether the viewer moved."""

    def tray_exhausted(self) -> bool:
        """Whether the viewer went back to the home page: no story is left."""


@runtime_checkable
class MediaStore(Protocol):
    """Downloads media to durable files (SPEC §7)."""

    def download(self, job: MediaJob) -> DownloadResult:
        """Stream ``job.url`` to ``<media_dir>/<owner>/<story_id>.<ext>`` atomically; raise ``MediaError``.

        A file already held with a matching record is not fetched again (``skipped``).
        """

    def download_many(self, jobs: Sequence[MediaJob]) -> list[DownloadResult | MediaError]:
        """Download concurrently (bounded); one result or ``MediaError`` per job, in job order."""


@runtime_checkable
class Store(Protocol):
    """Durable state: profiles and the username→id cache, stories, media, replies, events, ledger, runs.

    Every multi-row change is one transaction. Two processes may share a store.
    """

    # profiles and the permanent username -> id cache
    def cached_user_id(self, username: str) -> str | None: ...
    def upsert_profile(self, profile: Profile, *, seen_in_tray: bool = False) -> None: ...
    def get_profile(self, username: str) -> Profile | None: ...
    def is_followed(self, user_id: str) -> bool | None:
        """Whether the viewer follows ``user_id`` as far as we know (tray sightings, profile payloads)."""
    def mark_in_tray(self, user_ids: Sequence[str]) -> None: ...

    # stories
    def upsert_stories(self, stories: Sequence[StoryItem], *, raw: Mapping[str, bytes] | None = None, now: float) -> tuple[int, int]:
        """Insert or refresh stories (idempotent on ``story_id``); return ``(new, updated)``."""
    def get_story(self, story_id: str) -> StoryItem | None: ...
    def list_stories(self, username: str | None = None, limit: int | None = None) -> list[StoryItem]: ...
    def latest_taken_at(self, user_id: str) -> int | None:
        """Newest ``taken_at`` we hold for ``user_id``, for tray-driven skipping."""

    # media records
    def get_media(self, story_id: str) -> MediaRecord | None: ...
    def record_media(self, record: MediaRecord) -> None: ...

    # replies: the idempotency state machine
    def begin_reply(self, request: ReplyRequest, *, now: float, max_per_story: int = 1) -> tuple[bool, dict[str, Any]]:
        """Record the intent atomically; ``(False, existing)`` when a reply for the story already exists."""
    def finish_reply(self, client_context: str, outcome: ReplyOutcome, *, now: float) -> None: ...
    def list_replies(self, story_id: str | None = None) -> list[dict[str, Any]]: ...

    # events and the latest failure per target and endpoint
    def record_event(self, event: Event, *, run_id: str | None = None) -> None: ...
    def list_events(self, kind: str | None = None, run_id: str | None = None) -> list[Event]: ...
    def latest_failures(self, username: str | None = None) -> list[dict[str, Any]]: ...

    # the rate-limit ledger (SPEC §5)
    def cooldown_until(self, account: str, family: str) -> float | None: ...
    def set_cooldown(self, account: str, family: str, until: float, reason: str) -> None: ...
    def record_request(self, account: str, family: str, at: float) -> None: ...
    def recent_requests(self, account: str, family: str, since: float) -> int: ...

    # runs
    def start_run(self, run_id: str, flow: str, *, now: float) -> None: ...
    def finish_run(self, report: SyncReport) -> None: ...
    def list_runs(self, limit: int = 20) -> list[SyncReport]: ...

    # threads cached per owner for replies
    def cached_thread_id(self, owner_id: str) -> str | None: ...
    def cache_thread_id(self, owner_id: str, thread_id: str) -> None: ...

    def close(self) -> None: ...


__all__ = [
    "ApiResponse",
    "BrowserSession",
    "Clock",
    "EventSink",
    "MediaFallback",
    "MediaStore",
    "ReplySink",
    "Store",
    "StorySource",
    "StoryViewer",
    "Transport",
    "ViewGate",
]
