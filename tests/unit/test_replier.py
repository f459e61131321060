"""The reply service over hand-written fakes of its ports: eligibility, intent before send, sink
fallback policy, unknown outcomes settled from the thread, dry runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from storysync.core.errors import (
    BadRequest,
    BrowserError,
    CheckpointRequired,
    FeedbackRequired,
    LocalRateLimitPause,
    LoginRequired,
    NotJson,
    RateLimited,
    StorySyncError,
    Transient,
    UserAgentMismatch,
)
from storysync.core.models import Attribution, Event, ReplyOutcome, ReplyRequest, StoryItem
from storysync.core.reasons import EXTERNAL_ATTRIBUTION_REASONS, Reason
from storysync.core.services.replier import Replier

NOW = 1_787_140_800.0
OCCUPYING = ("pending", "sent", "sent_unconfirmed", "unknown")


class FakeClock:
    def now(self) -> float:
        return NOW

    def sleep(self, seconds: float) -> None:
        raise AssertionError("the replier never waits")


@dataclass
class FakeEvents:
    events: list[Event] = field(default_factory=list)

    def begin_run(self, run_id: str) -> None:
        pass

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def kinds(self) -> list[str]:
        return [event.kind for event in self.events]


@dataclass
class FakeReplyStore:
    """The reply half of the ``Store`` port, with the same refusal rules as the real stores."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    threads: dict[str, str] = field(default_factory=dict)

    def begin_reply(self, request: ReplyRequest, *, now: float, max_per_story: int = 1) -> tuple[bool, dict[str, Any]]:
        occupying = [row for row in self.rows.values() if row["story_id"] == request.story_id and row["state"] in OCCUPYING]
        if len(occupying) >= max_per_story:
            return False, dict(occupying[0])
        self.rows[request.client_context] = {
            "client_context": request.client_context, "story_id": request.story_id, "owner_id": request.owner_id,
            "owner_username": request.owner_username, "text": request.text, "state": "pending", "method": None,
            "reason": None, "http_status": None, "thread_id": request.thread_id, "item_id": None,
        }
        return True, dict(self.rows[request.client_context])

    def finish_reply(self, client_context: str, outcome: ReplyOutcome, *, now: float) -> None:
        row = self.rows[client_context]
        if row["state"] == "sent" and outcome.state != "sent":
            raise StorySyncError("already sent")
        row.update(state=outcome.state, method=outcome.method, reason=outcome.reason, http_status=outcome.http_status,
                   thread_id=outcome.thread_id or row["thread_id"], item_id=outcome.item_id or row["item_id"])

    def list_replies(self, story_id: str | None = None) -> list[dict[str, Any]]:
        return [dict(row) for row in self.rows.values() if story_id is None or row["story_id"] == story_id]

    def cached_thread_id(self, owner_id: str) -> str | None:
        return self.threads.get(owner_id)

    def states(self) -> list[str]:
        return [row["state"] for row in self.rows.values()]


@dataclass
class FakeSink:
    """A reply sink whose ``send`` answers from a script (an outcome, or an error to raise)."""

    name: str
    answer: Callable[[ReplyRequest], ReplyOutcome] | None = None
    found: ReplyOutcome | None | Exception = None
    sent: list[ReplyRequest] = field(default_factory=list)
    looked_for: list[ReplyRequest] = field(default_factory=list)
    #: The store's state of the reply at the moment ``send`` was called.
    state_at_send: list[str] = field(default_factory=list)
    store: FakeReplyStore | None = None

    def send(self, request: ReplyRequest) -> ReplyOutcome:
        self.sent.append(request)
        if self.store is not None:
            self.state_at_send.append(self.store.rows[request.client_context]["state"])
        if self.answer is None:
            return ReplyOutcome(state="sent", method=self.name, http_status=200, thread_id="340282366", item_id="1")
        return self.answer(request)

    def find_sent(self, request: ReplyRequest) -> ReplyOutcome | None:
        self.looked_for.append(request)
        if isinstance(self.found, Exception):
            raise self.found
        return self.found


