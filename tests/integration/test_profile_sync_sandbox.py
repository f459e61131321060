"""The main job (``sync profile``) end to end against the sandbox: real HTTP, real SQLite, real files.

The sandbox's data set is the judge of what must be stored and downloaded; its request log is the
judge of what was asked. Faults of its catalogue that reach this flow each get their documented
outcome (SPEC §4-§7). CLI runs are subprocesses against a sandbox on the wall clock, because a
separate process cannot share the tests' manual clock.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import stamina

from storysync.adapters.http.source import ApiStorySource
from storysync.core.errors import LoginRequired
from storysync.plugins.bootstrap import App, bootstrap
from storysync.plugins.builtin.http import http_transport
from storysync.plugins.config import load_settings
from storysync.plugins.sandbox import Sandbox, SystemClock
from storysync.plugins.sandbox.wiring import SandboxTime, import_sandbox_session, sandbox_settings_toml

NO_PLUGIN_AUTOLOAD = {"STORYSYNC_DISABLE_PLUGIN_AUTOLOAD": "1"}
EXIT_AUTH = 3
SHOWCASE = range(12)  # docs/sandbox.md: every case a client must handle, users 0-11


def write_config(directory: Path, sandbox: Sandbox, *, sync: Mapping[str, Any] = {},
                 http: Mapping[str, Any] = {}) -> Path:
    """A config pointing at the sandbox, with fast HTTP, and its imported session."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "storysync.toml"
    config.write_text(sandbox_settings_toml(sandbox, directory / "data", fast_http=True, sync=sync, http=http))
    import_sandbox_session(sandbox, settings_of(config))
    return config


def settings_of(config: Path):
    return load_settings(config, environ={}).settings


def open_app(config: Path, sandbox: Sandbox) -> App:
    return bootstrap(settings_of(config), clock=SandboxTime(sandbox), environ=NO_PLUGIN_AUTOLOAD)


def sync(config: Path, sandbox: Sandbox, usernames: list[str]):
    with open_app(config, sandbox) as app:
        return app.profile_sync().run(usernames)


def run_cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from storysync.cli.app import main; main()", "--config", str(config), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **NO_PLUGIN_AUTOLOAD})


def requests_after(sandbox: Sandbox, mark: int) -> Counter[str]:
    """Requests the sandbox received since its log held ``mark`` entries, by endpoint."""
    return Counter(record.endpoint for record in sandbox.requests()[mark:])


def usernames_of(sandbox: Sandbox, indexes) -> list[str]:
    return [sandbox.dataset.user_at(i).username for i in indexes]


def expected_attribution(story) -> str | None:
    """SPEC §3's first external signal among those the sandbox generates (reshares, mentions)."""
    if story.reshared_post is not None and story.reshared_post.owner_id != story.owner_id:
        return "story_feed_media_external"
    if any(user.id != story.owner_id for user in story.mentions):
        return "reel_mentions_external"
    return None


def media_files(settings) -> list[Path]:
    return sorted(p for p in Path(settings.media_dir).rglob("*") if p.is_file())


@pytest.fixture(autouse=True)
def no_backoff_sleeps() -> Iterator[None]:
    with stamina.set_testing(True, attempts=10, cap=True):
        yield


@pytest.fixture
def config(tmp_path: Path, ig_sandbox: Sandbox) -> Path:
    return write_config(tmp_path, ig_sandbox)


@pytest.fixture
def wall_clock_sandbox(ig_sandbox_factory) -> Sandbox:
    """A sandbox on real time, for CLI subprocesses (they read the wall clock, not the tests')."""
    return ig_sandbox_factory(users=50, clock=SystemClock())


# -- a full sync, then a warm one ------------------------------------------------------------

def test_a_full_sync_stores_every_active_story_and_downloads_its_exact_bytes(config, ig_sandbox):
    dataset, now = ig_sandbox.dataset, ig_sandbox.clock.now()
    users = [dataset.user_at(i) for i in (*SHOWCASE, 12, 13, 14, 15)]

    report = sync(config, ig_sandbox, [user.username for user in users])

    expected = {s.story_id: s for user in users for s in dataset.stories(user.id, now)}
    with open_app(config, ig_sandbox) as app:
        stored = {story.story_id: story for story in app.store.list_stories()}
    assert sorted(stored) == sorted(expected)
    assert (report.stories_new, report.media_downloaded, report.failures_by_reason) == (len(expected),) * 2 + ({},)
    for story_id, story in expected.items():
        item = stored[story_id]
        assert (item.owner_id, item.media_type, item.taken_at, item.expiring_at) == (
            story.owner_id, story.media_type, story.taken_at, story.expiring_at), story_id
        assert item.can_reply is story.can_reply, story_id
        assert item.attribution.reason == expected_attribution(story), story_id
        (downloaded,) = Path(settings_of(config).media_dir, story.owner_username).glob(f"{story_id}.*")
        assert hashlib.sha256(downloaded.read_bytes()).hexdigest() == dataset.media(story.media_url).sha256


