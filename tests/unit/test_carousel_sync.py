"""CarouselSync with a scripted story viewer and fakes of the other ports: every failure and end
reason of SPEC §6 "Home carousel sync", API-first media, one reel request per owner, story-id
recovery from ``ig_cache_key`` and the attempt records of the report.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass

import pytest

from storysync.adapters.store.sqlite import SqliteStore
from storysync.core.chain import FallbackChain
from storysync.core.errors import NotFound, Transient
from storysync.core.models import (
    DownloadResult,
    Event,
    MediaRecord,
    Profile,
    Reel,
    ResolvedMedia,
    StoryContext,
    StoryItem,
)
from storysync.core.ports import StoryViewer, ViewGate
from storysync.core.services.carousel_sync import CarouselSync

NOW = 1_787_140_800
BASE = "https://www.instagram.com"
CDN = "https://scontent.cdninstagram.com/v/t51.2885-15"
OWNERS = {"alice": "101", "bob": "202"}


def media_url(name: str, story_id: str | None = None) -> str:
    """A CDN URL; with ``story_id``, it carries that story's ``ig_cache_key`` as Instagram's do."""
    url = f"{CDN}/{name}_n.jpg?stp=dst-jpg_e35"
    if story_id is not None:
        url += "&ig_cache_key=" + base64.b64encode(story_id.encode()).decode().replace("=", "%3D") + ".3-ccb7-5"
    return url


def story(username: str, story_id: str, *, url: str | None = "api") -> StoryItem:
    """The API's view of a story; ``url="api"`` gives it its own media URL, ``None`` none at all."""
    media = media_url(f"api{story_id}") if url == "api" else url
    return StoryItem(story_id=story_id, owner_id=OWNERS[username], owner_username=username, media_type="image",
                     taken_at=NOW - 3600, expiring_at=NOW + 3600, media_url=media, image_url=media)


# -- fakes of the ports ------------------------------------------------------------------------------


class FakeClock:
    def now(self) -> float:
        return float(NOW)

    def sleep(self, seconds: float) -> None:
        raise AssertionError("carousel sync has no reason to sleep")


class ListEvents:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def begin_run(self, run_id: str) -> None:
        pass

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def failures(self) -> list[dict]:
        return [e.fields for e in self.events if e.kind == "story_sync_failed"]


@dataclass
class Screen:
    """One story as the viewer shows it: what the address names, the gate, and the media on screen."""

    username: str | None
    story_id: str | None
    gate: ViewGate = "no_gate"
    unavailable: bool = False
    media_urls: tuple[str, ...] = ()
    #: Whether pressing Next on this story moves the viewer at all.
    next_moves: bool = True


class ScriptedViewer:
    """A ``StoryViewer`` that walks a fixed list of screens; Next after the last goes back home."""

    def __init__(self, screens: list[Screen]) -> None:
        self.screens = screens
        self.position: int | None = None  # None: the home page
        self.next_presses = 0

    @property
    def screen(self) -> Screen:
        assert self.position is not None, "the sync read a story while the viewer was on the home page"
        return self.screens[self.position]

    def open_home(self) -> None:
        self.position = None

    def open_first_story(self) -> bool:
        if not self.screens:
            return False
        self.position = 0
        return True

    def pass_view_gate(self) -> ViewGate:
        return self.screen.gate

    def page_unavailable(self) -> bool:
        return self.screen.unavailable

    def read_context(self) -> StoryContext:
        screen = self.screen
        path = "/".join(part for part in ("stories", screen.username, screen.story_id) if part)
        return StoryContext(username=screen.username, story_id=screen.story_id, page_url=f"{BASE}/{path}/")

    def visible_media_urls(self) -> list[str]:
        return list(self.screen.media_urls)

    def next(self) -> bool:
        self.next_presses += 1
        if not self.screen.next_moves:
            return False
        self.position = self.position + 1 if self.position + 1 < len(self.screens) else None
        return True

    def tray_exhausted(self) -> bool:
        return self.position is None


