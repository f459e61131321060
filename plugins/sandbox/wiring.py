"""Point storysync at a running sandbox the way a user would: a settings file and an imported session.

    from storysync.plugins.sandbox.wiring import SandboxTime, import_sandbox_session, sandbox_settings_toml

    config = directory / "storysync.toml"
    config.write_text(sandbox_settings_toml(sandbox, directory / "data", fast_http=True,
                                            sources=["archive", "http"], sync={"download_media": False}))
    settings = load_settings(config, environ={}).settings
    import_sandbox_session(sandbox, settings)
    app = bootstrap(settings, clock=SandboxTime(sandbox))

Used by ``storysync demo``, the ``storysync_app`` fixtures and storysync's own tests; plugin
authors may use it for setups the fixtures do not cover (a CLI run in a subprocess, say).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from storysync.adapters.session import load_cookies, save_private_copy
from storysync.core.settings import Settings
from storysync.plugins.config import session_path

from .sandbox import Sandbox

#: ``[http]`` settings for tests: the sandbox is on loopback and its rate limits are simulated, so
#: pacing and real backoff would only slow tests down, and a stalled request should fail within a
#: test's patience (yet not on a busy CI machine). The sandbox speaks HTTP/1.1 only.
FAST_TEST_HTTP: Mapping[str, Any] = {
    "min_gap_seconds": 0.0,
    "window_budget": 100_000,
    "backoff_initial_seconds": 0.01,
    "backoff_max_seconds": 0.05,
    "timeout_seconds": 5.0,
    "http2": False,
}


def sandbox_settings_toml(sandbox: Sandbox, data_dir: str | Path, *, fast_http: bool = False,
                          **overrides: Any) -> str:
    """A ``storysync.toml`` for ``sandbox``: its site as Instagram, its loopback CDN as the only
    media host (over plain http), ``data_dir`` for the store, media and session.

    ``fast_http`` adds ``FAST_TEST_HTTP``. Each keyword argument is a top-level setting
    (``sources=["http", "playwright"]``) or a table whose keys win over the ones above
    (``http={"retry_attempts": 2}``, ``browser={"engine": "selenium"}``).
    """
    cdn_host = urlsplit(sandbox.cdn_url).netloc
    settings: dict[str, Any] = {
        "data_dir": str(data_dir),
        "instagram": {"base_url": sandbox.base_url},
        "media": {"allowed_hosts": [cdn_host], "insecure_hosts": [cdn_host]},
        "http": dict(FAST_TEST_HTTP) if fast_http else {},
    }
    for key, value in overrides.items():
        settings[key] = {**settings.get(key, {}), **value} if isinstance(value, Mapping) else value
    return _toml(settings)


def _toml(settings: Mapping[str, Any]) -> str:
    """TOML for settings of scalars and lists, one level of tables deep (the shape of ``Settings``).

    JSON spells strings, numbers, booleans and lists the way TOML does.
    """
    top = [f"{key} = {_value(value)}\n" for key, value in settings.items() if not isinstance(value, Mapping)]
    tables = [
        f"\n[{name}]\n" + "".join(f"{key} = {_value(value)}\n" for key, value in table.items())
        for name, table in settings.items() if isinstance(table, Mapping) and table
    ]
    return "".join(top + tables)


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def import_sandbox_session(sandbox: Sandbox, settings: Settings) -> Path:
    """Keep the sandbox viewer's session as the private copy ``settings`` use, as
    ``storysync session import`` does with a cookie export; returns the copy's path."""
    with tempfile.TemporaryDirectory(prefix="storysync-sandbox-cookies-") as directory:
        export = sandbox.write_cookies_file(Path(directory) / "cookies.txt")
        # The sandbox's clock, not the wall clock: its cookies expire in its time.
        cookies = load_cookies(export, now=sandbox.clock.now())
    target = session_path(settings)
    save_private_copy(cookies, target)
    return target


class SandboxTime:
    """The ``Clock`` port over the sandbox's clock, so storysync and the sandbox agree on which
    stories are live and on when a cooldown ends; waiting moves a manual clock on instead of sleeping."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._clock = sandbox.clock

    def now(self) -> float:
        return self._clock.now()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._clock.advance(seconds)


__all__ = ["FAST_TEST_HTTP", "SandboxTime", "import_sandbox_session", "sandbox_settings_toml"]
