"""Per-invocation state: settings and the app are loaded on first need, closed once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from storysync.plugins.bootstrap import App, bootstrap
from storysync.plugins.config import LoadedSettings, load_settings


@dataclass
class CliState:
    config_path: str | None
    flags: dict[str, Any]
    debug: bool = False
    _loaded: LoadedSettings | None = None
    _app: App | None = None
    extra_flags: dict[str, Any] = field(default_factory=dict)

    def loaded(self) -> LoadedSettings:
        if self._loaded is None:
            self._loaded = load_settings(self.config_path, {**self.flags, **self.extra_flags}, environ=os.environ)
        return self._loaded

    @property
    def settings(self):
        return self.loaded().settings

    def override(self, **flags: Any) -> None:
        """Command-specific flags (e.g. ``--no-media``) win over every other layer."""
        if self._app is not None:
            raise RuntimeError("settings are fixed once the app is built")
        self.extra_flags.update({key: value for key, value in flags.items() if value is not None})
        self._loaded = None

    def app(self) -> App:
        if self._app is None:
            self._app = bootstrap(self.settings)
        return self._app

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
            self._app = None
