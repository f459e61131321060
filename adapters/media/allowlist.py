"""Which hosts media may come from: patterns such as ``*.cdninstagram.com``, ``cdn.local``, ``127.0.0.1:8123``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from storysync.core.errors import ConfigError


class HostPattern(NamedTuple):
    host: str
    #: ``*.example.com`` matches every subdomain of ``example.com`` but not ``example.com`` itself.
    any_subdomain: bool
    #: ``None`` matches any port.
    port: int | None

    def matches(self, host: str, port: int) -> bool:
        if self.port is not None and self.port != port:
            return False
        if self.any_subdomain:
            return host.endswith("." + self.host)
        return host == self.host


class HostAllowList:
    """A set of host patterns; hosts compare case-insensitively and without a trailing dot."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(parse_host_pattern(pattern) for pattern in patterns)

    def allows(self, host: str, port: int) -> bool:
        host = normalise_host(host)
        return any(pattern.matches(host, port) for pattern in self.patterns)


def parse_host_pattern(pattern: str) -> HostPattern:
    text = pattern.strip()
    port: str | None = None
    if text.startswith("["):  # a bracketed IPv6 literal, optionally with a port
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else None
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host = text
    any_subdomain = host.startswith("*.")
    host = normalise_host(host.removeprefix("*."))
    if not host or "*" in host or (port is not None and not port.isdigit()):
        raise ConfigError(f"media host pattern {pattern!r}: expected 'host', 'host:port' or '*.domain'")
    return HostPattern(host, any_subdomain, int(port) if port is not None else None)


def normalise_host(host: str) -> str:
    return host.lower().rstrip(".")
