"""``BrowserTransport`` on both engines: in-page fetch, headers, classification and failure events."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import parse_qs

import pytest
from browser_pages import Reply, Request, html, serving

from storysync.adapters.browser.playwright_session import PlaywrightSession
from storysync.adapters.browser.selenium_session import SeleniumSession
from storysync.adapters.browser.transport import BrowserTransport
from storysync.core.errors import LoginRequired, NotFound, NotJson, RateLimited, Transient
from storysync.core.ports import Transport

pytestmark = pytest.mark.browser

ENGINES = {"selenium": SeleniumSession, "playwright": PlaywrightSession}
CONFIGURED_APP_ID = "936619743392459"
PAGE_APP_ID = "1217981644879628"


def _echo(request: Request) -> Reply:
    cookies = dict(pair.split("=", 1) for pair in request.headers.get("cookie", "").split("; ") if "=" in pair)
    seen = {
        "method": request.method,
        "query": request.query,
        "accept": request.headers.get("accept"),
        "x_requested_with": request.headers.get("x-requested-with"),
        "app_id": request.headers.get("x-ig-app-id"),
        "claim": request.headers.get("x-ig-www-claim"),
        "csrf": request.headers.get("x-csrftoken"),
        "content_type": request.headers.get("content-type"),
        "referer": request.headers.get("referer"),
        "cookie_names": sorted(cookies),
        "form": parse_qs(request.body.decode()),
    }
    return Reply(content_type="application/json", body=json.dumps(seen), headers={"x-ig-set-www-claim": "hmac.NEW"})


def _slow(request: Request) -> Reply:
    time.sleep(1.5)
    return Reply(content_type="application/json", body="{}")


def _json(status: int, payload: dict, headers: dict | None = None) -> Reply:
    return Reply(status=status, content_type="application/json", body=json.dumps(payload), headers=headers or {})


ROUTES = {
    "/": lambda request: html("<h1>home</h1>"),
    "/with-app-id/": lambda request: html(f"<script>document.documentElement.dataset.appId = '{PAGE_APP_ID}';</script>"),
    "/api/v1/echo/": _echo,
    "/api/v1/login_required/": lambda request: _json(401, {"message": "login_required", "status": "fail"}),
    "/api/v1/rate_limited/": lambda request: _json(429, {"message": "rate limited", "status": "fail"}, {"Retry-After": "30", "x-ig-ratelimit-remaining": "0"}),
    "/api/v1/missing/": lambda request: _json(404, {"message": "User not found", "status": "fail"}),
    "/api/v1/html/": lambda request: Reply(body="<!doctype html><html><body>Something went wrong</body></html>"),
    "/api/v1/server_error/": lambda request: Reply(status=502, content_type="text/html", body="<html>Bad gateway</html>"),
    "/api/v1/echoes_secret/": lambda request: _json(400, {"message": "bad", "echo": request.headers.get("cookie", "")}),
    "/api/v1/reset/": lambda request: Reply(drop_connection=True),
    "/api/v1/slow/": _slow,
}


@pytest.fixture(scope="module")
def instagram():
    with serving(ROUTES) as server:
        yield server


@pytest.fixture(scope="module")
def elsewhere():
    """Another origin, where a session may stand when the transport is first used."""
    with serving({"/": lambda request: html("<h1>elsewhere</h1>")}) as server:
        yield server


@pytest.fixture(scope="module", params=sorted(ENGINES))
def session(request):
    browser = ENGINES[request.param]()
    yield browser
    browser.close()


@pytest.fixture
def account_cookies():
    """Fresh values per test, so a test sees its own cookies arrive and not an earlier test's."""
    return [
        {"name": "sessionid", "value": f"sess-{uuid.uuid4().hex}", "httpOnly": True, "path": "/"},
        {"name": "csrftoken", "value": f"csrf-{uuid.uuid4().hex}", "path": "/"},
    ]


@pytest.fixture
def events():
    return []


@pytest.fixture
def transport(session, instagram, elsewhere, account_cookies, events):
    session.navigate(elsewhere.base_url + "/")
    return BrowserTransport(
        session, base_url=instagram.base_url, app_id=CONFIGURED_APP_ID, cookies=account_cookies,
        on_event=events.append, request_timeout=0.8,
    )


def test_implements_the_port_and_is_named_after_the_engine(transport, session):
    assert isinstance(transport, Transport)
    assert transport.name == session.name


