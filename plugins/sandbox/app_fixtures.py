"""pytest fixtures for plugin authors: a storysync ``App`` wired to the ``ig_sandbox``.

* ``storysync_app``: an ``App`` bootstrapped exactly as the CLI bootstraps one, over the
  ``ig_sandbox``, with its own data dir, SQLite store and media dir under ``tmp_path`` and the
  sandbox viewer's session imported. Its clock is the sandbox's, so stories expire and pacing
  waits pass in sandbox time, without sleeping.
* ``storysync_app_factory``: ``storysync_app_factory(**overrides)`` builds more such apps; the
  keyword arguments are settings that win over the sandbox defaults, e.g.
  ``storysync_app_factory(sources=["archive", "http"], plugins={"load": ["my_plugin"]})``.
* ``vcr_config``: pytest-recording's settings from ``recording.default_vcr_config()``: cookies,
  CSRF tokens and session ids are kept out of cassettes, in headers and in bodies.

Plugins installed through the ``storysync`` entry point load as they would for a user, unless
``STORYSYNC_DISABLE_PLUGIN_AUTOLOAD`` is set. Docs: ``docs/plugin-testing.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from storysync.adapters.session import load_cookies, save_private_copy
from storysync.plugins.bootstrap import App, bootstrap
from storysync.plugins.config import load_settings, session_path

from .clock import ManualClock
from .recording import default_vcr_config
from .sandbox import Sandbox


class SandboxClock:
    """The ``Clock`` port on the sandbox's manual clock: waiting moves the sandbox's time on."""

    def __init__(self, clock: ManualClock) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock.now()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._clock.advance(seconds)


def sandbox_config(sandbox: Sandbox, data_dir: Path) -> str:
    """Settings that point storysync at ``sandbox``: its site, its CDN over loopback http, no pacing."""
    cdn_host = urlsplit(sandbox.cdn_url).netloc
    return (
        f'data_dir = "{data_dir}"\n'
        "\n[instagram]\n"
        f'base_url = "{sandbox.base_url}"\n'
        "\n[media]\n"
        f'allowed_hosts = ["{cdn_host}"]\n'
        f'insecure_hosts = ["{cdn_host}"]\n'
        "\n[http]\n"
        "min_gap_seconds = 0.0\n"
        "backoff_initial_seconds = 0.01\n"
        "backoff_max_seconds = 0.05\n"
        "timeout_seconds = 5.0\n"
        "http2 = false\n"
    )


@pytest.fixture
def storysync_app_factory(ig_sandbox: Sandbox, tmp_path: Path) -> Iterator[Callable[..., App]]:
    apps: list[App] = []

    def build(**overrides: Any) -> App:
        directory = tmp_path / f"storysync-app-{len(apps)}"
        directory.mkdir()
        config = directory / "storysync.toml"
        config.write_text(sandbox_config(ig_sandbox, directory / "data"))
        # Only the config file and the overrides count: a developer's STORYSYNC_* variables must
        # not change what a test sees.
        settings = load_settings(config, overrides, environ={}).settings
        clock = SandboxClock(ig_sandbox.clock)
        cookies_file = ig_sandbox.write_cookies_file(directory / "sandbox-cookies.txt")
        save_private_copy(load_cookies(cookies_file, now=clock.now()), session_path(settings))
        app = bootstrap(settings, clock=clock)
        apps.append(app)
        return app

    yield build
    for app in apps:
        app.close()


@pytest.fixture
def storysync_app(storysync_app_factory: Callable[..., App]) -> App:
    return storysync_app_factory()


@pytest.fixture(scope="module")
def vcr_config() -> dict[str, Any]:
    return default_vcr_config()


@pytest.hookimpl(optionalhook=True)
def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    """Make scrubbing the recorder's default too: pytest-recording's own ``vcr_config`` fixture
    (``{}``) may win over ours, depending on the order pytest loads the two plugins."""
    for option, value in default_vcr_config().items():
        setattr(vcr, option, value)


__all__ = [
    "SandboxClock",
    "pytest_recording_configure",
    "sandbox_config",
    "storysync_app",
    "storysync_app_factory",
    "vcr_config",
]
