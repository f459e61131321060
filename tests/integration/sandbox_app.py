"""Wiring storysync to a sandbox the way a user does: a TOML config and an imported session.

Shared by the integration modules that bootstrap the real app (or run the CLI) against the sandbox.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit

from storysync.adapters.session import load_cookies, save_private_copy
from storysync.core.settings import Settings
from storysync.plugins.bootstrap import App, bootstrap
from storysync.plugins.config import load_settings, session_path
from storysync.plugins.sandbox import Sandbox

RETRY_ATTEMPTS = 2
#: Plugins installed in the test environment stay out of the app under test.
NO_PLUGIN_AUTOLOAD = {"STORYSYNC_DISABLE_PLUGIN_AUTOLOAD": "1"}


def toml_list(values: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"


def write_config(directory: Path, sandbox: Sandbox, *, engine: str = "playwright",
                 sources: Sequence[str] = ("http",), page_timeout: float = 4.0,
                 extra_browser_args: Sequence[str] = ()) -> Path:
    """A config for the sandbox's site and CDN, with fast retries, no pacing and short page waits."""
    directory.mkdir(parents=True, exist_ok=True)
    cdn_host = urlsplit(sandbox.cdn_url).netloc
    config = directory / "storysync.toml"
    config.write_text(
        f'data_dir = "{directory / "data"}"\n'
        f"sources = {toml_list(sources)}\n"
        f'\n[instagram]\nbase_url = "{sandbox.base_url}"\n'
        f'\n[media]\nallowed_hosts = ["{cdn_host}"]\ninsecure_hosts = ["{cdn_host}"]\n'
        "\n[http]\n"
        f"retry_attempts = {RETRY_ATTEMPTS}\n"
        "timeout_seconds = 3.0\n"
        "backoff_initial_seconds = 0.01\n"
        "backoff_max_seconds = 0.05\n"
        "retry_after_cap_seconds = 1.0\n"
        "min_gap_seconds = 0.0\n"
        "window_budget = 100000\n"
        "http2 = false\n"
        f'\n[browser]\nengine = "{engine}"\npage_timeout_seconds = {page_timeout}\n'
        f"extra_args = {toml_list(extra_browser_args)}\n"
    )
    import_session(config, sandbox)
    return config


def import_session(config: Path, sandbox: Sandbox) -> None:
    """What ``storysync session import`` does."""
    settings = load_settings(config, environ={}).settings
    cookies_file = sandbox.write_cookies_file(config.parent / "cookies.txt")
    save_private_copy(load_cookies(cookies_file, now=time.time()), session_path(settings))


def settings_of(config: Path) -> Settings:
    return load_settings(config, environ={}).settings


class SandboxTime:
    """The ``Clock`` port over the sandbox's manual clock, so story expiry matches the sandbox's."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._clock = sandbox.clock

    def now(self) -> float:
        return self._clock.now()

    def sleep(self, seconds: float) -> None:
        self._clock.advance(seconds)


def app_for(config: Path, sandbox: Sandbox) -> App:
    return bootstrap(settings_of(config), clock=SandboxTime(sandbox), environ=NO_PLUGIN_AUTOLOAD)


def tray_stories(sandbox: Sandbox) -> list:
    """The sandbox's active stories in the order the viewer shows them: tray order, oldest first per owner."""
    now = sandbox.clock.now()
    return [story for reel in sandbox.dataset.tray(now) for story in sandbox.dataset.stories(reel.user.id, now)]
