"""HttpxTransport over ``httpx.MockTransport``: headers, classification, retries, pacing, events, secrets."""

from __future__ import annotations

import json
import logging
import random

import httpx
import pytest
import stamina
from memory_ledger import MemoryLedger

from storysync.adapters.http.transport import HttpxTransport
from storysync.adapters.session import SessionCookies
from storysync.core.errors import (
    CheckpointRequired,
    LocalRateLimitPause,
    LoginRequired,
    NotFound,
    NotJson,
    RateLimited,
    SessionError,
    Transient,
)

NOW = 1_787_140_800.0
BASE = "https://www.instagram.com"
SESSION_VALUE = "4242%3ASeSsIoNsEcReT%3A27"
CSRF_VALUE = "csrfSECRETtoken0123456789"
MID_VALUE = "Zq-midcookie-value"
FOREIGN_VALUE = "not-for-instagram"
SECRETS = (SESSION_VALUE, CSRF_VALUE, MID_VALUE)
APP_ID = "936619743392459"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) TestChrome/156"
OK_BODY = b'{"status": "ok"}'


class FakeClock:
    def __init__(self, start: float = NOW) -> None:
        self.current = start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.current += seconds


COOKIES = SessionCookies.from_records(
    [
        {"name": "sessionid", "value": SESSION_VALUE, "domain": ".instagram.com"},
        {"name": "csrftoken", "value": CSRF_VALUE, "domain": ".instagram.com"},
        {"name": "mid", "value": MID_VALUE, "domain": "www.instagram.com"},
        {"name": "ig_nrcb", "value": "1", "domain": ".instagram.com"},
        {"name": "elsewhere", "value": FOREIGN_VALUE, "domain": ".example.org"},
    ]
)


@pytest.fixture(autouse=True)
def no_backoff_sleeps():
    """stamina waits nothing in tests but keeps each transport's own attempt count."""
    with stamina.set_testing(True, attempts=100, cap=True):
        yield


