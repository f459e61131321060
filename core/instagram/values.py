"""Normalisers for the scalar values Instagram sends in more than one form.

Each returns ``None`` for a value it cannot make sense of, so callers decide whether absence
is an error (story ids) or just unknown (a profile picture URL).
"""

from __future__ import annotations

import html
import math
import re
from urllib.parse import parse_qs, urlsplit

_USERNAME = re.compile(r"[a-z0-9._]{1,30}")
_MILLISECONDS_ABOVE = 10**12
_LINK_SHIM_HOSTS = frozenset({"l.instagram.com", "lm.instagram.com"})
# The shape of nearly every CDN URL: decided without urlsplit, the costliest step of decoding a reel.
_PLAIN_HTTP_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#]|$)", re.IGNORECASE)


def as_id(value: object) -> str | None:
    """An Instagram id (int or string of digits) as a string of ASCII digits, else ``None``."""
    if isinstance(value, bool):  # bool is an int subclass; ``true`` is never an id
        return None
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    if isinstance(value, str):
        text = value.strip()
        return text if text.isascii() and text.isdigit() else None
    return None


def first_id(*values: object) -> str | None:
    """The first of ``values`` that is a valid id."""
    for value in values:
        found = as_id(value)
        if found is not None:
            return found
    return None


def normalize_story_id(value: object) -> str | None:
    """A story id from ``123``, ``"123"`` or a media id ``"123_456"`` (the part before ``_``)."""
    if isinstance(value, str):
        return as_id(value.split("_", 1)[0])
    return as_id(value)


def normalize_username(value: object) -> str | None:
    """``value`` as Instagram spells usernames (``[a-z0-9._]``, at most 30), else ``None``.

    Surrounding whitespace and one leading ``@`` are dropped and case is folded, since people
    and pages write ``@Name``; anything else outside the charset means it is not a username.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith("@"):
        text = text[1:]
    text = text.lower()
    return text if _USERNAME.fullmatch(text) else None


def as_int(value: object) -> int | None:
    """A finite number as an int (floats truncated), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    return None


def as_timestamp(value: object) -> int | None:
    """Unix seconds; values above 10**12 are milliseconds (SPEC §3) and are converted."""
    seconds = as_int(value)
    if seconds is None or seconds < 0:
        return None
    return seconds // 1000 if seconds > _MILLISECONDS_ABOVE else seconds


def clean_url(value: object) -> str | None:
    """An absolute http(s) URL with HTML entities (``&amp;``) decoded, else ``None``.

    Payloads embedded in pages arrive HTML-escaped; relative, ``data:``, ``javascript:`` and
    other schemes are never media or links we may follow.
    """
    if not isinstance(value, str):
        return None
    # html.unescape tries every "&name" of a query string as an entity, which is slow on CDN
    # URLs full of "&_nc_ht=": only a ";" can end an entity in these payloads.
    url = (html.unescape(value) if ";" in value else value).strip()
    if _PLAIN_HTTP_URL.match(url):
        return url
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def unwrap_link_shim(url: str) -> str:
    """The destination of Instagram's ``l.instagram.com/?u=<url>`` redirect, else ``url`` itself."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if (parts.hostname or "").lower() not in _LINK_SHIM_HOSTS:
        return url
    destinations = parse_qs(parts.query).get("u")
    return destinations[0] if destinations and destinations[0] else url


def text_or_none(value: object) -> str | None:
    """A non-blank string stripped, else ``None``."""
    if isinstance(value, str):
        text = value.strip()
        return text or None
    return None
