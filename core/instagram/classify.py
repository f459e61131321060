"""Which error class a response is (SPEC §4), from its status, headers, final URL and body."""

from __future__ import annotations

import email.utils
import math
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit

from ..errors import (
    BadRequest,
    CheckpointRequired,
    FeedbackRequired,
    InstagramError,
    LoginRequired,
    NotFound,
    NotJson,
    RateLimited,
    Transient,
    UserAgentMismatch,
)
from .decoding import decode_body, snippet_of
from .shapes import ERROR_BODY_DECODER, RawErrorBody

_RATE_LIMIT_TEXT = "please wait a few minutes"
_USERAGENT_MISMATCH = (b"useragent mismatch", b"user agent mismatch")
_CHECKPOINT_MESSAGES = frozenset({"checkpoint_required", "challenge_required"})
_LOGGED_OUT_MESSAGES = frozenset({"login_required", "user_has_logged_out"})
# Markers of Instagram's login page when it is served in place of an API answer.
_LOGIN_PAGE_MARKERS = (b'id="loginForm"', b"PolarisLoginPageRoot", b'name="enc_password"')


def parse_retry_after(value: str | None, now: float | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: delta-seconds, or an HTTP date (RFC 9110).

    Never negative; ``None`` when absent or unreadable (the caller then applies its default),
    and for a date when ``now`` is not given.
    """
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        return _seconds_until(text, now) if now is not None else None
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _seconds_until(http_date: str, now: float) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; a form without a zone is not one
        return None
    return max(0.0, when.timestamp() - now)


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if isinstance(key, str) and key.lower() == name:
            return value if isinstance(value, str) else None
    return None


def _path_of(url: str) -> str:
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


def _is_challenge(url: str) -> bool:
    return _path_of(url).startswith("/challenge")


def _is_login(url: str) -> bool:
    return _path_of(url).startswith("/accounts/login")


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _checkpoint_url(fields: RawErrorBody, base: str) -> str | None:
    url = _text(fields.checkpoint_url)
    if not url and isinstance(fields.challenge, dict):
        url = _text(fields.challenge.get("url")) or _text(fields.challenge.get("api_path"))
    return urljoin(base, url) if url and base else (url or None)


def refusal_in_body(
    fields: RawErrorBody,
    body: bytes,
    *,
    status: int,
    message: str,
    final_url: str = "",
    retry_after: float | None = None,
) -> InstagramError | None:
    """The account-level refusal a JSON object states (rows 2-7 of SPEC §4, in order), if any.

    ``message`` becomes the error's message. Status-only rows (401, 404) are included, so the
    caller passes the HTTP status it got.
    """
    kw = {"status": status, "snippet": snippet_of(body)}
    body_message = _text(fields.message)
    lowered = body_message.lower()
    if status == 429 or _RATE_LIMIT_TEXT in lowered:
        long_block = status == 401 and _RATE_LIMIT_TEXT in lowered
        return RateLimited(message, retry_after=retry_after, long_block=long_block, **kw)
    if (
        lowered in _CHECKPOINT_MESSAGES
        or fields.checkpoint_url is not None
        or isinstance(fields.challenge, dict)
    ):
        return CheckpointRequired(message, url=_checkpoint_url(fields, final_url), **kw)
    if lowered in _LOGGED_OUT_MESSAGES or fields.require_login is True or status == 401:
        return LoginRequired(message, **kw)
    lowered_body = body.lower()
    if any(marker in lowered_body for marker in _USERAGENT_MISMATCH):
        return UserAgentMismatch(message, **kw)
    if lowered == "feedback_required" or _text(fields.error_type).lower() == "feedback_required" or fields.spam is True:
        return FeedbackRequired(message, **kw)
    if status == 404 or lowered == "user not found":
        return NotFound(message, **kw)
    return None


def classify(
    status: int,
    content_type: str,
    final_url: str,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    truncated: bool = False,
    now: float | None = None,
) -> InstagramError | None:
    """The error class of one response, or ``None`` for a usable 2xx JSON object (SPEC §4).

    Rows are tried in the SPEC's order. One deliberate exception: HTTP 429 is ``RateLimited``
    even when its body is not JSON (Instagram often sends an HTML or empty 429); classifying it
    ``NotJson`` would let the fallback chain retry through the browser with the same account,
    which is what SPEC §5 forbids for rate limits. ``now`` is needed to read a ``Retry-After``
    HTTP date. ``content_type`` is not trusted: Instagram labels HTML as JSON and vice versa,
    so the body decides.
    """
    snippet = snippet_of(body)
    if status >= 500 or truncated:
        reason = "truncated body" if truncated else f"HTTP {status}"
        return Transient(f"transient: {reason}", status=status, snippet=snippet)

    location = _header(headers, "location") or ""
    if 300 <= status < 400 and location:
        target = urljoin(final_url, location) if final_url else location
        if _is_challenge(target):
            return CheckpointRequired("redirected to a challenge", url=target, status=status, snippet=snippet)
        if _is_login(target):
            return LoginRequired("redirected to the login page", status=status, snippet=snippet)

    retry_after = parse_retry_after(_header(headers, "retry-after"), now)
    try:
        fields = decode_body(ERROR_BODY_DECODER, body, what="response")
    except InstagramError:  # NotJson, or PayloadError for JSON that is not an object
        fields = None
    if fields is None:
        if status == 429:
            return RateLimited("HTTP 429", retry_after=retry_after, status=status, snippet=snippet)
        if _is_challenge(final_url):
            return CheckpointRequired("challenge page instead of JSON", url=final_url, status=status, snippet=snippet)
        if _is_login(final_url) or any(marker in body for marker in _LOGIN_PAGE_MARKERS):
            return LoginRequired("login page instead of JSON", status=status, snippet=snippet)
        return NotJson(f"HTTP {status} body is not a JSON object", status=status, snippet=snippet)

    body_message = _text(fields.message)
    message = f"HTTP {status}: {body_message}" if body_message else f"HTTP {status}"
    refusal = refusal_in_body(fields, body, status=status, message=message, final_url=final_url,
                              retry_after=retry_after)
    if refusal is not None:
        return refusal
    if 200 <= status < 300:
        return None
    return BadRequest(message, status=status, snippet=snippet)