class FakeSource:
    """A ``StorySource`` over ``OWNERS``' reels; records every request."""

    name = "fake"

    def __init__(self, reels: dict[str, list[StoryItem]]) -> None:
        self.reels_by_owner = reels
        self.profile_requests: list[str] = []
        self.reel_requests: list[list[str]] = []
        self.reels_error: Exception | None = None

    def profile(self, username):
        self.profile_requests.append(username)
        if username not in OWNERS:
            raise NotFound("User not found")
        return Profile(user_id=OWNERS[username], username=username, followed_by_viewer=True)

    def reels(self, user_ids):
        self.reel_requests.append(list(user_ids))
        if self.reels_error is not None:
            raise self.reels_error
        names = {uid: name for name, uid in OWNERS.items()}
        return {uid: Reel(owner_id=uid, owner_username=names[uid], items=tuple(self.reels_by_owner[names[uid]]))
                for uid in user_ids if self.reels_by_owner.get(names[uid])}

    def tray(self):
        raise AssertionError("carousel sync takes its tray from the page")

    def inbox(self, cursor=None, limit=20):
        raise AssertionError("carousel sync never reads the inbox")


class PageMedia:
    """A ``MediaFallback`` that finds the media it was given per story id, and nothing else."""

    def __init__(self, name: str, found: dict[str, str] | None = None) -> None:
        self.name = name
        self.found = found or {}
        self.asked: list[StoryContext] = []

    def resolve(self, context):
        self.asked.append(context)
        url = self.found.get(context.story_id)
        if url is None:
            return None
        return ResolvedMedia(story_id=context.story_id, media_url=url, media_type="image", source=self.name)


class FakeMedia:
    def __init__(self) -> None:
        self.jobs = []

    def download(self, job):
        raise AssertionError("carousel sync downloads in one batch")

    def download_many(self, jobs):
        self.jobs.extend(jobs)
        return [DownloadResult(record=MediaRecord(story_id=job.story_id, path="p", source_url=job.url,
                                                  content_type="image/jpeg", bytes=1, sha256="0"))
                for job in jobs]


RUN_IDS = (f"run{i}" for i in itertools.count())


@pytest.fixture
def store():
    with SqliteStore(":memory:") as s:
        yield s


@dataclass
class Harness:
    viewer: ScriptedViewer
    source: FakeSource
    dom: PageMedia
    perflog: PageMedia
    events: ListEvents
    media: FakeMedia
    sync: CarouselSync


def harness(store, screens: list[Screen], reels: dict[str, list[StoryItem]] | None = None, *,
            dom: dict[str, str] | None = None, perflog: dict[str, str] | None = None,
            safety_limit: int = 500) -> Harness:
    viewer, source = ScriptedViewer(screens), FakeSource(reels or {})
    dom_media, perflog_media = PageMedia("dom", dom), PageMedia("perflog", perflog)
    events, media = ListEvents(), FakeMedia()
    sync = CarouselSync(viewer=viewer, source=source,
                        media_fallbacks=FallbackChain([("dom", dom_media), ("perflog", perflog_media)]),
                        store=store, clock=FakeClock(), events=events, media=media, new_run_id=RUN_IDS.__next__,
                        safety_limit=safety_limit)
    return Harness(viewer, source, dom_media, perflog_media, events, media, sync)


def tried(report, story_id: str) -> list[tuple[str, bool, str | None]]:
    return [(a.name, a.ok, a.reason) for a in report.attempts[story_id]]


def test_the_scripted_viewer_is_a_story_viewer() -> None:
    assert isinstance(ScriptedViewer([]), StoryViewer)


# -- media: API first ---------------------------------------------------------------------------------


def test_media_the_api_has_is_stored_without_asking_the_page(store) -> None:
    reel = [story("alice", "11"), story("alice", "12")]
    h = harness(store, [Screen("alice", "11", gate="cleared"), Screen("alice", "12")], {"alice": reel})
    report = h.sync.run(limit=2)
    assert (report.end_reason, report.failures_by_reason) == ("limit_reached", {})
    assert tried(report, "11") == tried(report, "12") == [("api", True, None)]
    assert h.dom.asked == h.perflog.asked == []
    assert [store.get_story(s.story_id) for s in reel] == reel
    assert [(job.story_id, job.url) for job in h.media.jobs] == [(s.story_id, s.media_url) for s in reel]
    assert (report.stories_new, report.media_downloaded) == (2, 2)


