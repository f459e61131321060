"""The account's browser cookies: loaded from an export, checked, and never shown (SPEC §2).

Two export formats are read: Netscape ``cookies.txt`` (curl, yt-dlp, "Get cookies.txt") and a
JSON cookie list as browser extensions write it (EditThisCookie, Cookie-Editor; Playwright's
``storage_state`` object with a ``cookies`` list is accepted too). Cookie values are secrets:
nothing in this module puts one into an error message or a ``repr``.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storysync.core.errors import SessionError

SESSION_COOKIE = "sessionid"
CSRF_COOKIE = "csrftoken"
NETSCAPE_HTTPONLY_PREFIX = "#HttpOnly_"
# Expiry keys, in the order the common exporters use them (Chrome extensions, Playwright, Firefox).
EXPIRY_KEYS = ("expirationDate", "expires", "expiry")


@dataclass(frozen=True, repr=False)
class SessionCookies:
    """An account's cookies as plain dicts with the keys
    ``name, value, domain, path, expires (Unix seconds or None), secure, httpOnly``.

    ``expires`` is ``None`` for a browser-session cookie. The key names follow the browser
    exports, so the dicts can be handed to a ``BrowserSession.set_cookies`` unchanged.
    """

    cookies: tuple[dict[str, Any], ...]

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]], *, origin: str = "cookies") -> SessionCookies:
        """Normalise already-parsed cookie objects (a JSON export's items, a browser's cookies)."""
        return cls(tuple(_cookie_from_json(record, origin, index) for index, record in enumerate(records)))

    @property
    def sessionid_present(self) -> bool:
        return any(cookie["name"] == SESSION_COOKIE and cookie["value"] for cookie in self.cookies)

    @property
    def csrftoken(self) -> str | None:
        return next((c["value"] for c in self.cookies if c["name"] == CSRF_COOKIE and c["value"]), None)

    def expired(self, now: float) -> bool:
        """Whether every ``sessionid`` cookie has expired by ``now`` (so the session is over)."""
        sessions = [cookie for cookie in self.cookies if cookie["name"] == SESSION_COOKIE]
        return bool(sessions) and all(_has_expired(cookie, now) for cookie in sessions)

    def unexpired(self, now: float) -> SessionCookies:
        """The cookies a browser would still send at ``now``."""
        return SessionCookies(tuple(cookie for cookie in self.cookies if not _has_expired(cookie, now)))

    def for_domain(self, host: str) -> list[dict[str, Any]]:
        """The cookies a browser sends to ``host`` (RFC 6265 domain matching, paths ignored).

        A domain with a leading dot (``.instagram.com``) matches the host and its subdomains; a
        host-only cookie (``www.instagram.com``, or an IP address) matches that host exactly.
        """
        host = host.lower().rstrip(".")
        return [cookie for cookie in self.cookies if _domain_matches(host, cookie["domain"])]

    def secret_values(self) -> frozenset[str]:
        """Every non-empty cookie value, for scrubbing text that may echo one back."""
        return frozenset(cookie["value"] for cookie in self.cookies if cookie["value"])

    def __repr__(self) -> str:
        names = sorted({cookie["name"] for cookie in self.cookies})
        domains = sorted({cookie["domain"] for cookie in self.cookies})
        return f"SessionCookies(names={names!r}, domains={domains!r})"

    __str__ = __repr__


def _has_expired(cookie: Mapping[str, Any], now: float) -> bool:
    expires = cookie.get("expires")
    return expires is not None and expires <= now


def _domain_matches(host: str, domain: str) -> bool:
    domain = domain.lower().rstrip(".")
    if domain.startswith("."):
        bare = domain[1:]
        return host == bare or host.endswith(domain)
    return host == domain


def load_cookies(path: str | os.PathLike[str], *, now: float) -> SessionCookies:
    """Read a cookie export, drop cookies expired at ``now``, and check that a session remains.

    Raises ``SessionError`` naming the file and the problem: missing, unreadable, a format that
    is neither Netscape ``cookies.txt`` nor a JSON cookie list, no ``sessionid``, or every
    ``sessionid`` expired.
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SessionError(f"cookie file not found: {source}") from None
    except IsADirectoryError:
        raise SessionError(f"cookie file is a directory: {source}") from None
    except UnicodeDecodeError:
        raise SessionError(f"cookie file is not UTF-8 text (a browser's binary cookie database?): {source}") from None
    except OSError as error:
        raise SessionError(f"cookie file is unreadable ({error.strerror or type(error).__name__}): {source}") from None

    cookies = parse_cookies(text, origin=str(source))
    if not cookies.sessionid_present:
        raise SessionError(
            f"{source}: no '{SESSION_COOKIE}' cookie; export the cookies of a logged-in instagram.com tab"
        )
    if cookies.expired(now):
        raise SessionError(f"{source}: the '{SESSION_COOKIE}' cookie has expired; log in again and re-export")
    return cookies.unexpired(now)