class Scripted:
    """An httpx handler that answers from a list (the last answer repeats) and keeps the requests."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer() if callable(answer) else answer


def json_response(status: int = 200, body: object | bytes = OK_BODY, **headers: str) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers={"content-type": "application/json; charset=utf-8", **headers})


def make_transport(handler, *, clock=None, ledger=None, events=None, **options) -> HttpxTransport:
    options.setdefault("min_gap", 0.0)
    return HttpxTransport(
        base_url=BASE,
        cookies=COOKIES,
        app_id=APP_ID,
        user_agent=USER_AGENT,
        clock=clock or FakeClock(),
        ledger=ledger,
        account="tester",
        on_event=(events.append if events is not None else lambda event: None),
        jitter=random.Random(7),
        httpx_transport=httpx.MockTransport(handler),
        **options,
    )


def get_tray(transport: HttpxTransport) -> bytes:
    return transport.get_json("feed/reels_tray/", endpoint="feed/reels_tray", referer=f"{BASE}/")


def test_every_spec_header_is_sent_and_the_www_claim_is_adopted():
    handler = Scripted(json_response(**{"x-ig-set-www-claim": "hmac.AR-claim-1"}))
    transport = make_transport(handler)

    assert get_tray(transport) == OK_BODY
    get_tray(transport)

    first, second = handler.requests
    assert first.url == f"{BASE}/api/v1/feed/reels_tray/"
    assert first.headers["User-Agent"] == USER_AGENT
    assert first.headers["Accept"] == "application/json, text/plain, */*"
    assert first.headers["X-Requested-With"] == "XMLHttpRequest"
    assert first.headers["X-IG-App-ID"] == APP_ID
    assert first.headers["Referer"] == f"{BASE}/"
    assert first.headers["X-CSRFToken"] == CSRF_VALUE
    assert first.headers["X-IG-WWW-Claim"] == "0"
    assert second.headers["X-IG-WWW-Claim"] == "hmac.AR-claim-1"
    sent_cookies = dict(part.split("=", 1) for part in first.headers["Cookie"].split("; "))
    assert sent_cookies == {"sessionid": SESSION_VALUE, "csrftoken": CSRF_VALUE, "mid": MID_VALUE, "ig_nrcb": "1"}
    assert "content-type" not in first.headers


def test_response_cookies_are_not_adopted():
    handler = Scripted(json_response(**{"set-cookie": "sessionid=from-server; Domain=.instagram.com; Path=/"}))
    transport = make_transport(handler)

    get_tray(transport)
    get_tray(transport)

    assert f"sessionid={SESSION_VALUE}" in handler.requests[1].headers["Cookie"]
    assert "from-server" not in handler.requests[1].headers["Cookie"]


def test_post_sends_the_form_with_its_content_type():
    handler = Scripted(json_response())
    transport = make_transport(handler)

    transport.post_form(
        "direct_v2/create_group_thread/",
        {"recipient_users": '["123"]'},
        endpoint="direct_v2/create_group_thread",
        referer=f"{BASE}/direct/new/",
    )

    request = handler.requests[0]
    assert request.method == "POST"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=UTF-8"
    assert request.headers["X-CSRFToken"] == CSRF_VALUE
    assert request.content == b"recipient_users=%5B%22123%22%5D"


def test_query_parameters_repeat_in_order():
    handler = Scripted(json_response())
    transport = make_transport(handler)

    transport.get_json(
        "feed/reels_media/", [("reel_ids", "1"), ("reel_ids", "2")], endpoint="feed/reels_media", referer=BASE
    )

    assert handler.requests[0].url.query == b"reel_ids=1&reel_ids=2"


@pytest.mark.parametrize(
    "records",
    [
        [{"name": "csrftoken", "value": CSRF_VALUE, "domain": ".instagram.com"}],
        [{"name": "sessionid", "value": SESSION_VALUE, "domain": "127.0.0.1"}],
    ],
    ids=["no-sessionid", "sessionid-for-another-host"],
)
def test_a_session_without_sessionid_for_the_site_is_refused_before_any_request(records):
    with pytest.raises(SessionError, match="sessionid") as raised:
        HttpxTransport(
            base_url=BASE, cookies=SessionCookies.from_records(records), app_id=APP_ID, user_agent=USER_AGENT,
            clock=FakeClock(), ledger=None, account="tester", on_event=lambda event: None,
        )
    assert SESSION_VALUE not in str(raised.value)


@pytest.mark.parametrize(
    ("location", "error_class"),
    [
        ("/accounts/login/?next=/api/v1/feed/reels_tray/", LoginRequired),
        (f"{BASE}/challenge/AbCd/?next=/", CheckpointRequired),
    ],
)
def test_redirects_are_classified_not_followed(location, error_class):
    handler = Scripted(httpx.Response(302, headers={"location": location}))
    transport = make_transport(handler)

    with pytest.raises(error_class) as raised:
        get_tray(transport)

    assert len(handler.requests) == 1
    assert raised.value.attempts_made == 1
    assert raised.value.endpoint == "feed/reels_tray"


def test_5xx_is_retried_until_success():
    handler = Scripted(json_response(500, b"oops"), json_response(502, b"bad gateway"), json_response())
    transport = make_transport(handler)

    assert get_tray(transport) == OK_BODY
    assert transport.request_counts["feed/reels_tray"] == 3


def test_5xx_gives_up_after_the_configured_attempts():
    handler = Scripted(json_response(503, b"unavailable"))
    events: list = []
    transport = make_transport(handler, events=events, retry_attempts=2)

    with pytest.raises(Transient) as raised:
        get_tray(transport)

    assert raised.value.attempts_made == 2 and len(handler.requests) == 2
    assert [event.fields["attempts"] for event in events] == [2]


def test_429_with_retry_after_is_retried_and_leaves_no_cooldown_on_success():
    ledger = MemoryLedger()
    handler = Scripted(json_response(429, {"status": "fail", "message": "rate limited"}, **{"retry-after": "7"}), json_response())
    transport = make_transport(handler, ledger=ledger)

    assert get_tray(transport) == OK_BODY
    assert len(handler.requests) == 2
    assert ledger.cooldowns == {}


def test_retry_after_is_the_wait_stamina_uses():
    """Outside test mode the hook's float is the wait (not the 30 s backoff): one real 1 s sleep."""
    scheduled: list[float] = []
    handler = Scripted(json_response(429, {"status": "fail"}, **{"retry-after": "1"}), json_response())
    transport = make_transport(handler, backoff_initial=30.0, backoff_max=30.0)

    with stamina.set_testing(False):
        stamina.instrumentation.set_on_retry_hooks([lambda details: scheduled.append(details.wait_for)])
        try:
            assert get_tray(transport) == OK_BODY
        finally:
            stamina.instrumentation.set_on_retry_hooks(None)

    assert scheduled == [1.0]


