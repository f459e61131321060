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
``STORYSYNC_DISABLE_PLUGIN_AUTOLOAD`` is set. The wiring they use is ``wiring``'s, public for
setups the fixtures do not cover. Docs: ``docs/plugin-testing.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from storysync.plugins.bootstrap import App, bootstrap
from storysync.plugins.config import load_settings

from .recording import default_vcr_config
from .sandbox import Sandbox
from .wiring import SandboxTime, import_sandbox_session, sandbox_settings_toml


@pytest.fixture
def storysync_app_factory(ig_sandbox: Sandbox, tmp_path: Path) -> Iterator[Callable[..., App]]:
    apps: list[App] = []

    def build(**overrides: Any) -> App:
        directory = tmp_path / f"storysync-app-{len(apps)}"
        directory.mkdir()
        config = directory / "storysync.toml"
        config.write_text(sandbox_settings_toml(ig_sandbox, directory / "data", fast_http=True))
        # Only the config file and the overrides count: a developer's STORYSYNC_* variables must
        # not change what a test sees.
        settings = load_settings(config, overrides, environ={}).settings
        import_sandbox_session(ig_sandbox, settings)
        app = bootstrap(settings, clock=SandboxTime(ig_sandbox))
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
    "pytest_recording_configure",
    "storysync_app",
    "storysync_app_factory",
    "vcr_config",
]