def test_a_second_run_asks_no_profile_and_downloads_nothing(config, ig_sandbox):
    usernames = usernames_of(ig_sandbox, SHOWCASE)
    sync(config, ig_sandbox, usernames)
    mark = len(ig_sandbox.requests())

    report = sync(config, ig_sandbox, usernames)

    asked = requests_after(ig_sandbox, mark)
    assert asked["users/web_profile_info"] == 0 and asked["cdn/media"] == 0
    assert (report.stories_new, report.media_downloaded) == (0, 0)


def test_warm_steady_state_of_100_owners_with_10_updated_costs_one_tray_and_one_reels_request(
        tmp_path, ig_sandbox_factory):
    sandbox = ig_sandbox_factory(users=300)
    watched = [reel.user for reel in sandbox.dataset.tray()[:100]]
    config = write_config(tmp_path, sandbox, sync={"download_media": False})
    sync(config, sandbox, [user.username for user in watched])
    for user in watched[::10]:
        sandbox.post_story(user.username)
    mark = len(sandbox.requests())

    report = sync(config, sandbox, [user.username for user in watched])

    assert requests_after(sandbox, mark) == {"feed/reels_tray": 1, "feed/reels_media": 1}
    assert report.stories_new == 10
    assert len(report.owners_skipped["tray_unchanged"]) == 90


# -- faults of the sandbox's catalogue ----------------------------------------------------------

def test_a_5xx_burst_is_retried_and_the_sync_succeeds(config, ig_sandbox):
    ig_sandbox.set_fault("server_error", "feed/reels_media", count=2, status=502)

    report = sync(config, ig_sandbox, usernames_of(ig_sandbox, [0, 1]))

    assert report.failures_by_reason == {} and report.stories_new == 5
    assert [r.status for r in ig_sandbox.requests("feed/reels_media")] == [502, 502, 200]


def test_a_truncated_body_is_transient_and_retried(config, ig_sandbox):
    ig_sandbox.set_fault("truncated", "feed/reels_tray", count=1)

    report = sync(config, ig_sandbox, usernames_of(ig_sandbox, [0]))

    assert report.failures_by_reason == {} and report.stories_new == 3
    assert [r.fault for r in ig_sandbox.requests("feed/reels_tray")] == ["truncated", None]


def test_a_small_retry_after_is_waited_out_and_retried(tmp_path, ig_sandbox):
    config = write_config(tmp_path, ig_sandbox, http={"retry_after_cap_seconds": 30})
    ig_sandbox.set_fault("rate_limit", "feed/reels_media", count=1, retry_after=5)

    report = sync(config, ig_sandbox, usernames_of(ig_sandbox, [0]))

    assert report.failures_by_reason == {} and report.stories_new == 3
    assert [r.status for r in ig_sandbox.requests("feed/reels_media")] == [429, 200]


def test_a_batch_over_the_limit_is_halved_until_it_is_accepted(config, ig_sandbox):
    owners = [user.id for user in ig_sandbox.dataset.users[:40]]
    with open_app(config, ig_sandbox) as app:
        source = ApiStorySource(http_transport(app.ctx), batch_size=40, base_url=ig_sandbox.base_url)
        reels = source.reels(owners)

    assert [r.status for r in ig_sandbox.requests("feed/reels_media")] == [400, 200, 200]
    now = ig_sandbox.clock.now()
    assert set(reels) == {owner for owner in owners if ig_sandbox.dataset.stories(owner, now)}


def test_the_login_page_instead_of_json_stops_the_run_as_login_required(config, ig_sandbox):
    ig_sandbox.set_fault("html", "feed/reels_tray")

    with pytest.raises(LoginRequired), open_app(config, ig_sandbox) as app:
        app.profile_sync().run(usernames_of(ig_sandbox, [0]))

    with open_app(config, ig_sandbox) as app:
        (run,) = app.store.list_runs()
        assert (run.stopped_by, app.store.list_stories()) == ("login_required", [])


def test_a_session_the_site_never_issued_stops_the_run_as_login_required(config, ig_sandbox, ig_sandbox_factory):
    # Another sandbox's session, for the same host: to this sandbox it is a logged-out one.
    import_sandbox_session(ig_sandbox_factory(users=5), settings_of(config))

    with pytest.raises(LoginRequired), open_app(config, ig_sandbox) as app:
        app.profile_sync().run(usernames_of(ig_sandbox, [0]))


