"""One ``Settings`` value, merged from defaults, a TOML file, ``STORYSYNC_*`` variables and flags.

Pure: callers read files and the environment and pass the parsed layers in; this module only
validates and merges them, naming the key and the layer of any bad value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import msgspec

from .errors import ConfigError

ENV_PREFIX = "STORYSYNC_"
SECRET_KEYS = frozenset({"sessionid", "csrftoken", "cookie", "password", "token"})


class Section(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A settings table; unknown keys are errors so typos are caught."""


class InstagramSettings(Section):
    base_url: str = "https://www.instagram.com"
    app_id: str = "936619743392459"
    user_agent: str = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"
    )


class HttpSettings(Section):
    timeout_seconds: float = 20.0
    retry_attempts: int = 3
    retry_total_seconds: float = 120.0
    backoff_initial_seconds: float = 1.0
    backoff_max_seconds: float = 30.0
    retry_after_cap_seconds: float = 900.0
    rate_limit_default_seconds: float = 600.0
    long_block_seconds: float = 3600.0
    min_gap_seconds: float = 1.0
    window_seconds: float = 660.0
    window_budget: int = 200
    http2: bool = True


class SyncSettings(Section):
    reels_batch_size: int = 10
    use_id_cache: bool = True
    tray_skip: bool = True
    download_media: bool = True
    download_workers: int = 4
    safety_limit: int = 500


class MediaSettings(Section):
    allowed_hosts: list[str] = msgspec.field(default_factory=lambda: ["*.cdninstagram.com", "*.fbcdn.net"])
    #: Hosts reached over plain http (the sandbox's CDN on loopback); never Instagram's own.
    insecure_hosts: list[str] = []
    max_bytes: int = 512 * 1024 * 1024
    max_redirects: int = 5


class BrowserSettings(Section):
    engine: Literal["playwright", "selenium"] = "playwright"
    chromium_path: str = "/usr/bin/chromium"
    chromedriver_path: str = "/usr/bin/chromedriver"
    headless: bool = True
    page_timeout_seconds: float = 15.0
    extra_args: list[str] = []


class ReplySettings(Section):
    max_per_story: int = 1
    skip_on_mention: bool = True


class InboxSettings(Section):
    page_size: int = 20
    max_pages: int = 12
    max_users: int = 500


class PluginSettings(Section):
    load: list[str] = []
    disable: list[str] = []


class Settings(Section):
    account: str = "default"
    data_dir: str = ""
    media_dir: str = ""
    store: str = "sqlite"
    sources: list[str] = msgspec.field(default_factory=lambda: ["http"])
    media_fallbacks: list[str] = msgspec.field(default_factory=lambda: ["dom", "perflog"])
    reply_sinks: list[str] = msgspec.field(default_factory=lambda: ["api", "ui"])
    log_format: Literal["text", "json"] = "text"
    instagram: InstagramSettings = msgspec.field(default_factory=InstagramSettings)
    http: HttpSettings = msgspec.field(default_factory=HttpSettings)
    sync: SyncSettings = msgspec.field(default_factory=SyncSettings)
    media: MediaSettings = msgspec.field(default_factory=MediaSettings)
    browser: BrowserSettings = msgspec.field(default_factory=BrowserSettings)
    replies: ReplySettings = msgspec.field(default_factory=ReplySettings)
    inbox: InboxSettings = msgspec.field(default_factory=InboxSettings)
    plugins: PluginSettings = msgspec.field(default_factory=PluginSettings)


class Layer(msgspec.Struct, frozen=True):
    """One source of settings: ``origin`` names it in errors and in ``config show``."""

    origin: str
    values: Mapping[str, Any]


def _deep_merge(base: dict[str, Any], update: Mapping[str, Any], origin: str, origins: dict[str, str], prefix: str = "") -> None:
    for key, value in update.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value, origin, origins, f"{path}.")
        elif isinstance(value, Mapping):
            base[key] = {}
            _deep_merge(base[key], value, origin, origins, f"{path}.")
        else:
            base[key] = value
            origins[path] = origin


