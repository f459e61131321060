"""``sync home`` against the sandbox's Instagram in real headless Chromium, on both engines.

One sandbox and one app (so one browser) per engine for the module; each test sets the sandbox's
variant and faults and runs the carousel sync the CLI runs. The sandbox itself is the judge of
which stories exist and in what order the viewer shows them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sandbox_app import app_for, module_sandbox_fixtures, settings_of, tray_stories, write_config
from storysync.plugins import hookimpl
from storysync.plugins.bootstrap import App
from storysync.plugins.sandbox import Sandbox

pytestmark = pytest.mark.browser

ENGINES = ("playwright", "selenium")
REELS_MEDIA = "feed/reels_media"
#: Markup variants whose stories every engine must archive, besides ``default`` and ``blob_video``
#: (tests of their own); ``gate_stuck`` cannot be passed.
OTHER_READABLE_VARIANTS = ("classes", "nested", "picture", "delayed", "no_context")
#: Runs the CLI with ``sync home`` loaded, whether or not ``cli.commands`` imports it yet.
CLI_RUNNER = "import storysync.cli.commands.home_cmd; from storysync.cli.app import main; main()"
#: A tray head of two owners with a video among their first four stories (sandbox showcase users 0, 1).
LIMIT = 4


sandbox, fresh_sandbox = module_sandbox_fixtures(users=50)


@pytest.fixture(scope="module", params=ENGINES)
def app(request, sandbox: Sandbox, tmp_path_factory) -> Iterator[App]:
    config = write_config(tmp_path_factory.mktemp(request.param), sandbox, engine=request.param)
    with app_for(config, sandbox) as wired:
        yield wired


def visited(report) -> list[str]:
    return list(report.attempts)


def resolved_by(report) -> dict[str, str]:
    """Story id → the source whose attempt succeeded."""
    return {story_id: next((a.name for a in attempts if a.ok), "none") for story_id, attempts in report.attempts.items()}


def test_visits_the_tray_up_to_the_limit_and_stores_each_story(app: App, sandbox: Sandbox) -> None:
    expected = tray_stories(sandbox)[:LIMIT]
    report = app.carousel_sync().run(limit=LIMIT)
    assert report.end_reason == "limit_reached"
    assert report.failures_by_reason == {}
    assert visited(report) == [story.story_id for story in expected]
    assert set(resolved_by(report).values()) == {"api"}
    for story in expected:
        stored = app.store.get_story(story.story_id)
        assert (stored.owner_username, stored.media_url) == (story.owner_username, story.media_url)
        assert app.store.get_media(story.story_id) is not None
    assert report.requests_by_endpoint[REELS_MEDIA] == len({story.owner_username for story in expected})


def test_media_comes_from_the_page_when_reels_media_fails(app: App, sandbox: Sandbox) -> None:
    sandbox.set_fault("server_error", endpoint=REELS_MEDIA)
    expected = tray_stories(sandbox)[:LIMIT]
    report = app.carousel_sync().run(limit=LIMIT)
    assert report.end_reason == "limit_reached"
    assert report.failures_by_reason == {}
    assert resolved_by(report) == {story.story_id: "dom" for story in expected}
    for story in expected:
        api = report.attempts[story.story_id][0]
        assert (api.name, api.ok, api.reason) == ("api", False, "transient_network_error")
        # The page shows the rendition the browser picked, not necessarily the largest.
        assert app.store.get_story(story.story_id).media_url in story.media_urls
        assert app.store.get_media(story.story_id) is not None


def test_a_streamed_video_comes_from_the_network_log(app: App, sandbox: Sandbox) -> None:
    sandbox.set_variant("blob_video")
    sandbox.set_fault("server_error", endpoint=REELS_MEDIA)
    expected = tray_stories(sandbox)[:LIMIT]
    video = next(story for story in expected if story.video_url)
    report = app.carousel_sync().run(limit=LIMIT)
    assert report.failures_by_reason == {}
    assert [(a.name, a.ok) for a in report.attempts[video.story_id]] == [("api", False), ("dom", False), ("perflog", True)]
    assert app.store.get_story(video.story_id).media_url == video.video_url
    assert app.store.get_media(video.story_id).content_type == "video/mp4"


@pytest.mark.parametrize("variant", OTHER_READABLE_VARIANTS)
def test_every_markup_variant_is_archived_from_the_page(app: App, sandbox: Sandbox, variant: str) -> None:
    """With the API down, each story's id and media come from the page alone, whatever its markup."""
    sandbox.set_variant(variant)
    sandbox.set_fault("server_error", endpoint=REELS_MEDIA)
    expected = tray_stories(sandbox)[:LIMIT]
    report = app.carousel_sync().run(limit=LIMIT)
    assert report.end_reason == "limit_reached"
    assert report.failures_by_reason == {}
    assert visited(report) == [story.story_id for story in expected]
    assert set(resolved_by(report).values()) <= {"dom", "perflog"}
    for story in expected:
        assert app.store.get_story(story.story_id).media_url in story.media_urls


def test_a_stuck_view_gate_is_reported_and_ends_the_walk(app: App, sandbox: Sandbox) -> None:
    sandbox.set_variant("gate_stuck")
    report = app.carousel_sync().run(limit=LIMIT)
    assert report.failures_by_reason == {"story_view_gate_not_cleared": 1, "next_navigation_failed": 1}
    assert report.end_reason == "next_navigation_failed"
    assert report.stories_new == report.stories_updated == 0


