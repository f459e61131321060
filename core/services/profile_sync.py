"""Profile story sync (SPEC §6): usernames in, stories stored and media downloaded, one report out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

from ..chain import take_attempts_of
from ..errors import (
    CheckpointRequired,
    InstagramError,
    LocalRateLimitPause,
    LoginRequired,
    NotFound,
    RateLimited,
    StorySyncError,
)
from ..models import MediaJob, MediaKind, Profile, Reel, StoryItem, SyncReport, TrayEntry
from ..policy import chunk, normalize_username
from ..ports import Clock, EventSink, MediaStore, Store, StorySource
from ..reasons import Reason
from .reporting import RunTally, recorded_run


class StoryHooks(Protocol):
    """The plugin hooks a sync consults (a subset of the app's typed hook facade)."""

    def story_saved(self, story: StoryItem, is_new: bool, run_id: str) -> None: ...
    def should_skip_story(self, story: StoryItem) -> str | None: ...


@dataclass(frozen=True)
class ProfileSyncOptions:
    batch_size: int = 10
    use_id_cache: bool = True
    tray_skip: bool = True
    download_media: bool = True


class ProfileSync:
    """Resolve ids (cache → tray → profile), skip owners the tray says are unchanged, fetch reels in
    batches, store stories, download media, and account for every request and failure."""

    def __init__(
        self,
        *,
        source: StorySource,
        store: Store,
        clock: Clock,
        events: EventSink,
        media: MediaStore | None = None,
        hooks: StoryHooks | None = None,
        options: ProfileSyncOptions = ProfileSyncOptions(),
        request_counts: Callable[[], Mapping[str, int]] | None = None,
        new_run_id: Callable[[], str],
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.source = source
        self.store = store
        self.clock = clock
        self.events = events
        self.media = media
        self.hooks = hooks
        self.options = options
        self.request_counts = request_counts
        self.new_run_id = new_run_id
        self._progress = progress or (lambda message: None)

    def run(self, usernames: Sequence[str], *, limit: int | None = None) -> SyncReport:
        """Sync the stories of ``usernames`` (at most ``limit`` stories each, newest kept).

        ``LoginRequired`` and ``CheckpointRequired`` end the run: it is recorded, then re-raised so
        the caller can tell the user what to do.
        """
        with recorded_run("profile", run_id=self.new_run_id(), store=self.store, clock=self.clock,
                          events=self.events, request_counts=self.request_counts) as tally:
            wanted = self._normalise(usernames, tally)
            tally.owners_requested = len(wanted)
            take_attempts_of(self.source)  # tries of calls made before this run are not its own
            tray = self._tray(tally) if self.options.tray_skip else None
            ids = self._resolve_ids(wanted, tray, tally)
            due = self._owners_due(ids, tray, tally)
            stories = self._fetch_and_store(due, tally, limit)
            if self.options.download_media and self.media is not None:
                self._download(stories + self._held_without_media(ids, stories), tally)
            tally.end_reason = "completed"
        return tally.final

    # -- steps -------------------------------------------------------------------------------

    def _normalise(self, usernames: Sequence[str], tally: RunTally) -> list[str]:
        wanted: list[str] = []
        for raw in usernames:
            name = normalize_username(raw)
            if name is None:
                tally.fail(Reason.NOT_FOUND, kind="owner_invalid", username=raw, detail="not a valid Instagram username")
            elif name not in wanted:
                wanted.append(name)
        return wanted

    def _tray(self, tally: RunTally) -> dict[str, TrayEntry] | None:
        """One tray request per run; without it nothing is skipped, and the run goes on."""
        self._progress("reading the story tray")
        try:
            entries = self.source.tray()
        except (LoginRequired, CheckpointRequired):
            raise
        except StorySyncError as error:
            tally.fail(str(error.reason or Reason.TRANSIENT_NETWORK_ERROR), kind="tray_unavailable", detail=str(error))
            return None
        finally:
            self._note_fallbacks(tally, "tray")
        for entry in entries:
            self.store.upsert_profile(
                Profile(user_id=entry.user_id, username=entry.username, full_name=entry.full_name,
                        profile_pic_url=entry.profile_pic_url),
                seen_in_tray=True,
            )
        self.store.mark_in_tray([entry.user_id for entry in entries])
        return {entry.user_id: entry for entry in entries}

    def _resolve_ids(self, usernames: list[str], tray: dict[str, TrayEntry] | None, tally: RunTally) -> dict[str, str]:
        """username → user id, from the permanent cache, then the tray, then ``web_profile_info``."""
        by_tray_name = {entry.username: entry.user_id for entry in (tray or {}).values()}
        ids: dict[str, str] = {}
        for username in usernames:
            cached = self.store.cached_user_id(username) if self.options.use_id_cache else None
            user_id = cached or by_tray_name.get(username)
            if user_id is None:
                user_id = self._profile_id(username, tally)
            if user_id is not None:
                ids[username] = user_id
        return ids

    def _profile_id(self, username: str, tally: RunTally) -> str | None:
        try:
            profile = self.source.profile(username)
        except (LoginRequired, CheckpointRequired):
            raise
        except LocalRateLimitPause as pause:
            self._paused(pause, [username], tally)
            return None
        except NotFound:
            tally.fail(Reason.NOT_FOUND, kind="owner_not_found", username=username)
            return None
        except StorySyncError as error:
            self._owner_failed(username, error, tally, operation="profile")
            return None
        finally:
            self._note_fallbacks(tally, "profile")
        self.store.upsert_profile(profile)
        return profile.user_id

    def _owners_due(self, ids: dict[str, str], tray: dict[str, TrayEntry] | None, tally: RunTally) -> dict[str, str]:
        """Owners whose stories may have changed; the rest are skipped with no request (SPEC §6.2)."""
        if tray is None or not self.options.tray_skip:
            return ids
        due: dict[str, str] = {}
        for username, user_id in ids.items():
            entry = tray.get(user_id)
            if entry is not None:
                newest_held = self.store.latest_taken_at(user_id)
                if newest_held is not None and entry.latest_reel_media <= newest_held:
                    tally.skip_owner(username, Reason.TRAY_UNCHANGED)
                    continue
            elif self.store.is_followed(user_id):
                tally.skip_owner(username, Reason.TRAY_ABSENT)
                continue
            due[username] = user_id
        return due

    def _fetch_and_store(self, due: dict[str, str], tally: RunTally, limit: int | None) -> list[StoryItem]:
        username_of = {user_id: username for username, user_id in due.items()}
        saved: list[StoryItem] = []
        batches = chunk(list(username_of), self.options.batch_size)
        for number, batch in enumerate(batches, 1):
            self._progress(f"fetching stories, batch {number}/{len(batches)}")
            try:
                reels = self.source.reels(batch)
            except (LoginRequired, CheckpointRequired):
                raise
            except LocalRateLimitPause as pause:
                self._paused(pause, [username_of[user_id] for user_id in batch], tally)
                continue
            except StorySyncError as error:
                for user_id in batch:
                    self._owner_failed(username_of[user_id], error, tally, operation="reels")
                continue
            finally:
                self._note_fallbacks(tally, "reels")
            for user_id in batch:
                reel = reels.get(user_id)
                if reel is not None:
                    saved.extend(self._store_reel(reel, username_of[user_id], tally, limit))
        return saved

    def _store_reel(self, reel: Reel, requested: str, tally: RunTally, limit: int | None) -> list[StoryItem]:
        if reel.owner_username and reel.owner_username != requested:
            # The id is permanent, the name is not: a reel revealing a new name refreshes the cache.
            self.store.upsert_profile(Profile(user_id=reel.owner_id, username=reel.owner_username,
                                              full_name=reel.owner_full_name))
        now = self.clock.now()
        active = [item for item in reel.items if not item.is_expired(now)]
        if limit is not None:
            active = active[-limit:]
        kept: list[StoryItem] = []
        for item in active:
            reason = self.hooks.should_skip_story(item) if self.hooks else None
            if reason:
                tally.emit("story_skipped", story_id=item.story_id, username=requested, reason=reason)
            else:
                kept.append(item)
        if not kept:
            return []
        before = {item.story_id for item in kept if self.store.get_story(item.story_id) is not None}
        new, updated = self.store.upsert_stories(kept, raw=reel.raw_items, now=now)
        tally.stories_new += new
        tally.stories_updated += updated
        for item in kept:
            if self.hooks:
                self.hooks.story_saved(item, item.story_id not in before, tally.run_id)
            if not item.media_url:
                tally.fail(Reason.API_STORY_MEDIA_UNAVAILABLE, story_id=item.story_id, username=requested)
        return kept

    def _held_without_media(self, ids: dict[str, str], fetched: list[StoryItem]) -> list[StoryItem]:
        """Active stories already stored whose file an earlier run failed to get: retried, no API call."""
        fetched_ids = {item.story_id for item in fetched}
        now = self.clock.now()
        return [
            item
            for username in ids
            for item in self.store.list_stories(username)
            if item.story_id not in fetched_ids and item.media_url and not item.is_expired(now)
            and self.store.get_media(item.story_id) is None
        ]

    def _download(self, stories: list[StoryItem], tally: RunTally) -> None:
        self._progress(f"downloading {sum(1 for item in stories if item.media_url)} media files")
        jobs = [
            MediaJob(url=item.media_url, owner_username=item.owner_username, story_id=item.story_id,
                     media_type=download_kind(item))
            for item in stories
            if item.media_url
        ]
        tally.count_downloads(jobs, self.media.download_many(jobs))

    # -- failures ----------------------------------------------------------------------------

    @staticmethod
    def _paused(pause: LocalRateLimitPause, usernames: list[str], tally: RunTally) -> None:
        """Skip owners behind an active cooldown, and tell the user when it ends (SPEC §5)."""
        for username in usernames:
            tally.skip_owner(username, Reason.LOCAL_RATE_LIMIT_PAUSE, until=pause.until, endpoint=pause.endpoint_family)
        until = datetime.fromtimestamp(pause.until, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        tally.message = f"{pause.endpoint_family} is paused after a rate limit until {until}; run again after that."

    def _owner_failed(self, username: str, error: StorySyncError, tally: RunTally, *, operation: str) -> None:
        fields: dict = {"username": username, "operation": operation, "error_class": type(error).__name__,
                        "detail": str(error)}
        if isinstance(error, RateLimited):
            fields["retry_after_seconds"] = error.retry_after
        if isinstance(error, InstagramError):
            fields["status"] = error.status
        attempts = getattr(error, "attempts", ())
        if attempts:
            fields["attempts"] = [{"source": a.name, "reason": a.reason} for a in attempts]
        tally.fail(str(error.reason or Reason.TRANSIENT_NETWORK_ERROR), kind="owner_sync_failed", **fields)

    def _note_fallbacks(self, tally: RunTally, operation: str) -> None:
        """Keep the tries of a call on which some source failed, whether another then succeeded
        (the run used a fallback the user should see) or none did."""
        attempts = take_attempts_of(self.source)
        if any(not attempt.ok for attempt in attempts):
            tally.attempts.setdefault(operation, []).extend(attempts)


def download_kind(item: StoryItem) -> MediaKind | int:
    """The kind of file ``item.media_url`` names; a carousel's is that of the child it comes from."""
    if item.media_type != "carousel":
        return item.media_type
    return "video" if item.video_url and item.media_url == item.video_url else "image"
