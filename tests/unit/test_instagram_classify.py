"""SPEC §4 error classes, one row at a time and in precedence order, with hand-written responses."""

from __future__ import annotations

import json

import pytest

from storysync.core.errors import BadRequest, CheckpointRequired, RateLimited
from storysync.core.instagram import classify, parse_retry_after

API = "https://www.instagram.com/api/v1/feed/reels_media/?reel_ids=1"
JSON = "application/json; charset=utf-8"
NOW = 1_787_140_800.0


def j(**fields) -> bytes:
    return json.dumps(fields).encode()


@pytest.mark.parametrize(
    ("status", "body", "final_url", "headers", "truncated", "expected"),
    [
        # 5xx and truncated bodies are Transient whatever the body says
        (500, j(message="login_required"), API, None, False, "Transient"),
        (503, b"<html>down</html>", API, None, False, "Transient"),
        (200, b'{"reels": {', API, None, True, "Transient"),
        (429, j(message="Please wait a few minutes"), API, None, True, "Transient"),
        # NotJson: HTML, garbage, empty, a JSON array
        (200, b"<html><body>hi</body></html>", API, None, False, "NotJson"),
        (200, b"", API, None, False, "NotJson"),
        (200, b"\x00\xff garbage", API, None, False, "NotJson"),
        (200, b"[1, 2]", API, None, False, "NotJson"),
        (404, b"<html>Page not found</html>", API, None, False, "NotJson"),
        # ... unless it is the login page (by final URL or by the login form)
        (200, b"<html>x</html>", "https://www.instagram.com/accounts/login/?next=/api/", None, False, "LoginRequired"),
        (200, b'<html><form id="loginForm"></form></html>', API, None, False, "LoginRequired"),
        (200, b"<html>x</html>", "https://www.instagram.com/challenge/abc/", None, False, "CheckpointRequired"),
        # RateLimited: 429 (any body), "Please wait a few minutes" at any status
        (429, j(message="rate limited", status="fail"), API, None, False, "RateLimited"),
        (429, b"<html>Too many requests</html>", API, None, False, "RateLimited"),
        (401, j(message="Please wait a few minutes before you try again.", status="fail"), API, None, False, "RateLimited"),
        (400, j(message="Please wait a few minutes before you try again."), API, None, False, "RateLimited"),
        # CheckpointRequired: messages, checkpoint_url, challenge object, redirect
        (400, j(message="checkpoint_required", checkpoint_url="/challenge/1/"), API, None, False, "CheckpointRequired"),
        (400, j(message="challenge_required"), API, None, False, "CheckpointRequired"),
        (403, j(challenge={"url": "https://www.instagram.com/challenge/2/"}), API, None, False, "CheckpointRequired"),
        (302, b"", API, {"Location": "https://www.instagram.com/challenge/3/"}, False, "CheckpointRequired"),
        # LoginRequired: redirect, messages, require_login, bare 401
        (302, b"", API, {"location": "/accounts/login/?next=x"}, False, "LoginRequired"),
        (403, j(message="login_required"), API, None, False, "LoginRequired"),
        (400, j(message="user_has_logged_out"), API, None, False, "LoginRequired"),
        (200, j(require_login=True, status="fail"), API, None, False, "LoginRequired"),
        (401, j(message="unauthorized"), API, None, False, "LoginRequired"),
        # UserAgentMismatch anywhere in the body
        (400, j(message="useragent mismatch", status="fail"), API, None, False, "UserAgentMismatch"),
        (400, j(message="User Agent Mismatch"), API, None, False, "UserAgentMismatch"),
        # FeedbackRequired: message or spam
        (400, j(message="feedback_required", spam=True), API, None, False, "FeedbackRequired"),
        (200, j(spam=True, status="fail"), API, None, False, "FeedbackRequired"),
        # NotFound: 404 or "User not found"
        (404, j(message="", status="fail"), API, None, False, "NotFound"),
        (400, j(message="User not found"), API, None, False, "NotFound"),
        # other 4xx JSON: BadRequest; a plain 2xx object: no error
        (400, j(message="Too many reels requested", status="fail"), API, None, False, "BadRequest"),
        (403, j(message="forbidden"), API, None, False, "BadRequest"),
        (200, j(status="ok", reels={}), API, None, False, None),
        (201, j(anything=1), API, None, False, None),
    ],
)
def test_classify_rows(status, body, final_url, headers, truncated, expected) -> None:
    error = classify(status, JSON, final_url, body, headers, truncated=truncated, now=NOW)
    assert (error.error_class if error else None) == expected
    if error is not None:
        assert error.status == status
        assert error.endpoint == ""
        assert error.snippet == body[:300].decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # precedence: each pair carries the signals of two rows; the earlier row wins
        (j(message="Please wait a few minutes", checkpoint_url="/challenge/"), "RateLimited"),
        (j(message="checkpoint_required", require_login=True), "CheckpointRequired"),
        (j(message="login_required", error_type="useragent mismatch"), "LoginRequired"),
        (j(message="useragent mismatch", spam=True), "UserAgentMismatch"),
        (j(message="feedback_required", status="User not found"), "FeedbackRequired"),
    ],
)
def test_precedence(body: bytes, expected: str) -> None:
    assert classify(400, JSON, API, body, now=NOW).error_class == expected


