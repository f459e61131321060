"""HttpxTransport and ApiStorySource against the sandbox over loopback: real HTTP, real faults."""

from __future__ import annotations

import json
import random

import pytest
import stamina
from memory_ledger import MemoryLedger

from storysync.adapters.http.source import ApiStorySource
from storysync.adapters.http.transport import HttpxTransport
from storysync.adapters.session import load_cookies
from storysync.adapters.store.sqlite import SqliteStore
from storysync.core.errors import (
    CheckpointRequired,
    FeedbackRequired,
    LocalRateLimitPause,
    LoginRequired,
    RateLimited,
    Transient,
    UserAgentMismatch,
)
from storysync.plugins.sandbox.wiring import SandboxTime

ACCOUNT = "viewer"


@pytest.fixture(autouse=True)
def no_backoff_sleeps():
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


@pytest.fixture
def cookies(ig_sandbox, tmp_path):
    return load_cookies(ig_sandbox.write_cookies_file(tmp_path / "cookies.txt"), now=ig_sandbox.clock.now())


@pytest.fixture
def ledger():
    return MemoryLedger()


@pytest.fixture
def events():
    return []


@pytest.fixture
def make_transport(ig_sandbox, cookies, ledger, events):
    opened: list[HttpxTransport] = []

    def make(**options) -> HttpxTransport:
        options.setdefault("min_gap", 0.0)
        transport = HttpxTransport(
            base_url=ig_sandbox.base_url,
            cookies=cookies,
            app_id="936619743392459",
            user_agent="Mozilla/5.0 (X11; Linux x86_64) storysync-tests",
            clock=SandboxTime(ig_sandbox),
            ledger=ledger,
            account=ACCOUNT,
            on_event=events.append,
            timeout=5.0,
            jitter=random.Random(3),
            **options,
        )
        opened.append(transport)
        return transport

    yield make
    for transport in opened:
        transport.close()


@pytest.fixture
def transport(make_transport):
    return make_transport()


@pytest.fixture
def source(transport, ig_sandbox):
    return ApiStorySource(transport, base_url=ig_sandbox.base_url)


def owners_with_stories(ig_sandbox, count: int) -> list[str]:
    now = ig_sandbox.clock.now()
    owners = [user.id for user in ig_sandbox.dataset.users if user.index >= 0 and ig_sandbox.dataset.stories(user.id, now)]
    assert len(owners) >= count, "the sandbox data set has enough owners with stories"
    return owners[:count]


def test_tray_profile_and_reels_round_trip(source, transport, ig_sandbox):
    tray = source.tray()
    assert tray, "the sandbox viewer has a story tray"

    first = tray[0]
    assert source.profile(first.username).user_id == first.user_id
    reels = source.reels([entry.user_id for entry in tray[:5]])

    assert set(reels) == {entry.user_id for entry in tray[:5]}
    assert all(reel.items for reel in reels.values())
    assert dict(transport.request_counts) == {"feed/reels_tray": 1, "users/web_profile_info": 1, "feed/reels_media": 1}
    assert ig_sandbox.request_counts() == dict(transport.request_counts)


def test_21_owners_over_the_sandbox_limit_are_halved_into_accepted_batches(make_transport, ig_sandbox):
    owners = owners_with_stories(ig_sandbox, 21)
    transport = make_transport()
    source = ApiStorySource(transport, batch_size=21, base_url=ig_sandbox.base_url)

    reels = source.reels(owners)

    assert set(reels) == set(owners)
    statuses = [record.status for record in ig_sandbox.requests("feed/reels_media")]
    assert statuses == [400, 200, 200, 200], "21 refused, then next_batch_size(21) = 10: 10 + 10 + 1"


def test_default_batches_of_ten(source, ig_sandbox):
    owners = owners_with_stories(ig_sandbox, 21)
    assert set(source.reels(owners)) == set(owners)
    assert [record.status for record in ig_sandbox.requests("feed/reels_media")] == [200, 200, 200]


@pytest.mark.parametrize(
    ("kind", "params", "requests_made"),
    [
        ("server_error", {"count": 2}, 3),
        ("server_error", {"count": 1, "status": 503}, 2),
        ("rate_limit", {"count": 1, "retry_after": 1}, 2),
        ("truncated", {"count": 1}, 2),
        ("reset", {"count": 1}, 2),
    ],
)
def test_transient_faults_are_retried_to_success(kind, params, requests_made, source, ig_sandbox, events, ledger):
    ig_sandbox.set_fault(kind, "feed/reels_tray", **params)

    assert source.tray()
    assert len(ig_sandbox.requests("feed/reels_tray")) == requests_made
    assert events == [] and ledger.cooldowns == {}


def test_retry_after_beyond_the_cap_cools_down_this_and_every_other_transport(
    transport, make_transport, ig_sandbox, ledger
):
    ig_sandbox.set_fault("rate_limit", "feed/reels_tray", retry_after=3600)
    now = ig_sandbox.clock.now()

    with pytest.raises(RateLimited) as raised:
        ApiStorySource(transport).tray()

    assert raised.value.retry_after == 3600 and raised.value.attempts_made == 1
    assert ledger.cooldown_until(ACCOUNT, "feed/reels_tray") == now + 3600
    with pytest.raises(LocalRateLimitPause):
        ApiStorySource(make_transport()).tray()
    assert len(ig_sandbox.requests("feed/reels_tray")) == 1


