"""Home carousel sync (SPEC §6): the browser walks the story tray, the API supplies the data.

For each story the viewer shows, up to the limit: pass the view gate, read which story it is,
take its media from the owner's reel (one ``reels_media`` request per owner and run), else from
the configured media fallbacks (the page's DOM, its network log), store it, then press Next.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import msgspec

from ..chain import FallbackChain, take_attempts_of
from ..errors import (
    CheckpointRequired,
    LoginRequired,
    StorySyncError,
)
from ..models import (
    Attempt,
    MediaJob,
    Reel,
    ResolvedMedia,
    StoryContext,
    StoryItem,
    SyncReport,
)
from ..policy import story_id_from_media_url
from ..ports import (
    Clock,
    EventSink,
    MediaFallback,
    MediaStore,
    Store,
    StorySource,
    StoryViewer,
)
from ..reasons import Reason
from .profile_sync import StoryHooks, download_kind
from .reporting import RunTally, recorded_run

API = "api"
#: A story seen only in the page has no taken-at time; 0 ("unknown") keeps profile sync's tray
#: skipping from treating it as the owner's newest story.
UNKNOWN_TAKEN_AT = 0
#: Stories live at most a day, so one seen now expires within a day.
STORY_LIFETIME_SECONDS = 86_400


class MediaNotFound(StorySyncError):
    """A media source looked and found no usable media for the story on screen."""

    reason = Reason.NOT_FOUND


@dataclass
class OwnerData:
    """What the API said about one owner in this run: asked once, reused for each of their stories."""

    owner_id: str | None = None
    reel: Reel | None = None
    error: StorySyncError | None = None
    #: The source chain's tries for this owner (each source's name and outcome).
    tries: list[Attempt] = field(default_factory=list)
    elapsed_s: float = 0.0


class CarouselSync:
    """Walk the home story tray in a browser and archive each story, API first."""

    def __init__(
        self,
        *,
        viewer: StoryViewer,
        source: StorySource,
        media_fallbacks: FallbackChain[MediaFallback],
        store: Store,
        clock: Clock,
        events: EventSink,
        media: MediaStore | None = None,
        hooks: StoryHooks | None = None,
        request_counts: Callable[[], Mapping[str, int]] | None = None,
        new_run_id: Callable[[], str],
        safety_limit: int = 500,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.viewer = viewer
        self.source = source
        self.media_fallbacks = media_fallbacks
        self.store = store
        self.clock = clock
        self.events = events
        self.media = media
        self.hooks = hooks
        self.request_counts = request_counts
        self.new_run_id = new_run_id
        self.safety_limit = safety_limit
        self._timer = timer

    def run(self, *, limit: int | None = None) -> SyncReport:
        """Visit at most ``limit`` stories (and never more than the safety limit) from the tray's first.

        The report's ``end_reason`` is ``limit_reached``, ``tray_exhausted``,
        ``next_navigation_failed`` or ``safety_limit_exhausted``. ``LoginRequired`` and
        ``CheckpointRequired`` end the run early, as does a browser that fails altogether: the
        run is recorded, then the error re-raised.
        """
        owners: dict[str, OwnerData] = {}
        downloads: list[MediaJob] = []
        with recorded_run("home", run_id=self.new_run_id(), store=self.store, clock=self.clock,
                          events=self.events, request_counts=self.request_counts) as tally:
            take_attempts_of(self.source)  # tries of calls made before this run are not its own
            tally.end_reason = self._walk(limit, owners, downloads, tally)
            if self.media is not None:
                self._download(downloads, tally)
        return tally.final

    # -- the walk ------------------------------------------------------------------------------

    def _walk(self, limit: int | None, owners: dict[str, OwnerData], downloads: list[MediaJob],
              tally: RunTally) -> str:
        self.viewer.open_home()
        if not self.viewer.open_first_story():
            return "tray_exhausted"
        visited = 0
        while True:
            job = self._sync_story(owners, tally)
            if job is not None:
                downloads.append(job)
            visited += 1
            if limit is not None and visited >= limit:
                return "limit_reached"
            if visited >= self.safety_limit:
                return "safety_limit_exhausted"
            moved = self.viewer.next()
            if moved and self.viewer.tray_exhausted():
                return "tray_exhausted"
            if not moved:
                context = self.viewer.read_context()
                tally.fail(Reason.NEXT_NAVIGATION_FAILED, username=context.username, story_id=context.story_id,
                           page_url=context.page_url)
                return "next_navigation_failed"

    def _sync_story(self, owners: dict[str, OwnerData], tally: RunTally) -> MediaJob | None:
        """Archive the story on screen; the media job to run, or ``None`` when it failed (recorded)."""
        gate = self.viewer.pass_view_gate()
        context = self.viewer.read_context()
        where = {"username": context.username, "story_id": context.story_id, "page_url": context.page_url}
        if self.viewer.page_unavailable():
            tally.fail(Reason.STORY_PAGE_UNAVAILABLE, **where)
            return None
        if gate == "not_cleared":
            tally.fail(Reason.STORY_VIEW_GATE_NOT_CLEARED, **where)
            return None
        if context.username is None:
            reason = Reason.STORY_CONTEXT_MISSING_AFTER_VIEW_GATE if gate == "cleared" else Reason.STORY_CONTEXT_MISSING
            tally.fail(reason, **where)
            return None
        story_id = context.story_id or self._story_id_from_media()
        if story_id is None:
            tally.fail(Reason.STORY_ID_UNRESOLVED, **where)
            return None
        owner = self._owner(context.username, owners)
        context = msgspec.structs.replace(context, story_id=story_id, owner_id=owner.owner_id)
        item, resolved, attempts = self._resolve(context, owner)
        tally.attempts[story_id] = attempts
        trail = [{"source": a.name, "ok": a.ok, "reason": a.reason} for a in attempts]
        api_sources = [{"source": a.name, "ok": a.ok, "reason": a.reason} for a in owner.tries]
        if resolved is None:
            latest = self.store.latest_failures(context.username)
            tally.fail(Reason.API_STORY_MEDIA_UNAVAILABLE, username=context.username, story_id=story_id,
                       attempts=trail, api_sources=api_sources, latest_api_failure=latest[0] if latest else None)
            return None
        tally.emit("story_media_resolved", username=context.username, story_id=story_id, source=resolved.source,
                   attempts=trail, api_sources=api_sources)
        if not self._store(item, context, resolved, owner, tally):
            return None
        return MediaJob(url=resolved.media_url, owner_username=context.username, story_id=story_id,
                        media_type=resolved.media_type)

    def _story_id_from_media(self) -> str | None:
        """A story id the address does not show, from the ``ig_cache_key`` of the media on screen."""
        for url in self.viewer.visible_media_urls():
            story_id = story_id_from_media_url(url)
            if story_id is not None:
                return story_id
        return None

    # -- the API, once per owner ---------------------------------------------------------------

    def _owner(self, username: str, owners: dict[str, OwnerData]) -> OwnerData:
        if username not in owners:
            owners[username] = self._ask_api(username)
        return owners[username]

    def _ask_api(self, username: str) -> OwnerData:
        """The owner's id (store cache, else their profile) and active reel; failures are kept, not raised."""
        owner = OwnerData(owner_id=self.store.cached_user_id(username))
        started = self._timer()
        try:
            if owner.owner_id is None:
                profile = self.source.profile(username)
                self.store.upsert_profile(profile)
                owner.owner_id = profile.user_id
            owner.reel = self.source.reels([owner.owner_id]).get(owner.owner_id)
        except (LoginRequired, CheckpointRequired):
            raise
        except StorySyncError as error:
            owner.error = error
        owner.elapsed_s = self._timer() - started
        owner.tries = take_attempts_of(self.source)
        return owner

    # -- media: API first, then the fallbacks --------------------------------------------------

    def _resolve(self, context: StoryContext, owner: OwnerData
                 ) -> tuple[StoryItem | None, ResolvedMedia | None, list[Attempt]]:
        item = next((i for i in owner.reel.items if i.story_id == context.story_id), None) if owner.reel else None
        api_attempt = self._api_attempt(owner, item)
        attempts = [api_attempt]
        if api_attempt.ok:
            kind = download_kind(item)
            return item, ResolvedMedia(story_id=item.story_id, media_url=item.media_url, media_type=kind,
                                       source=API, width=item.width, height=item.height), attempts
        if not self.media_fallbacks.members:
            return item, None, attempts
        try:
            resolved = self.media_fallbacks.call(lambda fallback: _found(fallback.resolve(context)))
        except StorySyncError:
            resolved = None
        attempts.extend(self.media_fallbacks.take_attempts())
        return item, resolved, attempts

    def _api_attempt(self, owner: OwnerData, item: StoryItem | None) -> Attempt:
        if owner.error is not None:
            return Attempt(name=API, ok=False, reason=str(owner.error.reason or Reason.TRANSIENT_NETWORK_ERROR),
                           error_class=type(owner.error).__name__, elapsed_s=owner.elapsed_s)
        if item is None:
            # The owner has no reel, or it lacks this story: the API cannot describe what the page shows.
            return Attempt(name=API, ok=False, reason=Reason.NOT_FOUND.value, elapsed_s=owner.elapsed_s)
        if not item.media_url:
            return Attempt(name=API, ok=False, reason=Reason.API_STORY_MEDIA_UNAVAILABLE.value,
                           elapsed_s=owner.elapsed_s)
        return Attempt(name=API, ok=True, elapsed_s=owner.elapsed_s)

    # -- storing ---------------------------------------------------------------------------------

    def _store(self, item: StoryItem | None, context: StoryContext, resolved: ResolvedMedia, owner: OwnerData,
               tally: RunTally) -> bool:
        """Upsert the story (the API's, with the media found, else a minimal one from the page).

        Without the owner's id there is no row to write (ids key the archive); the media is
        still downloaded, and the failure says why the story is missing.
        """
        if owner.owner_id is None:
            reason = owner.error.reason if owner.error is not None else Reason.NOT_FOUND
            tally.fail(str(reason or Reason.TRANSIENT_NETWORK_ERROR), kind="story_not_stored",
                       username=context.username, story_id=resolved.story_id,
                       detail="the owner's id is unknown; the media is kept")
            return True
        story = _with_media(item, resolved) if item is not None else self._page_story(context, owner, resolved)
        reason = self.hooks.should_skip_story(story) if self.hooks else None
        if reason:
            tally.emit("story_skipped", story_id=story.story_id, username=story.owner_username, reason=reason)
            return False
        is_new = self.store.get_story(story.story_id) is None
        raw = owner.reel.raw_items if owner.reel is not None else {}
        new, updated = self.store.upsert_stories([story], raw=raw, now=self.clock.now())
        tally.stories_new += new
        tally.stories_updated += updated
        if self.hooks:
            self.hooks.story_saved(story, is_new, tally.run_id)
        return True

    def _page_story(self, context: StoryContext, owner: OwnerData, resolved: ResolvedMedia) -> StoryItem:
        now = int(self.clock.now())
        return StoryItem(
            story_id=resolved.story_id,
            owner_id=owner.owner_id,
            owner_username=context.username,
            media_type=resolved.media_type,
            taken_at=UNKNOWN_TAKEN_AT,
            expiring_at=now + STORY_LIFETIME_SECONDS,
            media_url=resolved.media_url,
            image_url=resolved.media_url if resolved.media_type == "image" else None,
            video_url=resolved.media_url if resolved.media_type == "video" else None,
        )

    def _download(self, jobs: list[MediaJob], tally: RunTally) -> None:
        tally.count_downloads(jobs, self.media.download_many(jobs))


def _found(media: ResolvedMedia | None) -> ResolvedMedia:
    """A fallback's answer, with "found nothing" as a failure the chain records and moves past."""
    if media is None:
        raise MediaNotFound("no story media found")
    return media


def _with_media(item: StoryItem, resolved: ResolvedMedia) -> StoryItem:
    """The API's story, with the media a fallback found when the API's had no usable URL."""
    if resolved.source == API:
        return item
    kind = resolved.media_type
    return msgspec.structs.replace(
        item,
        media_url=resolved.media_url,
        image_url=resolved.media_url if kind == "image" else item.image_url,
        video_url=resolved.media_url if kind == "video" else item.video_url,
    )
