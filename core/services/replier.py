"""Replying to a story (SPEC §6 "Reply"): decide, record the intent, deliver through the sinks.

Idempotency rests on the store's reply rows and on ``client_context``: the intent is recorded
as ``pending`` before anything is sent, and a reply that is ``pending`` or ``unknown`` (a crash,
or a connection lost after sending) is looked for in the thread before it is ever sent again,
and then only with the same ``client_context``, which Instagram deduplicates on.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from ..chain import falls_through
from ..errors import InstagramError, LocalRateLimitPause, StorySyncError
from ..models import DELIVERED_REPLY_STATES, Event, ReplyOutcome, ReplyRequest, StoryItem
from ..policy import reply_eligibility
from ..ports import Clock, EventSink, ReplySink, Store, StorySource
from ..reasons import Reason

#: The sink allowed to try a story whose ``can_reply`` is unknown (SPEC §6 Reply 1): Instagram's
#: own answer settles the question; a browser would type into a box that may not be there.
API_SINK = "api"
UNRESOLVED_STATES = frozenset({"pending", "unknown"})
SENT_EVENT = "story_reply_sent"
SKIPPED_EVENT = "story_reply_skipped"
FAILED_EVENT = "story_reply_failed"


class ReplyHooks(Protocol):
    """The plugin hook the replier calls (a subset of the app's typed hook facade)."""

    def reply_sent(self, request: ReplyRequest, outcome: ReplyOutcome) -> None: ...


def client_context_from(clock: Clock) -> Callable[[], str]:
    """What the web client sends: epoch milliseconds followed by six random digits."""

    def new_client_context() -> str:
        return f"{int(clock.now() * 1000)}{secrets.randbelow(10**6):06d}"

    return new_client_context


def known_story(story_id: str, username: str, *, store: Store, source: StorySource, clock: Clock) -> StoryItem | None:
    """The stored story, else the one in its owner's active reel (then stored); ``None`` when neither has it."""
    stored = store.get_story(story_id)
    if stored is not None:
        return stored
    user_id = store.cached_user_id(username)
    if user_id is None:
        profile = source.profile(username)
        store.upsert_profile(profile)
        user_id = profile.user_id
    reel = source.reels([user_id]).get(user_id)
    if reel is None or not reel.items:
        return None
    store.upsert_stories(reel.items, raw=reel.raw_items, now=clock.now())
    return next((item for item in reel.items if item.story_id == story_id), None)


class Replier:
    """Replies to stories through the reply sinks in configured order, at most ``max_per_story`` times.

    Outcomes are ``sent``/``sent_unconfirmed`` (delivered), ``unknown`` (maybe delivered; the
    next call checks the thread first), ``failed`` or ``skipped`` (with a reason code). A story
    with an unresolved reply gets no second one: the call settles that reply instead (found in
    the thread, else resent as it was), even when ``max_per_story`` would allow another.

    A dry run returns the decision and sends, records and emits nothing: ``pending`` with the
    sink that would send first, ``unknown`` when an earlier reply must be looked for first, or
    ``skipped`` with the reason.
    """

    def __init__(
        self,
        store: Store,
        sinks: Sequence[tuple[str, ReplySink]],
        clock: Clock,
        events: EventSink,
        hooks: ReplyHooks | None = None,
        *,
        max_per_story: int = 1,
        skip_on_mention: bool = True,
        new_client_context: Callable[[], str] | None = None,
    ) -> None:
        self.store = store
        self.sinks = list(sinks)
        self.clock = clock
        self.events = events
        self.hooks = hooks
        self.max_per_story = max_per_story
        self.skip_on_mention = skip_on_mention
        self.new_client_context = new_client_context or client_context_from(clock)

    def reply(self, story: StoryItem | None, text: str, *, dry_run: bool = False) -> ReplyOutcome:
        """Reply ``text`` to ``story``; an earlier unresolved reply to it is settled instead of adding one."""
        earlier = self.store.list_replies(story.story_id) if story is not None else []
        unresolved = next((row for row in earlier if row["state"] in UNRESOLVED_STATES), None)
        if unresolved is not None:
            return self._plan_resume(unresolved) if dry_run else self._resume(story, unresolved)
        delivered = sum(row["state"] in DELIVERED_REPLY_STATES for row in earlier)
        verdict = reply_eligibility(
            story, text, already_replied=delivered >= self.max_per_story, skip_on_mention=self.skip_on_mention
        )
        if not verdict.eligible:
            return self._skipped(story, verdict.reason, dry_run=dry_run)
        sinks = self._sinks_for(api_only=verdict.api_only)
        if not sinks:
            return self._skipped(story, Reason.REPLY_UNAVAILABLE, dry_run=dry_run)
        if dry_run:
            return self._plan(story, sinks)
        request = ReplyRequest(
            story_id=story.story_id,
            owner_id=story.owner_id,
            owner_username=story.owner_username,
            text=verdict.text,
            client_context=self.new_client_context(),
            thread_id=self.store.cached_thread_id(story.owner_id),
            can_reply=story.can_reply,
        )
        recorded, existing = self.store.begin_reply(request, now=self.clock.now(), max_per_story=self.max_per_story)
        if not recorded:
            # Another process recorded a reply between our read and our write.
            if existing["state"] in UNRESOLVED_STATES:
                return self._resume(story, existing)
            return self._skipped(story, Reason.DUPLICATE_STORY_ALREADY_REPLIED)
        return self._deliver(request, sinks)

    # -- delivery ----------------------------------------------------------------------------

    def _sinks_for(self, *, api_only: bool) -> list[tuple[str, ReplySink]]:
        return [(name, sink) for name, sink in self.sinks if not api_only or name == API_SINK]

    def _deliver(self, request: ReplyRequest, sinks: Sequence[tuple[str, ReplySink]]) -> ReplyOutcome:
        """Try the sinks in order; only a transport failure lets the next one try (SPEC §6 Reply 4)."""
        attempts: list[dict[str, Any]] = []
        outcome: ReplyOutcome | None = None
        for position, (name, sink) in enumerate(sinks):
            try:
                outcome = sink.send(request)
            except StorySyncError as error:
                outcome = _failed(name, error)
                attempts.append({"sink": name, "reason": outcome.reason, "http_status": outcome.http_status})
                if not _may_try_next_sink(error) or position == len(sinks) - 1:
                    break
                # A 5xx or a dropped connection may still have delivered the reply; another sink
                # (a browser typing into the reply box) has no client_context to deduplicate on.
                delivered = self._delivered_despite(request, error, name)
                if delivered is not None:
                    outcome = delivered
                    break
                continue
            attempts.append({"sink": name, "state": outcome.state, "reason": outcome.reason})
            break
        if outcome is None:
            outcome = ReplyOutcome(state="failed", method="", reason=Reason.REPLY_UNAVAILABLE.value)
        return self._finish(request, outcome, attempts=attempts)

    def _delivered_despite(self, request: ReplyRequest, error: StorySyncError, method: str) -> ReplyOutcome | None:
        """``sent`` if the thread shows the reply after all, ``unknown`` if it cannot be read, else ``None``."""
        try:
            return self._find_sent(request)
        except StorySyncError:
            failure = _failed(method, error)
            return ReplyOutcome(state="unknown", method=method, reason=failure.reason, http_status=failure.http_status,
                                thread_id=request.thread_id)

    def _resume(self, story: StoryItem, row: Mapping[str, Any]) -> ReplyOutcome:
        """Settle a ``pending``/``unknown`` reply: found in the thread → ``sent``; else resend it as it was."""
        request = _request_from_row(row, story)
        try:
            found = self._find_sent(request)
        except StorySyncError as error:
            # Neither found nor known to be absent: sending now could duplicate it, so it stays
            # unresolved for the next attempt.
            failure = _failed("", error)
            outcome = ReplyOutcome(state="unknown", method=row["method"] or "", reason=failure.reason,
                                   http_status=failure.http_status, thread_id=row["thread_id"])
            self._emit(FAILED_EVENT, request, outcome, resumed=True)
            return outcome
        if found is not None:
            return self._finish(request, found, resumed=True)
        verdict = reply_eligibility(story, request.text, already_replied=False, skip_on_mention=self.skip_on_mention)
        if not verdict.eligible:
            return self._finish(request, ReplyOutcome(state="failed", method="", reason=verdict.reason.value),
                                resumed=True)
        # The recorded intent may belong to a process that is still sending it. Only the API
        # carries its client_context, which Instagram deduplicates; a browser typing it again
        # would not be, so a resumed reply never goes to the UI sink.
        return self._deliver(request, self._sinks_for(api_only=True))

    def _find_sent(self, request: ReplyRequest) -> ReplyOutcome | None:
        for _, sink in self.sinks:
            found = sink.find_sent(request)
            if found is not None:
                return found
        return None

    def _finish(self, request: ReplyRequest, outcome: ReplyOutcome, **fields: Any) -> ReplyOutcome:
        self.store.finish_reply(request.client_context, outcome, now=self.clock.now())
        if outcome.state in DELIVERED_REPLY_STATES:
            self._emit(SENT_EVENT, request, outcome, **fields)
            if self.hooks is not None:
                self.hooks.reply_sent(request, outcome)
        else:
            self._emit(FAILED_EVENT, request, outcome, **fields)
        return outcome

    # -- decisions without delivery ----------------------------------------------------------

    def _skipped(self, story: StoryItem | None, reason: Reason | None, *, dry_run: bool = False) -> ReplyOutcome:
        outcome = ReplyOutcome(state="skipped", method="", reason=str(reason or Reason.REPLY_UNAVAILABLE))
        if not dry_run:
            self.events.emit(Event(kind=SKIPPED_EVENT, at=self.clock.now(), fields={
                "story_id": story.story_id if story else None,
                "owner_id": story.owner_id if story else None,
                "owner_username": story.owner_username if story else None,
                "reason": outcome.reason,
            }))
        return outcome

    def _plan(self, story: StoryItem, sinks: Sequence[tuple[str, ReplySink]]) -> ReplyOutcome:
        return ReplyOutcome(state="pending", method=sinks[0][0], thread_id=self.store.cached_thread_id(story.owner_id))

    def _plan_resume(self, row: Mapping[str, Any]) -> ReplyOutcome:
        """A dry run over an unresolved reply: the next real run checks the thread before anything else."""
        return ReplyOutcome(state="unknown", method=row["method"] or "", thread_id=row["thread_id"])

    def _emit(self, kind: str, request: ReplyRequest, outcome: ReplyOutcome, **fields: Any) -> None:
        self.events.emit(Event(kind=kind, at=self.clock.now(), fields={
            "story_id": request.story_id,
            "owner_id": request.owner_id,
            "owner_username": request.owner_username,
            "client_context": request.client_context,
            "state": outcome.state,
            "method": outcome.method,
            "reason": outcome.reason,
            "http_status": outcome.http_status,
            "thread_id": outcome.thread_id,
            "item_id": outcome.item_id,
            **fields,
        }))


def _may_try_next_sink(error: StorySyncError) -> bool:
    """Transport trouble lets another sink try; a refusal by Instagram, or a local cooldown of the
    account, does not: the next sink writes as the same account."""
    return not isinstance(error, LocalRateLimitPause) and falls_through(error)


def _failed(method: str, error: StorySyncError) -> ReplyOutcome:
    return ReplyOutcome(
        state="failed",
        method=method,
        reason=str(error.reason or Reason.REPLY_UNAVAILABLE),
        http_status=error.status if isinstance(error, InstagramError) else None,
    )


def _request_from_row(row: Mapping[str, Any], story: StoryItem) -> ReplyRequest:
    """The recorded intent, as it was: same text, same ``client_context``."""
    return ReplyRequest(
        story_id=row["story_id"],
        owner_id=row["owner_id"],
        owner_username=row["owner_username"],
        text=row["text"],
        client_context=row["client_context"],
        thread_id=row["thread_id"],
        can_reply=story.can_reply,
    )