def parse_cookies(text: str, *, origin: str) -> SessionCookies:
    """Parse the text of a cookie export; ``origin`` names it in errors."""
    stripped = text.lstrip()
    if not stripped:
        raise SessionError(f"{origin}: the cookie file is empty")
    if stripped[0] in "[{":
        return _parse_json(stripped, origin)
    return _parse_netscape(text, origin)


def _parse_json(text: str, origin: str) -> SessionCookies:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SessionError(f"{origin}: wrong format: invalid JSON (line {error.lineno}, column {error.colno})") from None
    if isinstance(data, dict) and isinstance(data.get("cookies"), list):
        data = data["cookies"]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise SessionError(
            f"{origin}: wrong format: JSON, but not a cookie list "
            "(expected a list of objects with name, value, domain, path, expiry)"
        )
    return SessionCookies.from_records(data, origin=origin)


def _cookie_from_json(item: Mapping[str, Any], origin: str, index: int) -> dict[str, Any]:
    name, value = item.get("name"), item.get("value")
    if not isinstance(name, str) or not name or not isinstance(value, str):
        raise SessionError(f"{origin}: wrong format: cookie #{index} lacks a string name and value")
    domain = str(item.get("domain") or "")
    return {
        "name": name,
        "value": value,
        "domain": _with_subdomains(domain) if item.get("hostOnly") is False else domain,
        "path": str(item.get("path") or "/"),
        "expires": _json_expiry(item),
        "secure": bool(item.get("secure", False)),
        "httpOnly": bool(item.get("httpOnly", False)),
    }


def _with_subdomains(domain: str) -> str:
    """The leading-dot form that RFC 6265 matching (``for_domain``) reads as "and its subdomains"."""
    return domain if not domain or domain.startswith(".") else f".{domain}"


def _json_expiry(item: Mapping[str, Any]) -> float | None:
    if item.get("session") is True:
        return None
    for key in EXPIRY_KEYS:
        value = item.get(key)
        # Playwright writes -1 and some exporters 0 for "until the browser closes".
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value)
    return None


def _parse_netscape(text: str, origin: str) -> SessionCookies:
    cookies: list[dict[str, Any]] = []
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        http_only = line.startswith(NETSCAPE_HTTPONLY_PREFIX)
        if http_only:
            line = line[len(NETSCAPE_HTTPONLY_PREFIX):]
        elif not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) == 6:
            # An empty value loses its trailing tab in some exports.
            fields.append("")
        if len(fields) != 7:
            raise SessionError(
                f"{origin}: wrong format: line {number} is not a Netscape cookies.txt entry "
                "(7 tab-separated fields) and the file is not a JSON cookie list"
            )
        domain, include_subdomains, path, secure, expires, name, value = fields
        try:
            expiry = float(expires)
        except ValueError:
            raise SessionError(f"{origin}: wrong format: line {number} has a non-numeric expiry") from None
        cookies.append(
            {
                "name": name,
                "value": value,
                "domain": _with_subdomains(domain) if include_subdomains.upper() == "TRUE" else domain,
                "path": path or "/",
                "expires": expiry if expiry > 0 else None,
                "secure": secure.upper() == "TRUE",
                "httpOnly": http_only,
            }
        )
    if not cookies:
        raise SessionError(f"{origin}: wrong format: no cookies found (expected Netscape cookies.txt or a JSON list)")
    return SessionCookies(tuple(cookies))


def save_private_copy(cookies: SessionCookies, path: str | os.PathLike[str]) -> None:
    """Write ``cookies`` as a JSON list to ``path``, readable by the owner only (mode 0600).

    The file is created 0600 from the start (never chmod-ed after the fact, which would leave a
    window where others can read it), written in full, fsynced and renamed into place, so a
    crash leaves either the old copy or the new one.
    """
    target = Path(path)
    payload = json.dumps(list(cookies.cookies), indent=1).encode("utf-8")
    directory = target.parent
    directory.mkdir(parents=True, exist_ok=True)
    temp_name = os.path.join(directory, f".{target.name}.{secrets.token_hex(8)}.tmp")
    descriptor = os.open(temp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        _remove_quietly(temp_name)
        raise
    _fsync_directory(directory)


def _remove_quietly(name: str) -> None:
    try:
        os.unlink(name)
    except FileNotFoundError:
        pass


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
