"""``HttpxTransport``: one classified, paced, retried request to Instagram's web API (SPEC §2, §4, §5).

Every response goes through ``storysync.core.instagram.classify``; every httpx exception is
mapped onto ``storysync.core.errors`` here, so nothing above this module sees httpx.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from http.cookiejar import Cookie, CookieJar, DefaultCookiePolicy
from typing import Protocol
from urllib.parse import urlsplit

import httpx
import stamina
from storysync.adapters.secrets import SecretScrubber
from storysync.adapters.session import SessionCookies
from storysync.core.errors import (
    InstagramError,
    LocalRateLimitPause,
    RateLimited,
    SessionError,
    Transient,
)
from storysync.core.events import api_failure_event
from storysync.core.instagram import classify
from storysync.core.models import Event
from storysync.core.ports import Clock

API_ROOT = "/api/v1/"
ACCEPT = "application/json, text/plain, */*"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=UTF-8"
SET_WWW_CLAIM_HEADER = "x-ig-set-www-claim"
RATE_LIMIT_HEADER_PREFIXES = ("x-ratelimit-", "x-ig-ratelimit-")
# Failures that happen before any byte of the request reaches the server.
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class RateLimitLedger(Protocol):
    """Cooldowns and recent request times per account and endpoint family (the store's ledger)."""

    def cooldown_until(self, account: str, family: str) -> float | None: ...
    def set_cooldown(self, account: str, family: str, until: float, reason: str) -> None: ...
    def record_request(self, account: str, family: str, at: float) -> None: ...
    def recent_requests(self, account: str, family: str, since: float) -> int: ...


@dataclass
class _CallRecord:
    """What one logical request (all its attempts) saw, for the failure event."""

    attempts: int = 0
    #: Whether sending again cannot repeat an effect: a GET, or a POST that never left this host.
    replayable: bool = True
    url: str = ""
    rate_limit_headers: dict[str, str] = field(default_factory=dict)


class HttpxTransport:
    """The ``Transport`` port over one ``httpx.Client`` (one connection pool per run)."""

    name = "http"

    def __init__(
        self,
        *,
        base_url: str,
        cookies: SessionCookies,
        app_id: str,
        user_agent: str,
        clock: Clock,
        ledger: RateLimitLedger | None,
        account: str,
        on_event: Callable[[Event], None],
        timeout: float = 20.0,
        retry_attempts: int = 3,
        retry_total_seconds: float = 120,
        backoff_initial: float = 1.0,
        backoff_max: float = 30.0,
        retry_after_cap: float = 900.0,
        rate_limit_default: float = 600.0,
        long_block: float = 3600.0,
        min_gap: float = 1.0,
        window_seconds: float = 660,
        window_budget: int = 200,
        max_pacing_wait: float = 60.0,
        http2: bool = True,
        jitter: random.Random | None = None,
        httpx_transport: httpx.BaseTransport | None = None,
    ) -> None:
        """``httpx_transport`` replaces the connection pool (tests pass ``httpx.MockTransport``)."""
        origin = urlsplit(base_url)
        host = origin.hostname or ""
        site_cookies = SessionCookies(tuple(cookies.for_domain(host)))
        if not site_cookies.sessionid_present:
            raise SessionError(
                f"the cookies hold no 'sessionid' for {host}; export them from a logged-in browser on that site"
            )
        self._api_root = base_url.rstrip("/") + API_ROOT
        self._clock = clock
        self._ledger = ledger
        self._account = account
        self._on_event = on_event
        self._retry_attempts = retry_attempts
        self._retry_total_seconds = retry_total_seconds
        self._backoff_initial = backoff_initial
        self._backoff_max = backoff_max
        self._retry_after_cap = retry_after_cap
        self._rate_limit_default = rate_limit_default
        self._long_block = long_block
        self._min_gap = min_gap
        self._window_seconds = window_seconds
        self._window_budget = window_budget
        self._max_pacing_wait = max_pacing_wait
        self._jitter = jitter or random.Random()
        self._last_request_at: dict[str, float] = {}
        self._www_claim = "0"
        self._scrub = SecretScrubber(cookies.secret_values())
        #: Requests actually sent (every attempt), by endpoint family.
        self.request_counts: Counter[str] = Counter()
        self._client = httpx.Client(
            headers=self._session_headers(site_cookies, app_id, user_agent),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            http2=http2 and origin.scheme == "https",
            transport=httpx_transport,
            # The session is the exported jar, sent as one explicit header restricted to the
            # Instagram host; cookies set by responses are not adopted, so requests stay predictable.
            cookies=httpx.Cookies(CookieJar(policy=_RefuseResponseCookies())),
        )

    @staticmethod
    def _session_headers(site_cookies: SessionCookies, app_id: str, user_agent: str) -> dict[str, str]:
        headers = {
            "User-Agent": user_agent,
            "Accept": ACCEPT,
            "X-Requested-With": "XMLHttpRequest",
            "X-IG-App-ID": app_id,
            "Cookie": "; ".join(f"{cookie['name']}={cookie['value']}" for cookie in site_cookies.cookies),
        }
        if site_cookies.csrftoken:
            headers["X-CSRFToken"] = site_cookies.csrftoken
        return headers

    def get_json(
        self,
        path: str,
        params: Sequence[tuple[str, str]] = (),
        *,
        endpoint: str,
        referer: str,
        username: str | None = None,
    ) -> bytes:
        return self._request("GET", path, endpoint=endpoint, referer=referer, username=username, params=params)

    def post_form(
        self,
        path: str,
        form: Mapping[str, str],
        *,
        endpoint: str,
        referer: str,
        username: str | None = None,
    ) -> bytes:
        return self._request("POST", path, endpoint=endpoint, referer=referer, username=username, form=form)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpxTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _request(
        self,
        method: str,
        path: str,
        *,
        endpoint: str,
        referer: str,
        username: str | None,
        params: Sequence[tuple[str, str]] = (),
        form: Mapping[str, str] | None = None,
    ) -> bytes:
        record = _CallRecord()
        try:
            for attempt in stamina.retry_context(
                on=partial(self._retry_wait, record=record),
                attempts=self._retry_attempts,
                timeout=self._retry_total_seconds,
                wait_initial=self._backoff_initial,
                wait_max=self._backoff_max,
            ):
                with attempt:
                    self._pace(endpoint)
                    record.attempts += 1
                    body = self._send_once(method, path, endpoint, referer, params, form, record)
        except InstagramError as error:
            error.endpoint = endpoint
            error.attempts_made = record.attempts  # type: ignore[attr-defined]
            if isinstance(error, RateLimited):
                self._start_cooldown(endpoint, error)
            self._on_event(self._failure_event(method, endpoint, username, error, record))
            raise
        return body

    def _retry_wait(self, error: Exception, *, record: _CallRecord) -> bool | float:
        """stamina's ``on=`` hook: the Retry-After wait for a rate limit, True to back off, False to stop.

        A rate limit is a refusal, so even a POST is safe to repeat. Other transient failures of a
        POST that may have reached Instagram are not retried: a reply sent twice cannot be unsent
        (SPEC §6: an unknown outcome is checked, never re-sent blindly).
        """
        if isinstance(error, RateLimited):
            if error.long_block:
                return False
            if error.retry_after is None:
                return True
            # Beyond the cap the account should rest, not this call: stop and leave a cooldown.
            return error.retry_after if error.retry_after <= self._retry_after_cap else False
        return isinstance(error, Transient) and record.replayable

    def _pace(self, family: str) -> None:
        """Honour the ledger's cooldown, the minimum gap and the sliding-window budget."""
        now = self._clock.now()
        if self._ledger is not None:
            until = self._ledger.cooldown_until(self._account, family)
            if until is not None and until > now:
                raise LocalRateLimitPause(family, until)
        wait = max(self._gap_wait(family, now), self._window_wait(family, now))
        if wait > self._max_pacing_wait:
            raise LocalRateLimitPause(family, now + wait)
        if wait > 0:
            self._clock.sleep(wait)

    def _gap_wait(self, family: str, now: float) -> float:
        last = self._last_request_at.get(family)
        if last is None or self._min_gap <= 0:
            return 0.0
        # Jitter keeps a steady stream of requests from looking machine-timed.
        gap = self._min_gap + self._jitter.uniform(0, self._min_gap / 2)
        return max(0.0, last + gap - now)

    def _window_wait(self, family: str, now: float) -> float:
        """How long until the family's request count in the sliding window drops below the budget."""
        if self._ledger is None:
            return 0.0

        def over_budget(delay: float) -> bool:
            since = now + delay - self._window_seconds
            return self._ledger.recent_requests(self._account, family, since) >= self._window_budget

        if not over_budget(0.0):
            return 0.0
        # The ledger answers counts, not timestamps: bisect for when the oldest requests age out.
        low, high = 0.0, float(self._window_seconds)
        while high - low > 1.0:
            middle = (low + high) / 2
            if over_budget(middle):
                low = middle
            else:
                high = middle
        return high

    def _send_once(
        self,
        method: str,
        path: str,
        endpoint: str,
        referer: str,
        params: Sequence[tuple[str, str]],
        form: Mapping[str, str] | None,
        record: _CallRecord,
    ) -> bytes:
        headers = {"Referer": referer, "X-IG-WWW-Claim": self._www_claim}
        if form is not None:
            headers["Content-Type"] = FORM_CONTENT_TYPE
        request = self._client.build_request(method, self._api_root + path, params=list(params), data=form, headers=headers)
        record.url = request.url.raw_path.decode("ascii")
        record.rate_limit_headers = {}
        record.replayable = method == "GET"
        self._note_request(endpoint)
        try:
            response = self._client.send(request, stream=True)
        except httpx.HTTPError as error:
            if isinstance(error, NOT_SENT_ERRORS):
                record.replayable = True
            raise Transient(self._scrub(f"network error: {type(error).__name__}: {error}")) from None
        try:
            body, truncated = _read_body(response)
        finally:
            response.close()

        claim = response.headers.get(SET_WWW_CLAIM_HEADER)
        if claim:
            self._www_claim = claim
        record.rate_limit_headers = _rate_limit_headers(response.headers)

        error = classify(
            response.status_code,
            response.headers.get("content-type", ""),
            # Redirects are not followed: classify reads their Location itself.
            str(response.url),
            body,
            response.headers,
            truncated=truncated,
            now=self._clock.now(),
        )
        if error is None:
            return body
        raise self._scrubbed(error)

    def _note_request(self, family: str) -> None:
        now = self._clock.now()
        self._last_request_at[family] = now
        self.request_counts[family] += 1
        if self._ledger is not None:
            self._ledger.record_request(self._account, family, now)

    def _start_cooldown(self, family: str, error: RateLimited) -> None:
        if self._ledger is None:
            return
        if error.long_block:
            seconds, reason = self._long_block, "rate_limited_long_block"
        else:
            seconds = error.retry_after if error.retry_after is not None else self._rate_limit_default
            reason = "rate_limited"
        self._ledger.set_cooldown(self._account, family, self._clock.now() + seconds, reason)

    def _scrubbed(self, error: InstagramError) -> InstagramError:
        """``error`` with its message and snippet scrubbed, before anything (stamina's log) sees it."""
        error.args = tuple(self._scrub(arg) if isinstance(arg, str) else arg for arg in error.args)
        error.snippet = self._scrub(error.snippet)
        return error

    def _failure_event(
        self, method: str, endpoint: str, username: str | None, error: InstagramError, record: _CallRecord
    ) -> Event:
        return api_failure_event(
            error,
            method=method,
            endpoint=endpoint,
            url=record.url,
            username=username,
            attempts=record.attempts,
            at=self._clock.now(),
            browser_fallback_attempted=False,
            rate_limit_headers=record.rate_limit_headers,
        )


class _RefuseResponseCookies(DefaultCookiePolicy):
    def set_ok(self, cookie: Cookie, request: object) -> bool:
        return False


def _read_body(response: httpx.Response) -> tuple[bytes, bool]:
    """The body and whether it was cut short (connection dropped, timed out or garbled mid-transfer)."""
    chunks: list[bytes] = []
    try:
        for chunk in response.iter_bytes():
            chunks.append(chunk)
    except httpx.HTTPError:
        return b"".join(chunks), True
    return b"".join(chunks), False


def _rate_limit_headers(headers: httpx.Headers) -> dict[str, str]:
    return {
        name: value
        for name, value in ((name.lower(), value) for name, value in headers.items())
        if name == "retry-after" or name.startswith(RATE_LIMIT_HEADER_PREFIXES)
    }
