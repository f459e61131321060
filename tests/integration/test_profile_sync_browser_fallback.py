"""``sync profile`` with a browser as the fallback source (SPEC §5 "Fallback policy"), against the sandbox.

The sandbox refuses direct requests while in-page ones pass (``direct_refused``): the browser
source must take over and the run summary must show it. A rate limit concerns the account, so the
browser must not be used; a healthy API must not even start one.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sandbox_app import app_for, module_sandbox_fixtures, write_config
from storysync.adapters.browser.playwright_session import PlaywrightSession
from storysync.adapters.browser.selenium_session import SeleniumSession
from storysync.plugins.sandbox import Sandbox
from storysync.plugins.sandbox.pytest_plugin import FIXTURE_EPOCH

pytestmark = pytest.mark.browser

SESSIONS = {"playwright": PlaywrightSession, "selenium": SeleniumSession}
OWNERS = 3


sandbox, fresh_sandbox = module_sandbox_fixtures(users=20)


def owners(sandbox: Sandbox) -> list[str]:
    return [reel.user.username for reel in sandbox.dataset.tray(sandbox.clock.now())[:OWNERS]]


def synced(config: Path, sandbox: Sandbox):
    """Run ``sync profile`` for the tray's first owners; the report and the story ids stored."""
    with app_for(config, sandbox) as app:
        report = app.profile_sync().run(owners(sandbox))
        return report, {story.story_id for story in app.store.list_stories()}, app.store


def expected_story_ids(sandbox: Sandbox) -> set[str]:
    now = sandbox.clock.now()
    return {story.story_id for name in owners(sandbox)
            for story in sandbox.dataset.stories(sandbox.dataset.user(name).id, now)}


@pytest.mark.parametrize("engine", sorted(SESSIONS))
def test_a_healthy_api_starts_no_browser(engine: str, sandbox: Sandbox, tmp_path: Path) -> None:
    launches = SESSIONS[engine].launch_count
    report, stored, _ = synced(write_config(tmp_path, sandbox, sources=["http", engine]), sandbox)
    assert stored == expected_story_ids(sandbox)
    assert report.attempts == {}
    assert SESSIONS[engine].launch_count == launches


@pytest.mark.parametrize("engine", sorted(SESSIONS))
def test_refused_direct_requests_fall_back_to_the_browser(engine: str, sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.set_fault("direct_refused")
    report, stored, _ = synced(write_config(tmp_path, sandbox, sources=["http", engine]), sandbox)
    assert stored == expected_story_ids(sandbox)
    assert report.failures_by_reason == {}
    assert report.attempts, "the summary must show that the browser took over"
    for attempts in report.attempts.values():
        assert [(a.name, a.ok, a.reason) for a in attempts] == [("http", False, "useragent_mismatch"), (engine, True, None)]


def test_refused_direct_requests_without_a_browser_source_fail_classified(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.set_fault("direct_refused")
    report, stored, _ = synced(write_config(tmp_path, sandbox, sources=["http"]), sandbox)
    assert stored == set()
    assert set(report.failures_by_reason) == {"useragent_mismatch"}
    assert report.failures_by_reason["useragent_mismatch"] >= OWNERS


@pytest.mark.parametrize("engine", sorted(SESSIONS))
def test_a_rate_limit_is_not_retried_through_the_browser(engine: str, sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.set_fault("rate_limit", retry_after=600)
    launches = SESSIONS[engine].launch_count
    config = write_config(tmp_path, sandbox, sources=["http", engine])
    with app_for(config, sandbox) as app:
        report = app.profile_sync().run(owners(sandbox))
        cooling = [event for event in app.store.list_events(run_id=report.run_id)
                   if event.fields.get("retry_after_seconds") == 600]
        cooldowns = [app.store.cooldown_until(app.settings.account, family)
                     for family in ("feed/reels_tray", "users/web_profile_info")]
    assert SESSIONS[engine].launch_count == launches
    assert "rate_limited" in report.failures_by_reason
    assert report.owners_skipped.get("local_rate_limit_pause"), "later owners wait out the cooldown"
    assert cooling, "the run must say how long Instagram asked to wait"
    assert any(until is not None and until >= FIXTURE_EPOCH + 600 for until in cooldowns)
    assert {a.name for attempts in report.attempts.values() for a in attempts} == {"http"}