def test_retry_after_beyond_the_cap_stops_at_once_and_sets_a_cooldown():
    ledger = MemoryLedger()
    clock = FakeClock()
    handler = Scripted(json_response(429, {"status": "fail"}, **{"retry-after": "3600"}))
    transport = make_transport(handler, ledger=ledger, clock=clock, retry_after_cap=900.0)

    with pytest.raises(RateLimited) as raised:
        get_tray(transport)

    assert len(handler.requests) == 1 and raised.value.attempts_made == 1
    until, reason = ledger.cooldowns[("tester", "feed/reels_tray")]
    assert until == NOW + 3600 and reason == "rate_limited"


def test_a_cooldown_is_honoured_by_a_second_transport_sharing_the_ledger():
    ledger = MemoryLedger()
    first = make_transport(Scripted(json_response(429, {"status": "fail"}, **{"retry-after": "5000"})), ledger=ledger)
    with pytest.raises(RateLimited):
        get_tray(first)

    untouched = Scripted(json_response())
    second = make_transport(untouched, ledger=ledger)
    with pytest.raises(LocalRateLimitPause) as raised:
        get_tray(second)

    assert untouched.requests == []
    assert raised.value.endpoint_family == "feed/reels_tray" and raised.value.until == NOW + 5000
    assert second.get_json("direct_v2/inbox/", endpoint="direct_v2/inbox", referer=BASE) == OK_BODY


def test_429_without_retry_after_exhausts_attempts_then_cools_down_for_the_default():
    ledger = MemoryLedger()
    handler = Scripted(json_response(429, {"status": "fail"}))
    transport = make_transport(handler, ledger=ledger, rate_limit_default=600.0)

    with pytest.raises(RateLimited):
        get_tray(transport)

    assert len(handler.requests) == 3
    assert ledger.cooldown_until("tester", "feed/reels_tray") == NOW + 600.0


def test_401_please_wait_is_a_long_block_without_retries():
    ledger = MemoryLedger()
    body = {"message": "Please wait a few minutes before you try again.", "require_login": False, "status": "fail"}
    handler = Scripted(json_response(401, body))
    transport = make_transport(handler, ledger=ledger, long_block=3600.0)

    with pytest.raises(RateLimited) as raised:
        get_tray(transport)

    assert raised.value.long_block and len(handler.requests) == 1
    assert ledger.cooldowns[("tester", "feed/reels_tray")] == (NOW + 3600.0, "rate_limited_long_block")


class CutShort(httpx.SyncByteStream):
    def __iter__(self):
        yield b'{"reels": {"1": {"items": ['
        raise httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def cut_short_response() -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "application/json"}, stream=CutShort())


def test_a_body_cut_short_is_transient_and_retried():
    handler = Scripted(cut_short_response, json_response())
    transport = make_transport(handler)

    assert get_tray(transport) == OK_BODY
    assert len(handler.requests) == 2