def test_rate_limit_details() -> None:
    plain = classify(429, JSON, API, j(message="rate limited"), {"Retry-After": "120"}, now=NOW)
    assert isinstance(plain, RateLimited) and plain.retry_after == 120.0 and not plain.long_block
    dated = classify(429, JSON, API, b"", {"retry-after": "Wed, 19 Aug 2026 12:05:00 GMT"}, now=NOW)
    assert isinstance(dated, RateLimited) and dated.retry_after == 300.0
    unknown = classify(429, JSON, API, b"{}")
    assert isinstance(unknown, RateLimited) and unknown.retry_after is None
    long_block = classify(401, JSON, API, j(message="Please wait a few minutes before you try again."))
    assert isinstance(long_block, RateLimited) and long_block.long_block
    assert long_block.falls_through is False


def test_checkpoint_keeps_url() -> None:
    relative = classify(400, JSON, API, j(message="checkpoint_required", checkpoint_url="/challenge/7/"))
    assert isinstance(relative, CheckpointRequired) and relative.url == "https://www.instagram.com/challenge/7/"
    nested = classify(400, JSON, API, j(challenge={"api_path": "/challenge/8/"}))
    assert nested.url == "https://www.instagram.com/challenge/8/"
    redirect = classify(302, "text/html", API, b"", {"Location": "https://www.instagram.com/challenge/9/"})
    assert redirect.url == "https://www.instagram.com/challenge/9/"


def test_bad_request_does_not_fall_through() -> None:
    error = classify(400, JSON, API, j(message="Too many reels requested"))
    assert isinstance(error, BadRequest) and error.falls_through is False
    assert "Too many reels requested" in str(error)


def test_snippet_is_300_chars_without_secrets() -> None:
    body = b'<html>"csrf_token":"SECRETVALUE" ' + b"x" * 1000 + b"</html>"
    error = classify(200, "text/html", API, body)
    assert "SECRETVALUE" not in error.snippet
    assert len(classify(200, "text/html", API, b"y" * 1000).snippet) == 300


@pytest.mark.parametrize(
    ("value", "now", "expected"),
    [
        ("120", NOW, 120.0),
        (" 5 ", NOW, 5.0),
        ("1.5", NOW, 1.5),
        ("-3", NOW, 0.0),
        ("Wed, 19 Aug 2026 12:01:00 GMT", NOW, 60.0),
        ("Wed, 19 Aug 2026 11:00:00 GMT", NOW, 0.0),  # in the past
        ("Wed, 19 Aug 2026 12:01:00 GMT", None, None),  # a date needs a clock
        ("soon", NOW, None),
        ("", NOW, None),
        (None, NOW, None),
        ("nan", NOW, None),
        ("1e999", NOW, None),
    ],
)
def test_parse_retry_after(value, now, expected) -> None:
    assert parse_retry_after(value, now) == expected