def raising(error: Exception) -> Callable[[ReplyRequest], ReplyOutcome]:
    def answer(request: ReplyRequest) -> ReplyOutcome:
        raise error

    return answer


def returning(outcome: ReplyOutcome) -> Callable[[ReplyRequest], ReplyOutcome]:
    return lambda request: outcome


@dataclass
class RecordingHooks:
    sent: list[tuple[ReplyRequest, ReplyOutcome]] = field(default_factory=list)

    def reply_sent(self, request: ReplyRequest, outcome: ReplyOutcome) -> None:
        self.sent.append((request, outcome))


def story(story_id: str = "3456789012345678901", **changes: Any) -> StoryItem:
    fields: dict[str, Any] = {
        "story_id": story_id, "owner_id": "52011", "owner_username": "alice", "media_type": "image",
        "taken_at": int(NOW) - 600, "expiring_at": int(NOW) + 3600, "can_reply": True,
    }
    fields.update(changes)
    return StoryItem(**fields)


@dataclass
class World:
    store: FakeReplyStore
    api: FakeSink
    ui: FakeSink
    events: FakeEvents
    hooks: RecordingHooks
    replier: Replier


@pytest.fixture
def world() -> World:
    return make_world()


def make_world(*, api: FakeSink | None = None, ui: FakeSink | None = None, **options: Any) -> World:
    store = FakeReplyStore()
    api = api or FakeSink("api")
    ui = ui or FakeSink("ui", answer=returning(ReplyOutcome(state="sent", method="ui")))
    api.store = ui.store = store
    events, hooks = FakeEvents(), RecordingHooks()
    contexts = iter(f"17871408000001234{n:02d}" for n in range(100))
    replier = Replier(store, [("api", api), ("ui", ui)], FakeClock(), events, hooks,
                      new_client_context=lambda: next(contexts), **options)
    return World(store, api, ui, events, hooks, replier)


# -- eligible replies ---------------------------------------------------------------------------


def test_an_eligible_reply_is_recorded_as_pending_before_the_api_sends_it(world: World) -> None:
    outcome = world.replier.reply(story(), '  "Great shot!",  ')

    assert outcome.state == "sent" and outcome.method == "api"
    [request] = world.api.sent
    assert request.text == "Great shot!"
    assert request.client_context == "1787140800000123400"
    assert (request.story_id, request.owner_id) == ("3456789012345678901", "52011")
    assert world.api.state_at_send == ["pending"]
    assert world.store.states() == ["sent"]
    assert world.ui.sent == []
    assert world.events.kinds() == ["story_reply_sent"]
    assert world.events.events[0].fields["method"] == "api"
    assert world.hooks.sent == [(request, outcome)]


def test_the_cached_thread_of_the_owner_travels_with_the_request(world: World) -> None:
    world.store.threads["52011"] = "340282366841710300949128"
    world.replier.reply(story(), "hi")
    assert world.api.sent[0].thread_id == "340282366841710300949128"


def test_the_default_client_context_is_epoch_milliseconds_then_random_digits() -> None:
    store, sink = FakeReplyStore(), FakeSink("api")
    Replier(store, [("api", sink)], FakeClock(), FakeEvents()).reply(story(), "hi")
    context = sink.sent[0].client_context
    assert context.isdigit() and context.startswith(str(int(NOW * 1000))) and len(context) == 19


# -- skips ---------------------------------------------------------------------------------------


def assert_skipped(world: World, outcome: ReplyOutcome, reason: str) -> None:
    assert (outcome.state, outcome.reason) == ("skipped", reason)
    assert world.api.sent == [] and world.ui.sent == []
    assert world.store.rows == {}
    assert world.events.kinds() == ["story_reply_skipped"]
    assert world.events.events[0].fields["reason"] == reason


