"""Injected faults, rate limits and the control API, seen from an HTTP client."""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest
from sandbox_helpers import api_client

from storysync.plugins.sandbox import Sandbox

TRAY = "/api/v1/feed/reels_tray/"
BROWSER_HEADERS = {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Site": "same-origin"}


def test_rate_limit_answers_429_with_retry_after_for_count_requests(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    ig_sandbox.set_fault("rate_limit", "feed/reels_tray", count=2, retry_after=30)
    for _ in range(2):
        response = api.get(TRAY)
        assert response.status_code == 429 and response.headers["Retry-After"] == "30"
        assert response.json() == {"message": "Please wait a few minutes before you try again.",
                                   "require_login": False, "status": "fail"}
    assert api.get(TRAY).status_code == 200
    assert [r.fault for r in ig_sandbox.requests("feed/reels_tray")] == ["rate_limit", "rate_limit", None]


def test_a_fault_without_count_lasts_until_cleared(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    ig_sandbox.set_fault("please_wait_401")
    for _ in range(3):
        response = api.get(TRAY)
        assert response.status_code == 401 and "Please wait a few minutes" in response.json()["message"]
    ig_sandbox.clear_faults()
    assert api.get(TRAY).status_code == 200


def test_a_fault_applies_only_to_its_endpoint(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    ig_sandbox.set_fault("server_error", "feed/reels_media", count=3, status=503)
    assert api.get(TRAY).status_code == 200
    user_id = ig_sandbox.dataset.user_at(0).id
    statuses = [api.get("/api/v1/feed/reels_media/", params={"reel_ids": user_id}).status_code for _ in range(4)]
    assert statuses == [503, 503, 503, 200]


def test_html_fault_serves_the_login_page_as_200(api: httpx.Client, ig_sandbox: Sandbox) -> None:
    ig_sandbox.set_fault("html", count=1)
    response = api.get(TRAY)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert 'action="/accounts/login/"' in response.text and 'name="password"' in response.text


@pytest.mark.parametrize(("kind", "location"), [("login_redirect", "/accounts/login/?next="),
                                                 ("challenge_redirect", "/challenge/")])
def test_redirect_faults(ig_sandbox: Sandbox, api: httpx.Client, kind: str, location: str) -> None:
    ig_sandbox.set_fault(kind, count=1)
    response = api.get(TRAY)
    assert response.status_code == 302 and response.headers["location"].startswith(location)


def test_checkpoint_and_feedback_required_bodies(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    ig_sandbox.set_fault("checkpoint", count=1)
    checkpoint = api.get(TRAY).json()
    assert checkpoint["message"] == "checkpoint_required"
    assert checkpoint["checkpoint_url"].startswith(ig_sandbox.base_url + "/challenge/")
    ig_sandbox.set_fault("feedback_required", count=1)
    feedback = api.get(TRAY).json()
    assert feedback["message"] == "feedback_required" and feedback["spam"] is True


def test_truncated_body_is_cut_short(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    ig_sandbox.set_fault("truncated", count=1)
    with pytest.raises(httpx.RemoteProtocolError):
        api.get(TRAY)
    assert api.get(TRAY).status_code == 200


def test_reset_closes_the_connection_without_an_answer(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    ig_sandbox.set_fault("reset", count=1)
    with pytest.raises(httpx.TransportError):
        api.get(TRAY)
    assert ig_sandbox.requests("feed/reels_tray")[0].status is None


def test_slow_delays_the_answer(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    ig_sandbox.set_fault("slow", count=1, seconds=0.6)
    started = time.monotonic()
    assert api.get(TRAY).status_code == 200
    assert time.monotonic() - started >= 0.6
    with pytest.raises(httpx.ReadTimeout):
        ig_sandbox.set_fault("slow", count=1, seconds=0.6)
        api.get(TRAY, timeout=0.2)


def test_direct_refused_blocks_http_clients_but_lets_browser_fetches_through(ig_sandbox: Sandbox,
                                                                             api: httpx.Client) -> None:
    ig_sandbox.set_fault("direct_refused")
    refused = api.get(TRAY)
    assert refused.status_code == 400 and refused.json()["message"] == "useragent mismatch"
    assert api.get(TRAY, headers=BROWSER_HEADERS).status_code == 200
    assert [(r.browser, r.status) for r in ig_sandbox.requests("feed/reels_tray")] == [(False, 400), (True, 200)]


def test_drop_after_accept_records_the_reply_but_never_answers(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    story = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(0).id)[0]
    thread = api.post("/api/v1/direct_v2/create_group_thread/",
                      data={"recipient_users": json.dumps([story.owner_id])}).json()["thread_id"]
    ig_sandbox.set_fault("drop_after_accept", "direct_v2/threads/broadcast/reel_share", count=1)
    form = {"action": "send_item", "client_context": "555", "media_id": story.media_id,
            "reel_id": story.owner_id, "thread_id": thread, "text": "hello"}
    with pytest.raises(httpx.TransportError):
        api.post("/api/v1/direct_v2/threads/broadcast/reel_share/", data=form)
    [reply] = ig_sandbox.replies()
    assert reply.client_context == "555"
    items = api.get(f"/api/v1/direct_v2/threads/{thread}/").json()["thread"]["items"]
    assert items[0]["client_context"] == "555"


def test_unknown_fault_kinds_and_parameters_are_refused(ig_sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        ig_sandbox.set_fault("meteor")
    with pytest.raises(ValueError, match="no parameter"):
        ig_sandbox.set_fault("rate_limit", seconds=3)


def test_faults_can_reach_the_cdn(ig_sandbox: Sandbox) -> None:
    url = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(0).id)[0].media_url
    ig_sandbox.set_fault("server_error", "cdn/*", count=1)
    assert httpx.get(url).status_code == 500
    assert httpx.get(url).status_code == 200


def test_rate_limit_windows_slide_with_the_clock(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    ig_sandbox.set_rate_limit(max_requests=2, window_seconds=60, endpoint="feed/reels_tray")
    assert [api.get(TRAY).status_code for _ in range(2)] == [200, 200]
    limited = api.get(TRAY)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "60"
    assert api.get("/api/v1/direct_v2/inbox/").status_code == 200  # another endpoint, another window
    ig_sandbox.clock.advance(61)
    assert api.get(TRAY).status_code == 200


def test_rate_limits_are_per_session(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    ig_sandbox.set_rate_limit(max_requests=1, window_seconds=60)
    assert api.get(TRAY).status_code == 200
    assert api.get(TRAY).status_code == 429
    login = httpx.post(ig_sandbox.base_url + "/accounts/login/",
                       data={"username": ig_sandbox.dataset.viewer.username, "password": "sandbox"})
    with api_client(ig_sandbox, cookies=dict(login.cookies)) as other_session:
        assert other_session.get(TRAY, headers={"X-CSRFToken": login.cookies["csrftoken"]}).status_code == 200


def test_control_api_drives_the_same_state(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    control = httpx.Client(base_url=ig_sandbox.base_url + "/__sandbox__")
    assert control.post("/faults", json={"kind": "rate_limit", "endpoint": "feed/reels_tray", "count": 1,
                                         "params": {"retry_after": 5}}).json()["status"] == "ok"
    assert control.get("/state").json()["faults"][0]["kind"] == "rate_limit"
    assert api.get(TRAY).status_code == 429
    assert control.get("/request_counts").json()["counts"] == {"feed/reels_tray": 1}
    assert control.get("/requests", params={"endpoint": "feed/reels_tray"}).json()["requests"][0]["status"] == 429
    assert control.post("/variant", json={"name": "nested"}).status_code == 200
    assert ig_sandbox.state.variant() == "nested"
    assert control.post("/variant", json={"name": "nope"}).status_code == 400
    assert control.get("/cookies").json()["cookies"] == ig_sandbox.cookies
    assert control.post("/clock/advance", json={"seconds": 10}).json()["now"] == ig_sandbox.clock.now()
    control.post("/reset")
    assert ig_sandbox.request_counts() == {} and ig_sandbox.state.variant() == "default"
    assert control.get("/replies").json()["replies"] == []


def test_stop_closes_idle_keep_alive_connections(ig_sandbox_factory) -> None:
    sandbox = ig_sandbox_factory(users=5)
    host, port = sandbox.base_url.removeprefix("http://").split(":")
    idle = socket.create_connection((host, int(port)))
    time.sleep(0.2)  # let the server accept it, so it is an open connection rather than a queued one
    started = time.monotonic()
    sandbox.stop()
    assert time.monotonic() - started < 2
    idle.settimeout(2)
    assert idle.recv(1) == b""
    idle.close()
