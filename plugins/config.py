"""Reads the settings layers from disk and the environment (the I/O half of ``core.settings``)."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storysync.core.errors import ConfigError
from storysync.core.settings import Layer, Settings, env_layer, merge_layers

CONFIG_FILE_NAME = "storysync.toml"
ACCOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _home(environ: Mapping[str, str]) -> Path:
    return Path(environ["HOME"]) if environ.get("HOME") else Path.home()


def user_config_dir(environ: Mapping[str, str] = os.environ) -> Path:
    base = environ.get("XDG_CONFIG_HOME") or _home(environ) / ".config"
    return Path(base) / "storysync"


def user_data_dir(environ: Mapping[str, str] = os.environ) -> Path:
    base = environ.get("XDG_DATA_HOME") or _home(environ) / ".local" / "share"
    return Path(base) / "storysync"


@dataclass(frozen=True)
class LoadedSettings:
    settings: Settings
    #: dotted key -> "defaults", "file <path>", "environment" or "flags"
    origins: dict[str, str]
    config_path: Path | None


def find_config_file(explicit: str | os.PathLike | None, cwd: Path, environ: Mapping[str, str]) -> Path | None:
    """``--config``, else ``./storysync.toml``, else the user config dir's ``config.toml``."""
    if explicit is not None:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"config file not found: {path}")
        return path
    for candidate in (cwd / CONFIG_FILE_NAME, user_config_dir(environ) / "config.toml"):
        if candidate.is_file():
            return candidate
    return None


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None


def load_settings(
    config: str | os.PathLike | None = None,
    flags: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] = os.environ,
    cwd: Path | None = None,
) -> LoadedSettings:
    """Defaults < config file < ``STORYSYNC_*`` environment < command-line flags."""
    path = find_config_file(config, cwd or Path.cwd(), environ)
    data_dir = user_data_dir(environ)
    layers = [Layer("defaults", {"data_dir": str(data_dir)})]
    if path is not None:
        layers.append(Layer(f"file {path}", read_toml(path)))
    layers.append(env_layer(environ))
    if flags:
        layers.append(Layer("flags", {k: v for k, v in flags.items() if v is not None}))
    settings, origins = merge_layers(layers)
    if not settings.media_dir:
        settings = _with(settings, media_dir=str(Path(settings.data_dir) / "media"))
        origins.setdefault("media_dir", "defaults")
    return LoadedSettings(settings, origins, path)


def _with(settings: Settings, **changes: Any) -> Settings:
    import msgspec

    return msgspec.structs.replace(settings, **changes)


def session_path(settings: Settings, account: str | None = None) -> Path:
    """Where the private copy of an account's cookies lives."""
    name = account or settings.account
    if not ACCOUNT_NAME.fullmatch(name):
        raise ConfigError(f"account name {name!r} may use only letters, digits, '.', '_' and '-'")
    return Path(settings.data_dir) / "sessions" / f"{name}.json"
