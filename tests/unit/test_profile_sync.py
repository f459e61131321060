"""ProfileSync with fakes of its ports: id resolution order, tray skipping, batching, failures."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from storysync.adapters.store.sqlite import SqliteStore
from storysync.core.errors import LoginRequired, MediaTooLarge, NotFound, Transient
from storysync.core.models import DownloadResult, MediaRecord, Profile, Reel, StoryItem, TrayEntry
from storysync.core.services.profile_sync import ProfileSync, ProfileSyncOptions

NOW = 1_787_140_800


class FakeClock:
    def __init__(self) -> None:
        self.t = float(NOW)

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds


class ListEvents:
    def __init__(self) -> None:
        self.events = []

    def begin_run(self, run_id: str) -> None:
        self.run_id = run_id

    def emit(self, event) -> None:
        self.events.append(event)

    def kinds(self):
        return [(e.kind, e.fields.get("reason")) for e in self.events]


def story(owner_id: str, username: str, n: int, *, taken_at: int, url: str | None = "https://x.cdninstagram.com/a.jpg"):
    return StoryItem(story_id=f"{owner_id}{n:03d}", owner_id=owner_id, owner_username=username, media_type="image",
                     taken_at=taken_at, expiring_at=taken_at + 86400, media_url=url, image_url=url)


class FakeSource:
    """A StorySource over a dict of users; counts calls like Instagram's request log would."""

    name = "fake"

    def __init__(self, users: dict[str, tuple[str, list[StoryItem]]], tray_ids: list[str]) -> None:
        self.users = users  # username -> (id, stories)
        self.tray_ids = tray_ids
        self.calls: Counter[str] = Counter()
        self.batches: list[list[str]] = []
        self.fail_reels: Exception | None = None

    def profile(self, username):
        self.calls["profile"] += 1
        if username not in self.users:
            raise NotFound("User not found")
        return Profile(user_id=self.users[username][0], username=username, followed_by_viewer=True)

    def reels(self, user_ids):
        self.calls["reels"] += 1
        self.batches.append(list(user_ids))
        if self.fail_reels:
            raise self.fail_reels
        by_id = {uid: (name, items) for name, (uid, items) in self.users.items()}
        return {uid: Reel(owner_id=uid, owner_username=by_id[uid][0], items=tuple(by_id[uid][1]))
                for uid in user_ids if uid in by_id and by_id[uid][1]}

    def tray(self):
        self.calls["tray"] += 1
        by_id = {uid: (name, items) for name, (uid, items) in self.users.items()}
        return [TrayEntry(user_id=uid, username=by_id[uid][0], latest_reel_media=max(s.taken_at for s in by_id[uid][1]))
                for uid in self.tray_ids]

    def inbox(self, cursor=None, limit=20):
        raise NotImplementedError


class FakeMedia:
    def __init__(self, fail: set[str] = frozenset()) -> None:
        self.fail = fail
        self.jobs = []

    def download(self, job):
        raise NotImplementedError

    def download_many(self, jobs):
        self.jobs.extend(jobs)
        return [MediaTooLarge("too big") if job.story_id in self.fail else
                DownloadResult(record=MediaRecord(story_id=job.story_id, path="p", source_url=job.url,
                                                  content_type="image/jpeg", bytes=1, sha256="0"))
                for job in jobs]


RUN_IDS = (f"run{i}" for i in itertools.count())


def make_sync(source, store, media=None, **options):
    return ProfileSync(source=source, store=store, clock=FakeClock(), events=ListEvents(), media=media,
                       options=ProfileSyncOptions(**options), new_run_id=RUN_IDS.__next__)


@pytest.fixture
def store():
    with SqliteStore(":memory:") as s:
        yield s


def users(count: int, with_stories: int):
    out = {}
    for i in range(count):
        uid = str(1000 + i)
        items = [story(uid, f"user{i}", 1, taken_at=NOW - 3600)] if i < with_stories else []
        out[f"user{i}"] = (uid, items)
    return out


def test_first_run_resolves_ids_from_the_tray_and_batches_reels(store):
    data = users(25, 25)
    source = FakeSource(data, tray_ids=[uid for uid, _ in data.values()])
    report = make_sync(source, store, FakeMedia(), batch_size=10).run(list(data))
    assert source.calls == Counter({"tray": 1, "reels": 3})
    assert [len(b) for b in source.batches] == [10, 10, 5]
    assert report.stories_new == 25 and report.media_downloaded == 25


def test_warm_run_skips_unchanged_owners_without_requests(store):
    data = users(100, 100)
    source = FakeSource(data, tray_ids=[uid for uid, _ in data.values()])
    make_sync(source, store, FakeMedia()).run(list(data))
    for i in range(10):  # ten owners post a new story
        uid, items = data[f"user{i}"]
        items.append(story(uid, f"user{i}", 2, taken_at=NOW - 60))
    source.calls.clear()
    report = make_sync(source, store, FakeMedia()).run(list(data))
    assert source.calls == Counter({"tray": 1, "reels": 1})
    assert len(report.owners_skipped["tray_unchanged"]) == 90
    assert report.stories_new == 10