def test_reels_are_requested_once_per_owner_and_run(store) -> None:
    store.upsert_profile(Profile(user_id=OWNERS["alice"], username="alice"))  # alice's id is cached, bob's is not
    reels = {"alice": [story("alice", "11"), story("alice", "12")], "bob": [story("bob", "21")]}
    screens = [Screen("alice", "11"), Screen("alice", "12"), Screen("bob", "21")]
    h = harness(store, screens, reels)
    assert h.sync.run().end_reason == "tray_exhausted"
    assert h.source.reel_requests == [[OWNERS["alice"]], [OWNERS["bob"]]]
    assert h.source.profile_requests == ["bob"]
    h.sync.run()  # the cache is the run's: a new run asks again
    assert len(h.source.reel_requests) == 4


def test_page_media_is_tried_in_order_when_the_api_fails(store) -> None:
    h = harness(store, [Screen("alice", "11")], {"alice": [story("alice", "11")]},
                perflog={"11": media_url("perflog11")})
    h.source.reels_error = Transient("503")
    report = h.sync.run()
    assert report.failures_by_reason == {}
    assert tried(report, "11") == [("api", False, "transient_network_error"), ("dom", False, "not_found"),
                                   ("perflog", True, None)]
    stored = store.get_story("11")
    # Only the page saw this story: it is stored with the media found and an unknown taken-at time.
    assert (stored.owner_id, stored.media_url, stored.taken_at) == (OWNERS["alice"], media_url("perflog11"), 0)


def test_a_story_missing_from_the_owners_reel_is_an_api_not_found_attempt(store) -> None:
    h = harness(store, [Screen("alice", "13")], {"alice": [story("alice", "11")]}, dom={"13": media_url("dom13")})
    report = h.sync.run()
    assert tried(report, "13") == [("api", False, "not_found"), ("dom", True, None)]
    assert store.get_story("13").media_url == media_url("dom13")


def test_media_unavailable_everywhere_lists_each_attempt_and_the_latest_api_failure(store) -> None:
    api_failure = {"username": "alice", "endpoint": "feed/reels_media", "status": 500}
    store.record_event(Event(kind="instagram.api_get_json.failure", at=NOW - 60, fields=api_failure))
    h = harness(store, [Screen("alice", "11")], {"alice": [story("alice", "11", url=None)]})
    report = h.sync.run()
    assert report.failures_by_reason == {"api_story_media_unavailable": 1}
    assert tried(report, "11") == [("api", False, "api_story_media_unavailable"), ("dom", False, "not_found"),
                                   ("perflog", False, "not_found")]
    (failure,) = h.events.failures()
    assert failure["attempts"] == [
        {"source": "api", "ok": False, "reason": "api_story_media_unavailable"},
        {"source": "dom", "ok": False, "reason": "not_found"},
        {"source": "perflog", "ok": False, "reason": "not_found"},
    ]
    assert failure["latest_api_failure"].items() >= api_failure.items()
    assert store.get_story("11") is None and h.media.jobs == []


# -- which story is on screen -----------------------------------------------------------------------


def test_a_story_id_missing_from_the_address_is_recovered_from_the_media_cache_key(store) -> None:
    shown = (media_url("avatar"), media_url("story12", story_id="12"))  # the first names no story
    h = harness(store, [Screen("alice", None, media_urls=shown)], {"alice": [story("alice", "12")]})
    report = h.sync.run()
    assert report.failures_by_reason == {}
    assert tried(report, "12") == [("api", True, None)]
    assert store.get_story("12") is not None


def test_a_story_id_nothing_names_is_unresolved_and_the_api_is_not_asked(store) -> None:
    h = harness(store, [Screen("alice", None, media_urls=(media_url("story12"),))], {"alice": [story("alice", "12")]})
    report = h.sync.run()
    assert report.failures_by_reason == {"story_id_unresolved": 1}
    assert (report.attempts, h.source.reel_requests) == ({}, [])
    (failure,) = h.events.failures()
    assert (failure["username"], failure["story_id"], failure["page_url"]) == ("alice", None, f"{BASE}/stories/alice/")