def test_a_body_always_cut_short_ends_transient():
    handler = Scripted(cut_short_response)
    with pytest.raises(Transient, match="truncated"):
        get_tray(make_transport(handler))
    assert len(handler.requests) == 3


def test_a_connection_reset_is_transient():
    events: list = []
    handler = Scripted(httpx.ReadError("[Errno 104] Connection reset by peer"))
    transport = make_transport(handler, events=events)

    with pytest.raises(Transient) as raised:
        get_tray(transport)

    assert not isinstance(raised.value, httpx.HTTPError)
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert len(handler.requests) == 3
    assert events[0].fields["status"] is None and events[0].fields["error_class"] == "Transient"


def test_a_timeout_is_transient():
    handler = Scripted(httpx.ReadTimeout("timed out"), json_response())
    assert get_tray(make_transport(handler)) == OK_BODY


def test_html_is_not_json_and_is_not_retried():
    handler = Scripted(httpx.Response(200, content=b"<html><body>Something</body></html>", headers={"content-type": "text/html"}))
    with pytest.raises(NotJson):
        get_tray(make_transport(handler))
    assert len(handler.requests) == 1


LOGIN_PAGE = b"""<!DOCTYPE html><html lang="en"><head><title>Login \xe2\x80\xa2 Instagram</title></head>
<body><form id="loginForm" method="post" action="/accounts/login/ajax/">
<input name="username" type="text"><input name="password" type="password"><button type="submit">Log in</button>
</form></body></html>"""


def test_the_login_page_is_login_required():
    handler = Scripted(httpx.Response(200, content=LOGIN_PAGE, headers={"content-type": 'text/html; charset="utf-8"'}))
    with pytest.raises(LoginRequired):
        get_tray(make_transport(handler))


EVENT_FIELDS = {
    "endpoint", "url", "status", "username", "reason", "error_class", "attempts", "rate_limited",
    "retry_after_seconds", "browser_fallback_attempted", "useragent_mismatch", "rate_limit_headers",
    "response_snippet",
}


def test_the_failure_event_is_complete_and_free_of_secrets(caplog):
    caplog.set_level(logging.DEBUG)
    echo = {
        "message": f"Please wait a few minutes; debug sessionid={SESSION_VALUE} csrftoken={CSRF_VALUE} mid {MID_VALUE}",
        "status": "fail",
    }
    handler = Scripted(
        json_response(500, json.dumps(echo).encode()),
        json_response(429, echo, **{"retry-after": "4000", "x-ratelimit-remaining": "0", "x-fb-debug": "abc"}),
    )
    events: list = []
    transport = make_transport(handler, events=events, ledger=MemoryLedger())

    with pytest.raises(RateLimited) as raised:
        transport.get_json(
            "users/web_profile_info/", [("username", "marisol")], endpoint="users/web_profile_info",
            referer=f"{BASE}/marisol/", username="marisol",
        )

    (event,) = events
    assert event.kind == "instagram.api_get_json.failure" and event.at == NOW
    assert set(event.fields) == EVENT_FIELDS
    fields = event.fields
    assert fields["endpoint"] == "users/web_profile_info"
    assert fields["url"] == "/api/v1/users/web_profile_info/?username=marisol"
    assert fields["status"] == 429 and fields["username"] == "marisol"
    assert fields["reason"] == "rate_limited" and fields["error_class"] == "RateLimited"
    assert fields["attempts"] == 2 and fields["rate_limited"] is True
    assert fields["retry_after_seconds"] == 4000
    assert fields["browser_fallback_attempted"] is False and fields["useragent_mismatch"] is False
    assert fields["rate_limit_headers"] == {"retry-after": "4000", "x-ratelimit-remaining": "0"}
    assert "Please wait" in fields["response_snippet"] and len(fields["response_snippet"]) <= 300

    assert caplog.records, "stamina logged the scheduled retry"
    logged = caplog.text + "".join(repr(vars(record)) for record in caplog.records)
    exposed = json.dumps(fields) + str(raised.value) + repr(raised.value) + raised.value.snippet + logged
    for secret in SECRETS:
        assert secret not in exposed