def _validate(values: Mapping[str, Any], origin: str) -> None:
    try:
        msgspec.convert(values, Settings, strict=False)
    except msgspec.ValidationError as error:
        raise ConfigError(f"{origin}: {_describe(error)}") from None


def _describe(error: msgspec.ValidationError) -> str:
    message = str(error)
    if "unknown field" in message.lower():
        key = message.split("`")[1] if "`" in message else "?"
        where = message.rsplit("at `$", 1)[-1].rstrip("`") if "at `$" in message else ""
        return f"unknown key {(where.lstrip('.') + '.' if where else '')}{key}"
    if "at `$" in message:
        detail, where = message.rsplit(" - at `$", 1)
        return f"bad value for {where.rstrip('`').lstrip('.')}: {detail}"
    return message


def merge_layers(layers: Sequence[Layer]) -> tuple[Settings, dict[str, str]]:
    """Merge layers (later wins) into ``Settings`` and the origin of every explicitly set key.

    Each layer is validated on its own first, so an error names the layer (file, environment or
    flag) that holds the bad key.
    """
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for layer in layers:
        _validate(layer.values, layer.origin)
        _deep_merge(merged, layer.values, layer.origin, origins)
    try:
        settings = msgspec.convert(merged, Settings, strict=False)
    except msgspec.ValidationError as error:
        raise ConfigError(_describe(error)) from None
    _check_ranges(settings)
    return settings, origins


def _check_ranges(settings: Settings) -> None:
    checks = {
        "sync.reels_batch_size": 1 <= settings.sync.reels_batch_size <= 20,
        "sync.download_workers": 1 <= settings.sync.download_workers <= 32,
        "http.retry_attempts": 1 <= settings.http.retry_attempts <= 10,
        "inbox.page_size": 1 <= settings.inbox.page_size <= 50,
        "inbox.max_pages": settings.inbox.max_pages >= 1,
        "replies.max_per_story": settings.replies.max_per_story >= 1,
        "media.max_redirects": 0 <= settings.media.max_redirects <= 10,
    }
    bad = [key for key, ok in checks.items() if not ok]
    if bad:
        raise ConfigError(f"value out of range for {', '.join(bad)}")


def _field_names(struct: type[msgspec.Struct]) -> dict[str, Any]:
    return {field.name: field.type for field in msgspec.structs.fields(struct)}


def env_layer(environ: Mapping[str, str]) -> Layer:
    """``STORYSYNC_<KEY>`` and ``STORYSYNC_<TABLE>__<KEY>`` variables as a layer.

    Lists are comma-separated; other values are converted by type during validation. Variables
    that are not settings (e.g. ``STORYSYNC_DISABLE_PLUGIN_AUTOLOAD``) are left alone.
    """
    top = _field_names(Settings)
    values: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        key = name[len(ENV_PREFIX):].lower()
        table, _, sub = key.partition("__")
        if sub:
            section = top.get(table)
            if not (isinstance(section, type) and issubclass(section, Section)):
                continue
            fields = _field_names(section)
            if sub not in fields:
                raise ConfigError(f"environment: unknown key {table}.{sub} (from {name})")
            values.setdefault(table, {})[sub] = _env_value(raw, fields[sub])
        elif key in top and not (isinstance(top[key], type) and issubclass(top[key], Section)):
            values[key] = _env_value(raw, top[key])
    return Layer("environment", values)


def _env_value(raw: str, annotation: Any) -> Any:
    if getattr(annotation, "__origin__", None) is list:
        return [part.strip() for part in raw.split(",") if part.strip()]
    if annotation is bool:
        lowered = raw.strip().lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
    return raw


def masked(settings: Settings) -> dict[str, Any]:
    """Settings as plain data with secret-looking values masked, for display."""

    def mask(value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            return {k: mask(v, k) for k, v in value.items()}
        if any(secret in key.lower() for secret in SECRET_KEYS):
            return "***"
        return value

    return mask(msgspec.to_builtins(settings))