def test_get_json_from_a_logged_in_page_of_the_origin(transport, session, instagram, account_cookies):
    body = transport.get_json(
        "echo/", [("username", "alice"), ("reel_ids", "1"), ("reel_ids", "2")],
        endpoint="echo", referer=instagram.base_url + "/alice/",
    )
    seen = json.loads(body)
    # the transport moved the session onto the origin, with the cookies already in place
    assert session.current_url() == instagram.base_url + "/"
    assert f"sessionid={account_cookies[0]['value']}" in instagram.requests_to("/")[-1].headers["cookie"]
    assert seen["method"] == "GET"
    assert seen["query"] == {"username": ["alice"], "reel_ids": ["1", "2"]}
    assert seen["accept"] == "application/json, text/plain, */*"
    assert seen["x_requested_with"] == "XMLHttpRequest"
    assert seen["app_id"] == CONFIGURED_APP_ID
    assert seen["referer"] == instagram.base_url + "/alice/"
    assert seen["cookie_names"] == ["csrftoken", "sessionid"]
    assert transport.request_counts == {"echo": 1}


def test_app_id_and_claim_come_from_the_page_when_it_has_them(transport, session, instagram):
    session.navigate(instagram.base_url + "/with-app-id/")
    session.evaluate("sessionStorage.setItem('www-claim-v2', arguments[0])", "hmac.FROM_PAGE")
    seen = json.loads(transport.get_json("echo/", endpoint="echo", referer=instagram.base_url + "/"))
    assert seen["app_id"] == PAGE_APP_ID
    assert seen["claim"] == "hmac.FROM_PAGE"
    # the claim Instagram hands back is kept for the next request, as the web app does
    assert session.evaluate("return sessionStorage.getItem('www-claim-v2')") == "hmac.NEW"


def test_post_form_sends_the_csrf_token_from_the_cookie(transport, instagram, account_cookies):
    form = {"recipient_users": '["123"]', "text": "héllo & ✓"}
    seen = json.loads(transport.post_form("echo/", form, endpoint="create_thread", referer=instagram.base_url + "/direct/new/"))
    assert seen["method"] == "POST"
    assert seen["csrf"] == account_cookies[1]["value"]
    assert seen["content_type"] == "application/x-www-form-urlencoded; charset=UTF-8"
    assert seen["form"] == {"recipient_users": ['["123"]'], "text": ["héllo & ✓"]}


@pytest.mark.parametrize(
    ("path", "error_class", "status"),
    [
        ("login_required/", LoginRequired, 401),
        ("missing/", NotFound, 404),
        ("html/", NotJson, 200),
        ("server_error/", Transient, 502),
    ],
)
def test_failures_are_classified(transport, events, path, error_class, status):
    with pytest.raises(error_class) as raised:
        transport.get_json(path, [("username", "alice")], endpoint="feed/reels_media", referer="https://www.instagram.com/", username="alice")
    assert raised.value.status == status
    assert raised.value.endpoint == "feed/reels_media"
    assert (transport.name + ": ") in str(raised.value)
    [event] = events
    assert event.kind == "instagram.api_get_json.failure"
    assert event.fields["browser_fallback_attempted"] is True
    assert event.fields["error_class"] == error_class.__name__
    assert event.fields["status"] == status
    assert event.fields["username"] == "alice"
    assert event.fields["url"] == f"/api/v1/{path}?username=alice"


def test_invalid_json_is_reported_as_such(transport):
    with pytest.raises(NotJson, match="invalid_json_response"):
        transport.get_json("html/", endpoint="echo", referer="https://www.instagram.com/")


def test_rate_limits_keep_retry_after_and_headers(transport, events):
    with pytest.raises(RateLimited) as raised:
        transport.get_json("rate_limited/", endpoint="feed/reels_tray", referer="https://www.instagram.com/")
    assert raised.value.retry_after == 30
    assert "http_429" in str(raised.value)
    fields = events[0].fields
    assert fields["rate_limited"] is True
    assert fields["retry_after_seconds"] == 30
    assert fields["rate_limit_headers"] == {"retry-after": "30", "x-ig-ratelimit-remaining": "0"}


@pytest.mark.parametrize("path", ["reset/", "slow/"])
def test_requests_that_do_not_complete_are_transient(transport, events, path):
    with pytest.raises(Transient, match="browser_fetch_exception:"):
        transport.get_json(path, endpoint="echo", referer="https://www.instagram.com/")
    assert events[0].fields["status"] is None
    assert events[0].fields["reason"] == "transient_network_error"


def test_secrets_never_reach_errors_or_events(transport, events, account_cookies):
    with pytest.raises(Exception) as raised:
        transport.post_form("echoes_secret/", {}, endpoint="reel_share", referer="https://www.instagram.com/")
    event = events[0]
    assert event.kind == "instagram.api_post_form.failure"
    exposed = str(raised.value) + raised.value.snippet + json.dumps(event.fields)
    for cookie in account_cookies:
        assert cookie["value"] not in exposed