def test_post_failures_have_their_own_event_kind():
    events: list = []
    transport = make_transport(Scripted(json_response(404, {"status": "fail", "message": "not found"})), events=events)
    with pytest.raises(NotFound):
        post_reply(transport)
    assert [event.kind for event in events] == ["instagram.api_post_form.failure"]


def post_reply(transport: HttpxTransport) -> bytes:
    return transport.post_form("direct_v2/threads/broadcast/reel_share/", {"text": "hi"},
                               endpoint="direct_v2/threads/broadcast/reel_share", referer=BASE)


@pytest.mark.parametrize(
    "ambiguous",
    [httpx.ReadTimeout("timed out"), httpx.RemoteProtocolError("server disconnected"), json_response(502, b"bad")],
    ids=["read-timeout", "disconnect", "5xx"],
)
def test_a_post_that_may_have_arrived_is_not_sent_again(ambiguous):
    handler = Scripted(ambiguous, json_response())
    with pytest.raises(Transient) as raised:
        post_reply(make_transport(handler))
    assert len(handler.requests) == 1 and raised.value.attempts_made == 1


@pytest.mark.parametrize(
    "refused",
    [httpx.ConnectError("connection refused"), json_response(429, {"status": "fail"}, **{"retry-after": "2"})],
    ids=["never-connected", "rate-limited"],
)
def test_a_post_that_never_arrived_or_was_refused_is_retried(refused):
    handler = Scripted(refused, json_response())
    assert post_reply(make_transport(handler)) == OK_BODY
    assert len(handler.requests) == 2


def test_minimum_gap_per_family_sleeps_through_the_clock_with_jitter():
    clock = FakeClock()
    transport = make_transport(Scripted(json_response()), clock=clock, min_gap=2.0)

    get_tray(transport)
    get_tray(transport)
    transport.get_json("direct_v2/inbox/", endpoint="direct_v2/inbox", referer=BASE)

    assert len(clock.sleeps) == 1, "another family does not wait for this one"
    assert 2.0 <= clock.sleeps[0] <= 3.0


def test_an_exhausted_window_budget_waits_for_the_oldest_request_to_age_out():
    ledger = MemoryLedger()
    clock = FakeClock()
    ledger.requests[("tester", "feed/reels_tray")] = [NOW - 650.0] + [NOW - 10.0] * 4
    transport = make_transport(Scripted(json_response()), clock=clock, ledger=ledger, window_seconds=660, window_budget=5)

    get_tray(transport)

    (waited,) = clock.sleeps
    assert 10.0 <= waited <= 11.0


def test_a_long_window_wait_is_a_local_pause_instead():
    ledger = MemoryLedger()
    ledger.requests[("tester", "feed/reels_tray")] = [NOW - 10.0] * 5
    handler = Scripted(json_response())
    transport = make_transport(handler, ledger=ledger, window_seconds=660, window_budget=5, max_pacing_wait=60.0)

    with pytest.raises(LocalRateLimitPause) as raised:
        get_tray(transport)

    assert handler.requests == []
    assert NOW + 649 <= raised.value.until <= NOW + 651


def test_request_counts_are_kept_per_endpoint_and_recorded_in_the_ledger():
    ledger = MemoryLedger()
    transport = make_transport(Scripted(json_response(500, b"x"), json_response()), ledger=ledger)

    get_tray(transport)
    transport.get_json("direct_v2/inbox/", endpoint="direct_v2/inbox", referer=BASE)

    assert transport.request_counts == {"feed/reels_tray": 2, "direct_v2/inbox": 1}
    assert ledger.recent_requests("tester", "feed/reels_tray", since=0) == 2
