"""Named adapter factories that plugins register and ``bootstrap`` picks from by configuration."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from storysync.core.errors import ConfigError

KINDS = ("source", "media_fallback", "reply_sink", "store", "browser")


@dataclass(frozen=True)
class Registration:
    kind: str
    name: str
    factory: Callable[..., Any]
    plugin: str


@dataclass
class Registry:
    """Filled by ``storysync_register_adapters``; ``plugin`` is set to the plugin being asked."""

    plugin: str = "?"
    _entries: dict[tuple[str, str], Registration] = field(default_factory=dict)

    def _add(self, kind: str, name: str, factory: Callable[..., Any]) -> None:
        key = (kind, name)
        if key in self._entries:
            other = self._entries[key].plugin
            raise ConfigError(
                f"{kind.replace('_', ' ')} {name!r} is registered by both {other!r} and {self.plugin!r}; "
                "disable one of them with plugins.disable"
            )
        self._entries[key] = Registration(kind, name, factory, self.plugin)

    def add_source(self, name: str, factory: Callable[..., Any]) -> None:
        """``factory(ctx) -> StorySource``."""
        self._add("source", name, factory)

    def add_media_fallback(self, name: str, factory: Callable[..., Any]) -> None:
        """``factory(ctx) -> MediaFallback``."""
        self._add("media_fallback", name, factory)

    def add_reply_sink(self, name: str, factory: Callable[..., Any]) -> None:
        """``factory(ctx) -> ReplySink``."""
        self._add("reply_sink", name, factory)

    def add_store(self, scheme: str, factory: Callable[..., Any]) -> None:
        """``factory(settings, url) -> Store`` for store URLs of ``scheme`` (``sqlite`` or ``sqlite:///path``).

        A store is built before everything else, so its factory gets the settings, not a context.
        """
        self._add("store", scheme, factory)

    def add_browser(self, name: str, factory: Callable[..., Any]) -> None:
        """``factory(ctx) -> BrowserSession`` (not started: sessions start on first use)."""
        self._add("browser", name, factory)

    def names(self, kind: str) -> list[str]:
        return [name for (k, name) in self._entries if k == kind]

    def get(self, kind: str, name: str) -> Registration:
        try:
            return self._entries[(kind, name)]
        except KeyError:
            known = ", ".join(sorted(self.names(kind))) or "none"
            label = kind.replace("_", " ")
            raise ConfigError(f"unknown {label} {name!r}; known {label}s: {known}") from None

    def __iter__(self) -> Iterator[Registration]:
        return iter(self._entries.values())