def test_can_reply_false_is_skipped(world: World) -> None:
    assert_skipped(world, world.replier.reply(story(can_reply=False), "hi"), "api_can_reply_false")


@pytest.mark.parametrize("reason", [reason.value for reason in EXTERNAL_ATTRIBUTION_REASONS])
def test_a_story_showing_another_account_is_skipped_with_its_reason(world: World, reason: str) -> None:
    external = Attribution(flag=True, reason=reason, reasons=(reason,), targets=("777",))
    assert_skipped(world, world.replier.reply(story(attribution=external), "hi"), reason)


def test_a_mention_alone_is_allowed_when_skip_on_mention_is_off() -> None:
    world = make_world(skip_on_mention=False)
    mention = Attribution(flag=True, reason="reel_mentions_external", reasons=("reel_mentions_external",))
    assert world.replier.reply(story(attribution=mention), "hi").state == "sent"


def test_blank_text_and_an_unknown_story_are_skipped(world: World) -> None:
    assert world.replier.reply(story(), ' "" ').reason == "blank_comment_text"
    assert world.replier.reply(None, "hi").reason == "missing_story_id"
    assert world.api.sent == []


def test_a_story_already_replied_to_is_skipped(world: World) -> None:
    world.replier.reply(story(), "first")
    world.events.events.clear()

    outcome = world.replier.reply(story(), "second")

    assert (outcome.state, outcome.reason) == ("skipped", "duplicate_story_already_replied")
    assert len(world.api.sent) == 1
    assert world.events.kinds() == ["story_reply_skipped"]


def test_max_per_story_allows_more_replies() -> None:
    world = make_world(max_per_story=2)
    assert [world.replier.reply(story(), text).state for text in ("one", "two", "three")] == ["sent", "sent", "skipped"]


# -- the fallback policy -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error",
    [Transient("HTTP 500", status=500), NotJson("html"), UserAgentMismatch("useragent mismatch", status=400)],
    ids=["transient", "not_json", "useragent_mismatch"],
)
def test_a_transport_failure_of_the_api_lets_the_ui_send(error: Exception) -> None:
    world = make_world(api=FakeSink("api", answer=raising(error)))

    outcome = world.replier.reply(story(), "hi")

    assert (outcome.state, outcome.method) == ("sent", "ui")
    assert len(world.ui.sent) == 1 and world.ui.sent[0].client_context == world.api.sent[0].client_context
    assert world.store.states() == ["sent"]
    [event] = world.events.events
    assert event.kind == "story_reply_sent"
    assert [attempt["sink"] for attempt in event.fields["attempts"]] == ["api", "ui"]
    assert event.fields["attempts"][0]["reason"] == str(error.reason)


@pytest.mark.parametrize(
    ("error", "reason", "status"),
    [
        (FeedbackRequired("feedback_required", status=400), "feedback_required", 400),
        (CheckpointRequired("challenge_required", status=400, url="/challenge/"), "checkpoint_required", 400),
        (LoginRequired("login_required", status=403), "login_required", 403),
        (RateLimited("429", status=429, retry_after=60), "rate_limited", 429),
        (LocalRateLimitPause("direct_v2/threads/broadcast/reel_share", NOW + 60), "local_rate_limit_pause", None),
    ],
    ids=["feedback", "checkpoint", "login", "rate_limited", "local_pause"],
)
def test_a_refusal_that_concerns_the_account_never_reaches_the_ui(error, reason: str, status: int | None) -> None:
    world = make_world(api=FakeSink("api", answer=raising(error)))

    outcome = world.replier.reply(story(), "hi")

    assert (outcome.state, outcome.reason, outcome.http_status) == ("failed", reason, status)
    assert world.ui.sent == []
    assert world.store.states() == ["failed"]
    [event] = world.events.events
    assert (event.kind, event.fields["method"], event.fields["reason"]) == ("story_reply_failed", "api", reason)
    assert event.fields["http_status"] == status


