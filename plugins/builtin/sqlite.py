"""The default store: SQLite, ``store = "sqlite"`` (under ``data_dir``) or ``"sqlite:///path/to.db"``."""

from __future__ import annotations

from pathlib import Path

from storysync.core.errors import ConfigError
from storysync.plugins import hookimpl

DEFAULT_FILE_NAME = "storysync.db"


def sqlite_path(settings, url: str) -> Path:
    if url == "sqlite":
        return Path(settings.data_dir) / DEFAULT_FILE_NAME
    rest = url.removeprefix("sqlite:")
    if rest.startswith("///") and len(rest) > 3:
        return Path(rest[2:])
    if rest and rest != url and not rest.startswith("/"):
        return Path(rest)
    raise ConfigError(f"store: {url!r} is not a SQLite URL (use 'sqlite', 'sqlite:relative.db' or 'sqlite:///abs/path.db')")


def open_sqlite(settings, url: str):
    from storysync.adapters.store.sqlite import SqliteStore

    path = sqlite_path(settings, url)
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteStore(path)


@hookimpl
def storysync_register_adapters(registry):
    registry.add_store("sqlite", open_sqlite)
