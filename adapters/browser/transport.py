"""``BrowserTransport``: Instagram's web API through an in-page ``fetch`` of any ``BrowserSession``.

The request runs inside a logged-in page of the Instagram origin, so the browser's own cookies,
user agent and TLS fingerprint go with it (SPEC §2 "Browser-context fallback"). Responses are
classified exactly as the HTTP transport's are, and failures emit the same event.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

from storysync.adapters.secrets import SecretScrubber
from storysync.core.errors import InstagramError, Transient
from storysync.core.events import api_failure_event
from storysync.core.instagram import classify
from storysync.core.models import Event
from storysync.core.ports import BrowserSession, Clock

from .scripting import load_script

API_ROOT = "/api/v1/"
FETCH_EXCEPTION_PREFIX = "browser_fetch_exception:"


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


class BrowserTransport:
    """The ``Transport`` port over a ``BrowserSession``; named after the session's engine.

    ``request_timeout`` bounds each in-page request and must stay below the session's script
    timeout (its ``page_timeout``), so a slow answer is a ``Transient``, not a browser failure.
    The session belongs to the caller, who closes it.
    """

    def __init__(
        self,
        session: BrowserSession,
        *,
        base_url: str,
        app_id: str,
        cookies: Sequence[Mapping[str, Any]] | None,
        on_event: Callable[[Event], None] | None = None,
        clock: Clock | None = None,
        request_timeout: float = 10.0,
    ) -> None:
        self.name = session.name
        self._session = session
        self._base_url = base_url.rstrip("/")
        self._app_id = app_id
        self._cookies = list(cookies or ())
        self._cookies_given = False
        self._on_event = on_event
        self._now = clock.now if clock is not None else time.time
        self._request_timeout = request_timeout
        self._scrub = SecretScrubber(str(c.get("value", "")) for c in self._cookies)
        #: Requests sent, by endpoint family.
        self.request_counts: Counter[str] = Counter()

    def get_json(
        self,
        path: str,
        params: Sequence[tuple[str, str]] = (),
        *,
        endpoint: str,
        referer: str,
        username: str | None = None,
    ) -> bytes:
        url = self._base_url + API_ROOT + path + (f"?{urlencode(list(params))}" if params else "")
        return self._request(url, None, endpoint=endpoint, referer=referer, username=username)

    def post_form(
        self,
        path: str,
        form: Mapping[str, str],
        *,
        endpoint: str,
        referer: str,
        username: str | None = None,
    ) -> bytes:
        return self._request(self._base_url + API_ROOT + path, form, endpoint=endpoint, referer=referer, username=username)

    def close(self) -> None:
        """Nothing to release: the session is shared with the media fallbacks and closed by its owner."""

    def _request(
        self, url: str, form: Mapping[str, str] | None, *, endpoint: str, referer: str, username: str | None
    ) -> bytes:
        self._enter_origin()
        request = {
            "method": "GET" if form is None else "POST",
            "form": None if form is None else list(form.items()),
            "appId": self._app_id,
            "referrer": referer,
            "timeoutMs": int(self._request_timeout * 1000),
        }
        self.request_counts[endpoint] += 1
        outcome = self._session.evaluate(load_script("fetch_api.js"), url, request)
        error = self._error_of(outcome)
        if error is None:
            return outcome["body"].encode("utf-8")
        # Name the engine and the in-page outcome, so a failure says which path failed and how.
        error.args = (self._scrub(f"{self.name}: {outcome['reason']}: {error}"),)
        error.snippet = self._scrub(error.snippet)
        error.endpoint = endpoint
        error.attempts_made = 1  # type: ignore[attr-defined]
        if self._on_event is not None:
            self._on_event(self._failure_event(request["method"], url, endpoint, username, error, outcome))
        raise error

    def _enter_origin(self) -> None:
        """Be on a page of the Instagram origin, with the account's cookies, before fetching.

        A same-origin fetch is what carries the session cookies; the cookies go in before the
        first navigation so that page is already a logged-in one.
        """
        if not self._cookies_given:
            if self._cookies:
                self._session.set_cookies(self._cookies, self._base_url + "/")
            self._cookies_given = True
        if _origin(self._session.current_url()) != _origin(self._base_url):
            self._session.navigate(self._base_url + "/")

    def _error_of(self, outcome: Mapping[str, Any]) -> InstagramError | None:
        reason = outcome.get("reason") or ""
        if outcome["status"] == 0 and reason.startswith(FETCH_EXCEPTION_PREFIX):
            return Transient("the in-page request did not complete")
        return classify(
            outcome["status"],
            outcome["contentType"],
            outcome["finalUrl"],
            outcome["body"].encode("utf-8"),
            outcome["headers"],
            truncated=outcome["truncated"],
            now=self._now(),
        )

    def _failure_event(
        self,
        method: str,
        url: str,
        endpoint: str,
        username: str | None,
        error: InstagramError,
        outcome: Mapping[str, Any],
    ) -> Event:
        return api_failure_event(
            error,
            method=method,
            endpoint=endpoint,
            url=urlsplit(url)._replace(scheme="", netloc="").geturl(),
            username=username,
            attempts=1,
            at=self._now(),
            browser_fallback_attempted=True,
            rate_limit_headers=outcome.get("headers") or {},
        )