"""The ``Store`` contract: every store adapter passes this suite unchanged.

A new store joins by appending a factory (``tmp_path -> Store``) to ``STORE_FACTORIES``.
Tests use only the port's methods, so nothing here knows which database is underneath.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storysync.adapters.store.sqlite import SqliteStore
from storysync.core.errors import ConfigError, StorySyncError
from storysync.core.models import (
    AppAttribution,
    Attempt,
    Attribution,
    Event,
    MediaRecord,
    MediaVariant,
    Profile,
    ReplyOutcome,
    ReplyRequest,
    StoryItem,
    SyncReport,
)
from storysync.core.ports import Store

StoreFactory = Callable[[Path], Store]

STORE_FACTORIES: list[tuple[str, StoreFactory]] = [
    ("sqlite-file", lambda tmp_path: SqliteStore(tmp_path / "store.db")),
    ("sqlite-memory", lambda tmp_path: SqliteStore(":memory:")),
]

GET_FAILURE = "instagram.api_get_json.failure"
POST_FAILURE = "instagram.api_post_form.failure"


@pytest.fixture(params=[factory for _, factory in STORE_FACTORIES], ids=[name for name, _ in STORE_FACTORIES])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    store = request.param(tmp_path)
    yield store
    store.close()


def story(story_id: str, *, owner_id: str = "100", owner_username: str = "alice", taken_at: int = 1_000, **fields) -> StoryItem:
    return StoryItem(
        story_id=story_id,
        owner_id=owner_id,
        owner_username=owner_username,
        media_type="image",
        taken_at=taken_at,
        expiring_at=taken_at + 86_400,
        **fields,
    )


def reply(client_context: str, *, story_id: str = "500", text: str = "nice") -> ReplyRequest:
    return ReplyRequest(story_id=story_id, owner_id="100", owner_username="alice", text=text, client_context=client_context)


def test_the_store_satisfies_the_port(store: Store) -> None:
    assert isinstance(store, Store)


# -- profiles and the username -> id cache ------------------------------------------------


def test_profile_round_trip_and_cache(store: Store) -> None:
    profile = Profile(
        user_id="100",
        username="alice",
        full_name="Alice A.",
        profile_pic_url="https://scontent.cdninstagram.com/p.jpg",
        biography="hi",
        follower_count=10,
        following_count=20,
        media_count=3,
        is_private=True,
        is_verified=True,
        followed_by_viewer=True,
    )
    assert store.cached_user_id("alice") is None
    assert store.get_profile("alice") is None

    store.upsert_profile(profile)

    assert store.cached_user_id("alice") == "100"
    assert store.cached_user_id("Alice") == "100"
    assert store.get_profile("alice") == profile


def test_username_taken_over_by_another_id_moves_in_the_cache(store: Store) -> None:
    store.upsert_profile(Profile(user_id="100", username="alice"))
    store.upsert_profile(Profile(user_id="200", username="alice"))

    assert store.cached_user_id("alice") == "200"
    assert store.get_profile("alice").user_id == "200"


def test_id_with_a_new_username_replaces_its_old_cache_entry(store: Store) -> None:
    store.upsert_profile(Profile(user_id="100", username="alice"))
    store.upsert_profile(Profile(user_id="100", username="alice.new"))

    assert store.cached_user_id("alice") is None
    assert store.cached_user_id("alice.new") == "100"
    assert store.get_profile("alice.new").username == "alice.new"


def test_a_field_the_payload_leaves_unsaid_keeps_its_known_value(store: Store) -> None:
    store.upsert_profile(Profile(user_id="100", username="alice", follower_count=10, followed_by_viewer=False))
    store.upsert_profile(Profile(user_id="100", username="alice", full_name="Alice"))

    kept = store.get_profile("alice")
    assert (kept.full_name, kept.follower_count, kept.followed_by_viewer) == ("Alice", 10, False)


def test_is_followed_is_unknown_until_a_payload_or_the_tray_says(store: Store) -> None:
    store.upsert_profile(Profile(user_id="100", username="alice"))
    assert store.is_followed("100") is None
    assert store.is_followed("999") is None

    store.upsert_profile(Profile(user_id="200", username="bob", followed_by_viewer=False))
    store.upsert_profile(Profile(user_id="300", username="carol", followed_by_viewer=True))
    assert store.is_followed("200") is False
    assert store.is_followed("300") is True


def test_tray_sightings_mean_followed(store: Store) -> None:
    store.upsert_profile(Profile(user_id="100", username="alice"), seen_in_tray=True)
    store.upsert_profile(Profile(user_id="200", username="bob", followed_by_viewer=False))
    store.mark_in_tray(["200", "300"])

    assert store.is_followed("100") is True
    assert store.is_followed("200") is True, "a tray listing is newer evidence than an old profile payload"
    assert store.is_followed("300") is True, "a sighting counts before any profile row exists"

    store.upsert_profile(Profile(user_id="200", username="bob", followed_by_viewer=False))
    assert store.is_followed("200") is False, "an explicit later payload wins"


# -- stories -------------------------------------------------------------------------------


def test_upsert_stories_counts_new_and_changed(store: Store) -> None:
    first, second = story("1"), story("2", taken_at=2_000)

    assert store.upsert_stories([first, second], now=10.0) == (2, 0)
    assert store.upsert_stories([first, second], now=11.0) == (0, 0)

    changed = story("2", taken_at=2_000, caption="now with a caption")
    assert store.upsert_stories([first, changed, story("3")], now=12.0) == (1, 1)
    assert store.get_story("2") == changed


def test_story_round_trip_keeps_every_field(store: Store) -> None:
    full = story(
        "42",
        media_url="https://scontent.cdninstagram.com/v.mp4",
        video_url="https://scontent.cdninstagram.com/v.mp4",
        width=1080,
        height=1920,
        candidates_seen=3,
        can_reply=True,
        mention_usernames=("bob",),
        link_urls=("https://example.com",),
        app_attribution=AppAttribution(name="app"),
        attribution=Attribution(flag=True, reason="reel_mentions_external", reasons=("reel_mentions_external",)),
        variants=(MediaVariant(variant_id="42", media_type=2, video_url="https://x.fbcdn.net/v.mp4"),),
    )
    store.upsert_stories([full], raw={"42": b'{"pk": 42}'}, now=1.0)

    assert store.get_story("42") == full
    assert store.get_story("43") is None


def test_list_stories_newest_first_by_username_with_limit(store: Store) -> None:
    store.upsert_stories(
        [story("1", taken_at=100), story("2", taken_at=300), story("3", taken_at=200),
         story("9", owner_id="200", owner_username="bob", taken_at=400)],
        now=1.0,
    )

    assert [s.story_id for s in store.list_stories()] == ["9", "2", "3", "1"]
    assert [s.story_id for s in store.list_stories("alice")] == ["2", "3", "1"]
    assert [s.story_id for s in store.list_stories("alice", limit=2)] == ["2", "3"]
    assert store.list_stories("nobody") == []


def test_a_reel_revealing_a_new_username_refreshes_the_cache(store: Store) -> None:
    store.upsert_profile(Profile(user_id="100", username="alice", full_name="Alice"))
    store.upsert_stories([story("1", owner_username="alice")], now=1.0)
    store.upsert_stories([story("2", owner_username="alice.renamed")], now=2.0)

    assert store.cached_user_id("alice") is None
    assert store.cached_user_id("alice.renamed") == "100"
    assert store.get_profile("alice.renamed").full_name == "Alice"
    assert {s.story_id for s in store.list_stories("alice.renamed")} == {"1", "2"}


def test_stories_of_an_unknown_owner_create_its_profile(store: Store) -> None:
    store.upsert_stories([story("1", owner_id="777", owner_username="zed")], now=1.0)

    assert store.cached_user_id("zed") == "777"
    assert store.is_followed("777") is None


def test_latest_taken_at(store: Store) -> None:
    assert store.latest_taken_at("100") is None
    store.upsert_stories([story("1", taken_at=100), story("2", taken_at=300)], now=1.0)
    store.upsert_stories([story("3", owner_id="200", owner_username="bob", taken_at=900)], now=1.0)

    assert store.latest_taken_at("100") == 300


# -- media records -------------------------------------------------------------------------


def test_media_record_round_trip_and_replace(store: Store) -> None:
    record = MediaRecord(
        story_id="1", path="alice/1.jpg", source_url="https://x.cdninstagram.com/a.jpg",
        content_type="image/jpeg", bytes=123, sha256="ab" * 32, width=1080, height=1920,
    )
    assert store.get_media("1") is None

    store.record_media(record)
    assert store.get_media("1") == record

    replaced = MediaRecord(story_id="1", path="alice/1.png", source_url="u", content_type="image/png", bytes=9, sha256="cd" * 32)
    store.record_media(replaced)
    assert store.get_media("1") == replaced


def test_media_records_from_many_threads_all_land(store: Store) -> None:
    def record(story_id: int) -> None:
        store.record_media(MediaRecord(story_id=str(story_id), path=f"a/{story_id}.jpg", source_url="u",
                                       content_type="image/jpeg", bytes=story_id, sha256="0" * 64))

    threads = [threading.Thread(target=record, args=(i,)) for i in range(1, 41)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(store.get_media(str(i)).bytes == i for i in range(1, 41))


# -- replies -------------------------------------------------------------------------------


def test_begin_reply_records_a_pending_intent(store: Store) -> None:
    accepted, row = store.begin_reply(reply("cc1"), now=10.0)

    assert accepted
    assert row["client_context"] == "cc1"
    assert row["state"] == "pending"
    assert row["story_id"] == "500"
    assert row["text"] == "nice"
    assert store.list_replies("500") == [row]


def test_beginning_twice_is_refused_with_the_existing_row(store: Store) -> None:
    _, first = store.begin_reply(reply("cc1"), now=10.0)

    assert store.begin_reply(reply("cc1"), now=11.0) == (False, first)
    assert store.begin_reply(reply("cc2", text="other"), now=12.0) == (False, first)
    assert len(store.list_replies("500")) == 1


def test_finish_reply_records_the_outcome(store: Store) -> None:
    store.begin_reply(reply("cc1"), now=10.0)
    store.finish_reply("cc1", ReplyOutcome(state="sent", method="api", http_status=200, thread_id="t1", item_id="i1"), now=11.0)

    (row,) = store.list_replies("500")
    assert (row["state"], row["method"], row["http_status"], row["thread_id"], row["item_id"]) == ("sent", "api", 200, "t1", "i1")
    assert row["updated_at"] == 11.0
    accepted, existing = store.begin_reply(reply("cc2"), now=12.0)
    assert not accepted and existing["state"] == "sent"


@pytest.mark.parametrize("state", ["failed", "skipped"])
def test_failed_or_skipped_replies_do_not_block_another_attempt(store: Store, state: str) -> None:
    store.begin_reply(reply("cc1"), now=10.0)
    store.finish_reply("cc1", ReplyOutcome(state=state, method="api", reason="reply_unavailable"), now=11.0)

    accepted, row = store.begin_reply(reply("cc2"), now=12.0)
    assert accepted and row["state"] == "pending"


def test_retrying_a_failed_intent_reopens_it(store: Store) -> None:
    store.begin_reply(reply("cc1"), now=10.0)
    store.finish_reply("cc1", ReplyOutcome(state="failed", method="api", reason="transient_network_error", http_status=503), now=11.0)

    accepted, row = store.begin_reply(reply("cc1"), now=12.0)

    assert accepted
    assert (row["state"], row["reason"], row["http_status"], row["updated_at"]) == ("pending", None, None, 12.0)
    assert len(store.list_replies("500")) == 1


@pytest.mark.parametrize("state", ["unknown", "sent_unconfirmed"])
def test_unresolved_and_unconfirmed_replies_block_another_attempt(store: Store, state: str) -> None:
    store.begin_reply(reply("cc1"), now=10.0)
    store.finish_reply("cc1", ReplyOutcome(state=state, method="ui"), now=11.0)

    accepted, existing = store.begin_reply(reply("cc2"), now=12.0)
    assert not accepted and existing["client_context"] == "cc1" and existing["state"] == state


def test_max_per_story(store: Store) -> None:
    assert store.begin_reply(reply("cc1"), now=10.0, max_per_story=2)[0]
    store.finish_reply("cc1", ReplyOutcome(state="sent", method="api"), now=11.0)
    assert store.begin_reply(reply("cc2"), now=12.0, max_per_story=2)[0]
    store.finish_reply("cc2", ReplyOutcome(state="unknown", method="api"), now=13.0)

    accepted, existing = store.begin_reply(reply("cc3"), now=14.0, max_per_story=2)

    assert not accepted
    assert existing["client_context"] == "cc2", "an unresolved reply is returned first, for the caller to resolve"
    with pytest.raises(ConfigError):
        store.begin_reply(reply("cc4"), now=15.0, max_per_story=0)


def test_replies_are_counted_per_story(store: Store) -> None:
    assert store.begin_reply(reply("cc1", story_id="500"), now=10.0)[0]
    assert store.begin_reply(reply("cc2", story_id="501"), now=11.0)[0]

    assert [r["client_context"] for r in store.list_replies()] == ["cc1", "cc2"]
    assert [r["client_context"] for r in store.list_replies("501")] == ["cc2"]


def test_a_sent_reply_is_final(store: Store) -> None:
    store.begin_reply(reply("cc1"), now=10.0)
    store.finish_reply("cc1", ReplyOutcome(state="sent", method="api", item_id="i1"), now=11.0)

    with pytest.raises(StorySyncError):
        store.finish_reply("cc1", ReplyOutcome(state="failed", method="ui"), now=12.0)
    store.finish_reply("cc1", ReplyOutcome(state="sent", method="api"), now=13.0)
    assert store.list_replies("500")[0]["item_id"] == "i1"


def test_finishing_an_unknown_intent_is_an_error(store: Store) -> None:
    with pytest.raises(StorySyncError):
        store.finish_reply("nope", ReplyOutcome(state="sent", method="api"), now=1.0)


# -- events and latest failures -------------------------------------------------------------


def test_events_round_trip_and_filters(store: Store) -> None:
    store.record_event(Event(kind="story_saved", at=1.0, fields={"story_id": "1", "n": 2, "tags": ["a"]}), run_id="r1")
    store.record_event(Event(kind="story_reply_sent", at=2.0, fields={"method": "api"}), run_id="r1")
    store.record_event(Event(kind="story_saved", at=3.0), run_id="r2")
    store.record_event(Event(kind="story_saved", at=4.0))

    assert [e.at for e in store.list_events()] == [1.0, 2.0, 3.0, 4.0]
    assert store.list_events("story_saved", "r1") == [Event(kind="story_saved", at=1.0, fields={"story_id": "1", "n": 2, "tags": ["a"]})]
    assert [e.at for e in store.list_events(kind="story_saved")] == [1.0, 3.0, 4.0]
    assert [e.kind for e in store.list_events(run_id="r1")] == ["story_saved", "story_reply_sent"]


def test_unencodable_event_fields_raise_a_storysync_error(store: Store) -> None:
    with pytest.raises(StorySyncError):
        store.record_event(Event(kind="x", at=1.0, fields={"what": object()}))


def failure(at: float, *, username: str | None = "alice", endpoint: str = "feed/reels_media", kind: str = GET_FAILURE, status: int = 429) -> Event:
    fields = {"endpoint": endpoint, "status": status, "reason": "rate_limited"}
    if username is not None:
        fields["username"] = username
    return Event(kind=kind, at=at, fields=fields)


def test_latest_failure_per_username_and_endpoint(store: Store) -> None:
    store.record_event(failure(1.0, status=500), run_id="r1")
    store.record_event(failure(2.0, status=429), run_id="r2")
    store.record_event(failure(0.5, status=404))  # older, recorded late by another process
    store.record_event(failure(3.0, endpoint="users/web_profile_info"))
    store.record_event(failure(4.0, username="bob", endpoint="direct_v2/threads/broadcast/reel_share", kind=POST_FAILURE))
    store.record_event(failure(5.0, username=None, endpoint="feed/reels_tray"))
    store.record_event(Event(kind="story_saved", at=6.0, fields={"username": "alice", "endpoint": "x"}))

    everything = store.latest_failures()
    assert [(f["username"], f["endpoint"]) for f in everything] == [
        (None, "feed/reels_tray"),
        ("bob", "direct_v2/threads/broadcast/reel_share"),
        ("alice", "users/web_profile_info"),
        ("alice", "feed/reels_media"),
    ]
    alice_reels = store.latest_failures("alice")[1]
    assert (alice_reels["status"], alice_reels["at"], alice_reels["run_id"], alice_reels["kind"]) == (429, 2.0, "r2", GET_FAILURE)
    assert store.latest_failures("bob")[0]["kind"] == POST_FAILURE
    assert store.latest_failures("nobody") == []
    assert len(store.list_events(GET_FAILURE)) == 5, "every failure is kept as an event too"


# -- the rate-limit ledger -------------------------------------------------------------------


def test_cooldowns(store: Store) -> None:
    assert store.cooldown_until("acct", "feed/reels_media") is None

    store.set_cooldown("acct", "feed/reels_media", 1_000.0, "rate_limited")
    assert store.cooldown_until("acct", "feed/reels_media") == 1_000.0
    assert store.cooldown_until("acct", "feed/reels_tray") is None
    assert store.cooldown_until("other", "feed/reels_media") is None

    store.set_cooldown("acct", "feed/reels_media", 500.0, "rate_limited")
    assert store.cooldown_until("acct", "feed/reels_media") == 1_000.0, "a shorter cooldown never cuts a longer one"

    store.set_cooldown("acct", "feed/reels_media", 4_600.0, "please_wait")
    assert store.cooldown_until("acct", "feed/reels_media") == 4_600.0


def test_recent_requests_counts_a_window_per_account_and_family(store: Store) -> None:
    for at in (100.0, 200.0, 300.0):
        store.record_request("acct", "feed/reels_media", at)
    store.record_request("acct", "feed/reels_tray", 250.0)
    store.record_request("other", "feed/reels_media", 250.0)

    assert store.recent_requests("acct", "feed/reels_media", since=0.0) == 3
    assert store.recent_requests("acct", "feed/reels_media", since=150.0) == 2
    assert store.recent_requests("acct", "feed/reels_media", since=300.0) == 1, "the window includes its start"
    assert store.recent_requests("acct", "feed/reels_media", since=301.0) == 0
    assert store.recent_requests("acct", "feed/reels_tray", since=0.0) == 1
    assert store.recent_requests("nobody", "feed/reels_media", since=0.0) == 0


# -- runs ------------------------------------------------------------------------------------


def report(run_id: str, started_at: float, **fields) -> SyncReport:
    return SyncReport(run_id=run_id, flow="profile", started_at=started_at, finished_at=started_at + 5, **fields)


def test_run_report_round_trip(store: Store) -> None:
    full = report(
        "r1", 10.0,
        owners_requested=3,
        owners_skipped={"tray_unchanged": ["bob"]},
        requests_by_endpoint={"feed/reels_media": 2},
        stories_new=4, stories_updated=1, media_downloaded=3, media_skipped=1, media_failed=1,
        failures_by_reason={"media_too_large": 1},
        attempts={"source": [Attempt(name="http", ok=False, reason="not_json", error_class="NotJson", elapsed_s=0.2)]},
        end_reason="limit_reached", message="done",
    )
    store.start_run("r1", "profile", now=10.0)
    assert store.list_runs() == [], "a run without a report is not listed"

    store.finish_run(full)
    assert store.list_runs() == [full]


def test_runs_newest_first_with_limit(store: Store) -> None:
    for run_id, started in (("a", 10.0), ("c", 30.0), ("b", 20.0)):
        store.start_run(run_id, "profile", now=started)
        store.finish_run(report(run_id, started))
    store.finish_run(report("never-started", 25.0))

    assert [r.run_id for r in store.list_runs()] == ["c", "never-started", "b", "a"]
    assert [r.run_id for r in store.list_runs(limit=2)] == ["c", "never-started"]


def test_starting_a_run_twice_is_an_error(store: Store) -> None:
    store.start_run("r1", "profile", now=1.0)
    with pytest.raises(StorySyncError):
        store.start_run("r1", "profile", now=2.0)


# -- reply threads ---------------------------------------------------------------------------


def test_thread_ids_cached_per_owner(store: Store) -> None:
    assert store.cached_thread_id("100") is None
    store.cache_thread_id("100", "t1")
    store.cache_thread_id("200", "t2")
    store.cache_thread_id("100", "t3")

    assert (store.cached_thread_id("100"), store.cached_thread_id("200")) == ("t3", "t2")


def test_close_twice_is_harmless(store: Store) -> None:
    store.close()
    store.close()


def test_a_story_without_an_owner_username_leaves_the_cache_alone(store: Store) -> None:
    store.upsert_profile(Profile(user_id="100", username="alice"))
    store.upsert_stories([story("1", owner_username="")], now=1.0)
    store.upsert_stories([story("2", owner_id="300", owner_username="")], now=1.0)

    assert store.cached_user_id("alice") == "100"
    assert store.cached_user_id("") is None
    assert store.latest_taken_at("300") == 1_000