@pytest.mark.parametrize(("gate", "reason"), [("no_gate", "story_context_missing"),
                                              ("cleared", "story_context_missing_after_view_gate")])
def test_a_page_that_names_no_owner_is_context_missing(store, gate: ViewGate, reason: str) -> None:
    h = harness(store, [Screen(None, "11", gate=gate)], {"alice": [story("alice", "11")]})
    report = h.sync.run()
    assert (report.failures_by_reason, report.end_reason) == ({reason: 1}, "tray_exhausted")
    assert (report.attempts, h.source.reel_requests, h.source.profile_requests) == ({}, [], [])


def test_a_view_gate_that_stays_is_reported(store) -> None:
    h = harness(store, [Screen("alice", "11", gate="not_cleared")], {"alice": [story("alice", "11")]})
    report = h.sync.run()
    assert report.failures_by_reason == {"story_view_gate_not_cleared": 1}
    assert (report.attempts, h.source.reel_requests) == ({}, [])


def test_an_unavailable_page_is_reported_whatever_the_gate_says(store) -> None:
    # An unavailable page shows no gate button, so a gate answer there says nothing about the story.
    h = harness(store, [Screen("alice", "11", gate="not_cleared", unavailable=True)], {"alice": [story("alice", "11")]})
    report = h.sync.run()
    assert report.failures_by_reason == {"story_page_unavailable": 1}
    (failure,) = h.events.failures()
    assert (failure["reason"], failure["username"], failure["story_id"]) == ("story_page_unavailable", "alice", "11")


# -- how the walk ends ---------------------------------------------------------------------------------


def three_stories() -> tuple[list[Screen], dict[str, list[StoryItem]]]:
    reel = [story("alice", "11"), story("alice", "12"), story("alice", "13")]
    return [Screen("alice", s.story_id) for s in reel], {"alice": reel}


def test_the_walk_stops_at_the_limit_without_pressing_next(store) -> None:
    h = harness(store, *three_stories())
    report = h.sync.run(limit=2)
    assert (report.end_reason, list(report.attempts), h.viewer.next_presses) == ("limit_reached", ["11", "12"], 1)


def test_the_walk_ends_when_next_leads_home(store) -> None:
    screens, reels = three_stories()
    screens[1] = Screen(None, "12")  # a failed story does not stop the walk
    h = harness(store, screens, reels)
    report = h.sync.run()
    assert (report.end_reason, list(report.attempts)) == ("tray_exhausted", ["11", "13"])
    assert report.failures_by_reason == {"story_context_missing": 1}


def test_an_empty_tray_ends_the_walk_before_any_story(store) -> None:
    h = harness(store, [])
    report = h.sync.run(limit=3)
    assert (report.end_reason, report.attempts, report.failures_by_reason) == ("tray_exhausted", {}, {})


def test_a_next_that_does_not_move_ends_the_walk_with_a_failure_where_it_stuck(store) -> None:
    screens, reels = three_stories()
    screens[1].next_moves = False
    h = harness(store, screens, reels)
    report = h.sync.run()
    assert (report.end_reason, list(report.attempts)) == ("next_navigation_failed", ["11", "12"])
    assert report.failures_by_reason == {"next_navigation_failed": 1}
    (failure,) = h.events.failures()
    assert (failure["username"], failure["story_id"]) == ("alice", "12")


def test_the_safety_limit_bounds_a_walk_without_a_limit(store) -> None:
    h = harness(store, *three_stories(), safety_limit=2)
    report = h.sync.run()
    assert (report.end_reason, list(report.attempts)) == ("safety_limit_exhausted", ["11", "12"])


def test_the_run_and_its_attempts_are_recorded(store) -> None:
    h = harness(store, *three_stories())
    report = h.sync.run(limit=1)
    (recorded,) = store.list_runs()
    assert (recorded.run_id, recorded.flow, recorded.end_reason) == (report.run_id, "home", "limit_reached")
    assert {story_id: [(a.name, a.ok) for a in attempts] for story_id, attempts in recorded.attempts.items()} == \
        {"11": [("api", True)]}