def test_stories_nothing_on_the_page_identifies_are_unresolved(app: App, sandbox: Sandbox) -> None:
    """``no_ids``: neither the address, nor ``og:url``, nor any media URL names the story."""
    sandbox.set_variant("no_ids")
    report = app.carousel_sync().run(limit=LIMIT)
    assert report.end_reason == "limit_reached"
    assert report.failures_by_reason == {"story_id_unresolved": LIMIT}
    assert report.attempts == {}
    assert report.stories_new == report.stories_updated == 0
    # A story the sync cannot name is never asked of the API.
    assert REELS_MEDIA not in report.requests_by_endpoint


def test_stories_whose_page_names_no_owner_are_context_missing(app: App, sandbox: Sandbox) -> None:
    """``no_owner``: stories addressed as highlights; only the first, opened from the tray, had a gate."""
    sandbox.set_variant("no_owner")
    report = app.carousel_sync().run(limit=LIMIT)
    assert report.end_reason == "limit_reached"
    assert report.failures_by_reason == {"story_context_missing_after_view_gate": 1,
                                         "story_context_missing": LIMIT - 1}
    assert report.attempts == {}
    assert report.stories_new == report.stories_updated == 0
    assert REELS_MEDIA not in report.requests_by_endpoint


class ExpireAllStoriesOnFirstSave:
    """A plugin that lets every story expire once the first one is stored, so the next is gone."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    @hookimpl
    def storysync_story_saved(self, story, is_new, run_id) -> None:
        self.sandbox.clock.advance(2 * 86_400)


def test_a_story_gone_by_the_time_next_opens_it_is_unavailable(app: App, sandbox: Sandbox) -> None:
    plugin = ExpireAllStoriesOnFirstSave(sandbox)
    app.pm.register(plugin)
    try:
        report = app.carousel_sync().run(limit=LIMIT)
    finally:
        app.pm.unregister(plugin)
    assert report.failures_by_reason == {"story_page_unavailable": 1, "next_navigation_failed": 1}
    assert report.end_reason == "next_navigation_failed"
    assert len(report.attempts) == 1


def test_the_walk_ends_when_the_tray_is_exhausted(app: App, sandbox: Sandbox) -> None:
    everything = tray_stories(sandbox)
    # Move to just before the third-last story to expire: three stories are left in the tray.
    sandbox.clock.set(sorted(story.expiring_at for story in everything)[-3] - 60)
    expected = tray_stories(sandbox)
    assert len(expected) == 3
    report = app.carousel_sync().run()
    assert report.end_reason == "tray_exhausted"
    assert report.failures_by_reason == {}
    assert visited(report) == [story.story_id for story in expected]


def test_the_safety_limit_bounds_an_unlimited_walk(app: App) -> None:
    sync = app.carousel_sync()
    sync.safety_limit = 2
    report = sync.run()
    assert report.end_reason == "safety_limit_exhausted"
    assert len(report.attempts) == 2


# -- the command ----------------------------------------------------------------------------------


def chromium_processes(marker: str) -> list[int]:
    """Ids of running processes whose command line carries ``marker`` (a flag only our browser gets)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue  # the process ended while we looked
    return found


def cli(config: Path, *args: str) -> subprocess.Popen:
    env = {**os.environ, "STORYSYNC_DISABLE_PLUGIN_AUTOLOAD": "1", "SE_OFFLINE": "true"}
    return subprocess.Popen([sys.executable, "-c", CLI_RUNNER, "--config", str(config), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@pytest.mark.parametrize("engine", ENGINES)
def test_sync_home_command_archives_the_tray_and_closes_the_browser(
        engine: str, sandbox: Sandbox, tmp_path: Path) -> None:
    marker = f"--storysync-test-run={tmp_path.name}"
    config = write_config(tmp_path, sandbox, engine="playwright" if engine == "selenium" else "selenium",
                          extra_browser_args=[marker])
    expected = tray_stories(sandbox)[:2]
    done = cli(config, "sync", "home", "--engine", engine, "--limit", "2", "--json")
    out, err = done.communicate(timeout=60)
    assert done.returncode == 0, err
    report = json.loads(out)
    assert report["flow"] == "home" and report["end_reason"] == "limit_reached"
    assert list(report["attempts"]) == [story.story_id for story in expected]
    media_dir = Path(settings_of(config).media_dir)
    assert sorted(path.stem for path in media_dir.rglob("*") if path.is_file()) == sorted(s.story_id for s in expected)
    assert chromium_processes(marker) == []


@pytest.mark.parametrize("engine", ENGINES)
def test_ctrl_c_during_sync_home_closes_the_browser(engine: str, sandbox: Sandbox, tmp_path: Path) -> None:
    marker = f"--storysync-test-run={tmp_path.name}"
    config = write_config(tmp_path, sandbox, engine=engine, extra_browser_args=[marker])
    running = cli(config, "sync", "home")
    deadline = time.monotonic() + 30
    while not chromium_processes(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert chromium_processes(marker), "the browser never started"
    time.sleep(1.0)  # into the walk
    running.send_signal(signal.SIGINT)
    _, err = running.communicate(timeout=30)
    assert running.returncode == 130, err
    assert chromium_processes(marker) == []