def test_followed_owner_absent_from_the_tray_is_skipped_and_unknown_follow_is_not(store):
    data = {"present": ("1", [story("1", "present", 1, taken_at=NOW - 10)]), "absent": ("2", [])}
    source = FakeSource(data, tray_ids=["1"])
    make_sync(source, store).run(["present", "absent"])  # absent resolved via profile: followed_by_viewer
    source.calls.clear()
    report = make_sync(source, store).run(["absent"])
    assert report.owners_skipped == {"tray_absent": ["absent"]}
    assert source.calls == Counter({"tray": 1})


def test_seed_flow_settings_make_two_requests_per_profile(store):
    data = users(5, 5)
    source = FakeSource(data, tray_ids=[])
    make_sync(source, store, batch_size=1, use_id_cache=False, tray_skip=False).run(list(data))
    make_sync(source, store, batch_size=1, use_id_cache=False, tray_skip=False).run(list(data))
    assert source.calls["profile"] == 10 and source.calls["reels"] == 10


def test_unknown_user_is_a_not_found_failure_and_others_still_sync(store):
    data = users(2, 2)
    source = FakeSource(data, tray_ids=["1000", "1001"])
    report = make_sync(source, store).run(["user0", "ghost", "user1"])
    assert report.failures_by_reason == {"not_found": 1}
    assert report.stories_new == 2


def test_transient_reels_failure_is_reported_per_owner(store):
    data = users(3, 3)
    source = FakeSource(data, tray_ids=list(uid for uid, _ in data.values()))
    source.fail_reels = Transient("503")
    report = make_sync(source, store).run(list(data))
    assert report.failures_by_reason == {"transient_network_error": 3}
    assert report.stories_new == 0


def test_login_required_stops_the_run_and_records_it(store):
    data = users(1, 1)
    source = FakeSource(data, tray_ids=["1000"])
    source.fail_reels = LoginRequired("login_required")
    with pytest.raises(LoginRequired):
        make_sync(source, store).run(["user0"])
    (run,) = store.list_runs()
    assert run.stopped_by == "login_required"


def test_missing_media_url_and_failed_download_are_classified(store):
    uid = "7"
    items = [story(uid, "u", 1, taken_at=NOW - 10, url=None), story(uid, "u", 2, taken_at=NOW - 5)]
    source = FakeSource({"u": (uid, items)}, tray_ids=[uid])
    media = FakeMedia(fail={items[1].story_id})
    report = make_sync(source, store, media).run(["u"])
    assert report.failures_by_reason == {"api_story_media_unavailable": 1, "media_too_large": 1}
    assert report.media_failed == 1 and [j.story_id for j in media.jobs] == [items[1].story_id]


def test_expired_items_are_not_stored_and_limit_keeps_the_newest(store):
    uid = "9"
    items = [story(uid, "u", 1, taken_at=NOW - 90000), story(uid, "u", 2, taken_at=NOW - 50),
             story(uid, "u", 3, taken_at=NOW - 10)]
    source = FakeSource({"u": (uid, items)}, tray_ids=[uid])
    report = make_sync(source, store).run(["u"], limit=1)
    assert report.stories_new == 1
    assert [s.story_id for s in store.list_stories("u")] == [items[2].story_id]


def test_invalid_usernames_are_reported_not_requested(store):
    source = FakeSource({}, tray_ids=[])
    report = make_sync(source, store).run(["bad name!"])
    assert report.failures_by_reason == {"not_found": 1}
    assert source.calls["profile"] == 0


def test_a_failed_download_is_retried_next_run_even_when_the_tray_is_unchanged(store):
    uid = "11"
    items = [story(uid, "u", 1, taken_at=NOW - 10)]
    source = FakeSource({"u": (uid, items)}, tray_ids=[uid])
    first = make_sync(source, store, FakeMedia(fail={items[0].story_id})).run(["u"])
    assert first.media_failed == 1
    source.calls.clear()
    retry_media = FakeMedia()
    second = make_sync(source, store, retry_media).run(["u"])
    assert second.owners_skipped == {"tray_unchanged": ["u"]}
    assert source.calls == Counter({"tray": 1})
    assert [job.story_id for job in retry_media.jobs] == [items[0].story_id]
    assert second.media_downloaded == 1


class FakeMediaRecording(FakeMedia):
    """Records downloads in the store, as the real downloader does."""

    def __init__(self, store) -> None:
        super().__init__()
        self.store = store

    def download_many(self, jobs):
        results = super().download_many(jobs)
        for result in results:
            self.store.record_media(result.record)
        return results


def test_held_files_are_not_requested_again(store):
    uid = "12"
    source = FakeSource({"u": (uid, [story(uid, "u", 1, taken_at=NOW - 10)])}, tray_ids=[uid])
    make_sync(source, store, FakeMediaRecording(store)).run(["u"])
    again = FakeMediaRecording(store)
    make_sync(source, store, again).run(["u"])
    assert again.jobs == []