def test_a_refused_reply_never_reaches_the_ui() -> None:
    refusal = BadRequest("Replies aren't available for this story", status=400)
    refusal.reason = Reason.REPLY_UNAVAILABLE
    world = make_world(api=FakeSink("api", answer=raising(refusal)))

    outcome = world.replier.reply(story(), "hi")

    assert (outcome.state, outcome.reason, outcome.http_status) == ("failed", "reply_unavailable", 400)
    assert world.ui.sent == []


def test_can_reply_unknown_is_tried_by_the_api_only() -> None:
    world = make_world(api=FakeSink("api", answer=raising(Transient("HTTP 502", status=502))))

    outcome = world.replier.reply(story(can_reply=None), "hi")

    assert (outcome.state, outcome.reason) == ("failed", "transient_network_error")
    assert len(world.api.sent) == 1 and world.ui.sent == []


def test_a_failed_ui_attempt_is_recorded_with_the_page_reason() -> None:
    world = make_world(
        api=FakeSink("api", answer=raising(Transient("HTTP 500", status=500))),
        ui=FakeSink("ui", answer=returning(ReplyOutcome(state="failed", method="ui", reason="replies_not_allowed"))),
    )
    outcome = world.replier.reply(story(), "hi")
    assert (outcome.state, outcome.method, outcome.reason) == ("failed", "ui", "replies_not_allowed")
    assert world.store.states() == ["failed"]


def test_a_browser_failure_after_the_api_failed_is_a_failed_reply() -> None:
    world = make_world(
        api=FakeSink("api", answer=raising(Transient("HTTP 500", status=500))),
        ui=FakeSink("ui", answer=raising(BrowserError("Chromium not found"))),
    )
    outcome = world.replier.reply(story(), "hi")
    assert (outcome.state, outcome.method, outcome.reason) == ("failed", "ui", "reply_unavailable")


def test_a_failed_reply_may_be_tried_again_later() -> None:
    world = make_world(api=FakeSink("api", answer=raising(FeedbackRequired("feedback_required", status=400))))
    world.replier.reply(story(), "hi")
    world.api.answer = None

    assert world.replier.reply(story(), "hi").state == "sent"
    assert sorted(world.store.states()) == ["failed", "sent"]


# -- unknown and interrupted replies -------------------------------------------------------------

UNKNOWN = ReplyOutcome(state="unknown", method="api", reason="transient_network_error", thread_id="340282366")


def test_a_reply_without_an_answer_is_unknown_and_not_sent_elsewhere() -> None:
    world = make_world(api=FakeSink("api", answer=returning(UNKNOWN)))

    outcome = world.replier.reply(story(), "hi")

    assert outcome.state == "unknown"
    assert world.ui.sent == []
    assert world.store.states() == ["unknown"]
    assert world.events.kinds() == ["story_reply_failed"]


def test_an_unknown_reply_found_in_the_thread_is_marked_sent_without_sending() -> None:
    world = make_world(api=FakeSink("api", answer=returning(UNKNOWN)))
    world.replier.reply(story(), "hi")
    world.api.found = ReplyOutcome(state="sent", method="api", thread_id="340282366", item_id="28")

    outcome = world.replier.reply(story(), "hi")

    assert (outcome.state, outcome.item_id) == ("sent", "28")
    assert len(world.api.sent) == 1
    assert world.api.looked_for[0].client_context == world.api.sent[0].client_context
    assert world.store.states() == ["sent"]
    assert world.events.events[-1].fields["resumed"] is True


def test_an_unknown_reply_not_in_the_thread_is_resent_as_it_was() -> None:
    world = make_world(api=FakeSink("api", answer=returning(UNKNOWN)))
    world.replier.reply(story(), "hi")
    world.api.answer = None

    outcome = world.replier.reply(story(), "a different text")

    assert outcome.state == "sent"
    first, second = world.api.sent
    assert (second.client_context, second.text) == (first.client_context, "hi")
    assert list(world.store.rows) == [first.client_context]


