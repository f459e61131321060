"""The structured failure event of SPEC §4, the same for every transport."""

from __future__ import annotations

from collections.abc import Mapping

from .errors import InstagramError, RateLimited, UserAgentMismatch
from .models import Event

GET_FAILURE_EVENT = "instagram.api_get_json.failure"
POST_FAILURE_EVENT = "instagram.api_post_form.failure"


def api_failure_event(
    error: InstagramError,
    *,
    method: str,
    endpoint: str,
    url: str,
    username: str | None,
    attempts: int,
    at: float,
    browser_fallback_attempted: bool,
    rate_limit_headers: Mapping[str, str],
) -> Event:
    """One failed request, after its retries. ``url`` and the error's snippet must be free of secrets."""
    rate_limited = isinstance(error, RateLimited)
    return Event(
        kind=GET_FAILURE_EVENT if method == "GET" else POST_FAILURE_EVENT,
        at=at,
        fields={
            "endpoint": endpoint,
            "url": url,
            "status": error.status,
            "username": username,
            "reason": str(error.reason),
            "error_class": error.error_class,
            "attempts": attempts,
            "rate_limited": rate_limited,
            "retry_after_seconds": error.retry_after if rate_limited else None,
            "browser_fallback_attempted": browser_fallback_attempted,
            "useragent_mismatch": isinstance(error, UserAgentMismatch),
            "rate_limit_headers": dict(rate_limit_headers),
            "response_snippet": error.snippet,
        },
    )