def test_please_wait_401_sets_the_long_cooldown(source, ig_sandbox, ledger):
    ig_sandbox.set_fault("please_wait_401", "feed/reels_tray")
    now = ig_sandbox.clock.now()

    with pytest.raises(RateLimited) as raised:
        source.tray()

    assert raised.value.long_block
    assert ledger.cooldowns[(ACCOUNT, "feed/reels_tray")] == (now + 3600.0, "rate_limited_long_block")
    assert len(ig_sandbox.requests("feed/reels_tray")) == 1


def test_a_body_always_cut_short_ends_transient(source, ig_sandbox, events):
    ig_sandbox.set_fault("truncated", "feed/reels_tray")
    with pytest.raises(Transient):
        source.tray()
    assert len(ig_sandbox.requests("feed/reels_tray")) == 3
    assert [event.fields["attempts"] for event in events] == [3]


@pytest.mark.parametrize(
    ("kind", "error_class"),
    [
        ("html", LoginRequired),
        ("login_redirect", LoginRequired),
        ("challenge_redirect", CheckpointRequired),
        ("checkpoint", CheckpointRequired),
        ("direct_refused", UserAgentMismatch),
    ],
)
def test_refusals_are_classified_and_not_retried(kind, error_class, source, ig_sandbox, events):
    ig_sandbox.set_fault(kind, "feed/reels_tray")

    with pytest.raises(error_class):
        source.tray()

    assert len(ig_sandbox.requests("feed/reels_tray")) == 1
    assert [event.fields["error_class"] for event in events] == [error_class.__name__]
    assert ig_sandbox.requests("page/login") == [], "the login redirect was not followed"


def test_a_challenge_keeps_its_url(source, ig_sandbox):
    ig_sandbox.set_fault("challenge_redirect", "feed/reels_tray")
    with pytest.raises(CheckpointRequired) as raised:
        source.tray()
    assert "/challenge/" in raised.value.url


def test_inbox_pages_follow_the_cursor(source):
    """The sandbox logs paths without queries, so the limit and cursor show in what comes back."""
    first = source.inbox(None, 20)
    assert len(first.threads) == 20 and first.has_older and first.next_cursor

    second = source.inbox(first.next_cursor, 80)
    assert second.threads
    assert not {t.thread_id for t in first.threads} & {t.thread_id for t in second.threads}


def test_reply_round_trip_passes_the_sandbox_csrf_check(source, ig_sandbox):
    owner_id = owners_with_stories(ig_sandbox, 1)[0]
    story = next(s for s in ig_sandbox.dataset.stories(owner_id, ig_sandbox.clock.now()) if s.can_reply is not False)

    thread = source.create_thread(owner_id)
    ack = source.share_reply(thread.thread_id, story.story_id, owner_id, "lovely!", "1787140800000424242",
                             referer=story.permalink)
    read_back = source.thread(thread.thread_id)

    assert ack.thread_id == thread.thread_id and ack.item_id
    (reply,) = ig_sandbox.replies()
    assert (reply.client_context, reply.text, reply.owner_id) == ("1787140800000424242", "lovely!", owner_id)
    assert any(item.client_context == "1787140800000424242" for item in read_back.items)


def test_feedback_required_on_a_reply_is_an_action_block(source, ig_sandbox, events):
    owner_id = owners_with_stories(ig_sandbox, 1)[0]
    ig_sandbox.set_fault("feedback_required", "direct_v2/create_group_thread")

    with pytest.raises(FeedbackRequired):
        source.create_thread(owner_id)

    assert [event.kind for event in events] == ["instagram.api_post_form.failure"]


def test_secrets_stay_out_of_events_and_errors(source, ig_sandbox, events, caplog):
    ig_sandbox.set_fault("server_error", "feed/reels_tray", count=1)
    ig_sandbox.set_fault("checkpoint", "feed/reels_tray")

    with pytest.raises(CheckpointRequired) as raised:
        source.tray()

    exposed = json.dumps([event.fields for event in events]) + str(raised.value) + raised.value.snippet + caplog.text
    for name, value in ig_sandbox.cookies.items():
        if len(value) >= 4:
            assert value not in exposed, f"the {name} cookie leaked"


def test_a_cooldown_survives_a_restart_through_the_sqlite_ledger(ig_sandbox, cookies, tmp_path):
    """The ledger is the store's: a new process (new store, new transport) still honours it."""

    def run_once(store: SqliteStore) -> None:
        transport = HttpxTransport(
            base_url=ig_sandbox.base_url, cookies=cookies, app_id="936619743392459", user_agent="tests",
            clock=SandboxTime(ig_sandbox), ledger=store, account=ACCOUNT, on_event=lambda event: None, min_gap=0.0,
        )
        with transport:
            ApiStorySource(transport).tray()

    ig_sandbox.set_fault("rate_limit", "feed/reels_tray", count=1, retry_after=5000)
    first = SqliteStore(tmp_path / "store.db")
    with pytest.raises(RateLimited):
        run_once(first)
    first.close()

    restarted = SqliteStore(tmp_path / "store.db")
    try:
        with pytest.raises(LocalRateLimitPause) as raised:
            run_once(restarted)
        assert raised.value.until == ig_sandbox.clock.now() + 5000
        assert restarted.recent_requests(ACCOUNT, "feed/reels_tray", since=0) == 1
    finally:
        restarted.close()
    assert len(ig_sandbox.requests("feed/reels_tray")) == 1