def test_a_failed_download_leaves_no_partial_file(config, ig_sandbox):
    ig_sandbox.set_fault("truncated", "cdn/media", count=1, missing_bytes=5000)

    report = sync(config, ig_sandbox, usernames_of(ig_sandbox, [0]))

    media_dir = Path(settings_of(config).media_dir)
    assert (report.stories_new, report.media_downloaded, report.media_failed) == (3, 2, 1)
    assert len(media_files(settings_of(config))) == 2
    # Downloads stream into hidden temporary files (".<story id>.*.part") beside the target.
    assert [p.name for p in media_dir.rglob(".*")] == []


# -- the CLI: stops, cooldowns across processes, secrets -----------------------------------------

@pytest.mark.parametrize(("fault", "advice"), [
    ("login_redirect", "storysync session import"),
    ("checkpoint", "confirm this account"),
])
def test_the_cli_stops_cleanly_with_exit_3_and_says_what_to_do(tmp_path, wall_clock_sandbox, fault, advice):
    config = write_config(tmp_path, wall_clock_sandbox)
    wall_clock_sandbox.set_fault(fault, "feed/reels_tray")

    result = run_cli(config, "sync", "profile", *usernames_of(wall_clock_sandbox, [0]))

    assert result.returncode == EXIT_AUTH, result.stderr
    assert advice in result.stderr and "Traceback" not in result.stderr


def test_a_rate_limit_beyond_the_cap_leaves_a_cooldown_that_a_second_process_honours(tmp_path, wall_clock_sandbox):
    config = write_config(tmp_path, wall_clock_sandbox, http={"retry_after_cap_seconds": 30})
    usernames = usernames_of(wall_clock_sandbox, [0, 1])
    wall_clock_sandbox.set_fault("rate_limit", "feed/reels_media", count=1, retry_after=600)

    first = run_cli(config, "sync", "profile", "--no-media", *usernames)
    mark = len(wall_clock_sandbox.requests())
    second = run_cli(config, "sync", "profile", "--no-media", *usernames)

    assert "rate_limited" in first.stdout
    assert requests_after(wall_clock_sandbox, mark)["feed/reels_media"] == 0
    assert "skipped (local_rate_limit_pause)" in second.stdout
    assert "feed/reels_media is paused after a rate limit until" in second.stdout, second.stdout


def sandbox_secrets(sandbox: Sandbox) -> list[str]:
    """The session's secret values (``ds_user_id`` is the viewer's public id, not a secret)."""
    return [value for name, value in sandbox.cookies.items() if name != "ds_user_id"]


def test_no_session_secret_reaches_the_store_logs_events_or_error_output(tmp_path, config, ig_sandbox,
                                                                        wall_clock_sandbox, caplog):
    ig_sandbox.set_fault("server_error", "feed/reels_media", count=3)
    ig_sandbox.set_fault("please_wait_401", "users/web_profile_info", count=1)
    caplog.set_level(logging.INFO, logger="storysync")
    with open_app(config, ig_sandbox) as app:
        app.profile_sync().run(usernames_of(ig_sandbox, [0, 11]))
        events = json.dumps([(e.kind, e.fields) for e in app.store.list_events()], default=str)
    stored = b"".join(p.read_bytes() for p in Path(settings_of(config).data_dir).glob("storysync.db*"))
    logged = caplog.text + json.dumps([getattr(r, "fields", None) for r in caplog.records], default=str)
    cli_config = write_config(tmp_path / "cli", wall_clock_sandbox)
    wall_clock_sandbox.set_fault("login_redirect", "feed/reels_tray")
    cli = run_cli(cli_config, "-v", "--log-format", "json", "sync", "profile", "nobody.at.all")

    assert "owner_sync_failed" in events and cli.returncode == EXIT_AUTH
    for secret in sandbox_secrets(ig_sandbox):
        assert secret.encode() not in stored
        assert secret not in logged and secret not in events
    for secret in sandbox_secrets(wall_clock_sandbox):
        assert secret not in cli.stdout and secret not in cli.stderr



def test_each_story_keeps_its_raw_payload_as_instagram_sent_it(config, ig_sandbox):
    sync(config, ig_sandbox, usernames_of(ig_sandbox, SHOWCASE))

    with open_app(config, ig_sandbox) as app:
        stored = app.store.list_stories()
        assert stored
        for story in stored:
            raw = json.loads(app.store.raw_story_payload(story.story_id))
            assert str(raw["pk"]) == story.story_id and raw["taken_at"] == story.taken_at