def test_an_interrupted_intent_is_looked_for_then_sent_once(world: World) -> None:
    interrupted = ReplyRequest(story_id=story().story_id, owner_id="52011", owner_username="alice", text="hi",
                               client_context="1787140000000999999")
    world.store.begin_reply(interrupted, now=NOW)

    outcome = world.replier.reply(story(), "hi")

    assert outcome.state == "sent"
    assert [r.client_context for r in world.api.looked_for] == ["1787140000000999999"]
    assert [r.client_context for r in world.api.sent] == ["1787140000000999999"]
    assert world.store.states() == ["sent"]


def test_a_resumed_intent_never_goes_to_the_ui_which_cannot_deduplicate() -> None:
    world = make_world(api=FakeSink("api", answer=raising(Transient("HTTP 502", status=502))))
    in_flight = ReplyRequest(story_id=story().story_id, owner_id="52011", owner_username="alice", text="hi",
                             client_context="1787140000000999998")
    world.store.begin_reply(in_flight, now=NOW)  # perhaps another process, still sending it

    outcome = world.replier.reply(story(), "hi")

    assert (outcome.state, outcome.method) == ("failed", "api")
    assert [r.client_context for r in world.api.sent] == ["1787140000000999998"]
    assert world.ui.sent == []


def test_an_unresolved_reply_stays_unresolved_when_the_thread_cannot_be_read() -> None:
    world = make_world(api=FakeSink("api", answer=returning(UNKNOWN)))
    world.replier.reply(story(), "hi")
    world.api.found = Transient("HTTP 503", status=503)

    outcome = world.replier.reply(story(), "hi")

    assert (outcome.state, outcome.reason) == ("unknown", "transient_network_error")
    assert len(world.api.sent) == 1
    assert world.store.states() == ["unknown"]


def test_an_unresolved_reply_to_a_story_that_closed_its_replies_fails_without_sending() -> None:
    world = make_world(api=FakeSink("api", answer=returning(UNKNOWN)))
    world.replier.reply(story(), "hi")

    outcome = world.replier.reply(story(can_reply=False), "hi")

    assert (outcome.state, outcome.reason) == ("failed", "api_can_reply_false")
    assert len(world.api.sent) == 1


# -- dry runs ------------------------------------------------------------------------------------


def test_a_dry_run_decides_without_sending_recording_or_emitting(world: World) -> None:
    world.store.threads["52011"] = "340282366"

    planned = world.replier.reply(story(), "hi", dry_run=True)
    skipped = world.replier.reply(story(can_reply=False), "hi", dry_run=True)

    assert (planned.state, planned.method, planned.thread_id) == ("pending", "api", "340282366")
    assert (skipped.state, skipped.reason) == ("skipped", "api_can_reply_false")
    assert world.api.sent == [] and world.api.looked_for == []
    assert world.store.rows == {} and world.events.events == []


def test_a_dry_run_over_an_unknown_reply_reports_it_unresolved() -> None:
    world = make_world(api=FakeSink("api", answer=returning(UNKNOWN)))
    world.replier.reply(story(), "hi")
    world.events.events.clear()

    outcome = world.replier.reply(story(), "hi", dry_run=True)

    assert outcome.state == "unknown"
    assert world.api.looked_for == [] and len(world.api.sent) == 1 and world.events.events == []


def test_without_a_sink_that_may_try_the_story_nothing_is_recorded() -> None:
    store, ui = FakeReplyStore(), FakeSink("ui")
    outcome = Replier(store, [("ui", ui)], FakeClock(), FakeEvents()).reply(story(can_reply=None), "hi")
    assert (outcome.state, outcome.reason) == ("skipped", "reply_unavailable")
    assert ui.sent == [] and store.rows == {}
