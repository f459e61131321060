"""Wiring storysync to a sandbox the way a user does, through ``storysync.plugins.sandbox.wiring``.

Shared by the integration modules that bootstrap the real app (or run the CLI) against the sandbox.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from storysync.core.settings import Settings
from storysync.plugins.bootstrap import App, bootstrap
from storysync.plugins.config import load_settings
from storysync.plugins.sandbox import ManualClock, Sandbox
from storysync.plugins.sandbox.pytest_plugin import FIXTURE_EPOCH
from storysync.plugins.sandbox.wiring import SandboxTime, import_sandbox_session, sandbox_settings_toml

RETRY_ATTEMPTS = 2
#: Plugins installed in the test environment stay out of the app under test.
NO_PLUGIN_AUTOLOAD = {"STORYSYNC_DISABLE_PLUGIN_AUTOLOAD": "1"}


def module_sandbox_fixtures(users: int) -> tuple[Callable, Callable]:
    """``sandbox``, shared by a module's tests so that an app (and its browser) can stay open over
    it, and the autouse ``fresh_sandbox`` that puts it back to its start after each test.

    Bind both at module level: ``sandbox, fresh_sandbox = module_sandbox_fixtures(users=20)``.
    """

    @pytest.fixture(scope="module")
    def sandbox() -> Iterator[Sandbox]:
        with Sandbox(users=users, seed=1, clock=ManualClock(FIXTURE_EPOCH)) as running:
            yield running

    @pytest.fixture(autouse=True)
    def fresh_sandbox(sandbox: Sandbox) -> Iterator[None]:
        yield
        sandbox.reset()
        sandbox.clock.rewind()

    return sandbox, fresh_sandbox


def write_config(directory: Path, sandbox: Sandbox, *, engine: str = "playwright",
                 sources: Sequence[str] = ("http",), page_timeout: float = 4.0,
                 extra_browser_args: Sequence[str] = ()) -> Path:
    """A config for the sandbox with fast HTTP and short page waits, and its session imported.

    Few retries and a tiny Retry-After cap, so that faults surface within a test's patience.
    """
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "storysync.toml"
    config.write_text(sandbox_settings_toml(
        sandbox, directory / "data", fast_http=True, sources=list(sources),
        http={"retry_attempts": RETRY_ATTEMPTS, "retry_after_cap_seconds": 1.0},
        browser={"engine": engine, "page_timeout_seconds": page_timeout, "extra_args": list(extra_browser_args)},
    ))
    import_sandbox_session(sandbox, settings_of(config))
    return config


def settings_of(config: Path) -> Settings:
    return load_settings(config, environ={}).settings


def app_for(config: Path, sandbox: Sandbox) -> App:
    return bootstrap(settings_of(config), clock=SandboxTime(sandbox), environ=NO_PLUGIN_AUTOLOAD)


def tray_stories(sandbox: Sandbox) -> list:
    """The sandbox's active stories in the order the viewer shows them: tray order, oldest first per owner."""
    now = sandbox.clock.now()
    return [story for reel in sandbox.dataset.tray(now) for story in sandbox.dataset.stories(reel.user.id, now)]
