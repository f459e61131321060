"""Responses as values, and the bodies Instagram answers with when something is wrong.

Handlers return a ``Response``; the HTTP layer writes it. ``delivery`` lets a fault change how
it is written (cut short, reset, or never sent) without the handler knowing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from .faults import Fault

Delivery = Literal["send", "truncate", "reset", "drop"]
JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"

PLEASE_WAIT = "Please wait a few minutes before you try again."
LOGIN_REQUIRED_BODY = {
    "message": "login_required",
    "error_title": "You've Been Logged Out",
    "error_body": "Please log back in.",
    "logout_reason": 8,
    "require_login": True,
    "status": "fail",
}
USERAGENT_MISMATCH_BODY = {"message": "useragent mismatch", "status": "fail"}
CSRF_BODY = {"message": "CSRF token missing or incorrect", "status": "fail"}


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = JSON_TYPE
    headers: list[tuple[str, str]] = field(default_factory=list)
    delivery: Delivery = "send"
    missing_bytes: int = 0  # for "truncate": how much more Content-Length promises than is sent


def json_response(status: int, body: Any, headers: list[tuple[str, str]] | None = None) -> Response:
    data = json.dumps(body, ensure_ascii=True, separators=(",", ":")).encode()
    return Response(status, data, JSON_TYPE, list(headers or []))


def fail(status: int, message: str, **extra: Any) -> Response:
    return json_response(status, {"message": message, **extra, "status": "fail"})


def html_response(status: int, text: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(status, text.encode(), HTML_TYPE, list(headers or []))


def redirect(location: str, headers: list[tuple[str, str]] | None = None) -> Response:
    return Response(302, b"", None, [("Location", location), *(headers or [])])


def login_redirect(path_and_query: str) -> Response:
    return redirect("/accounts/login/?next=" + quote(path_and_query, safe=""))


def rate_limited(retry_after: int) -> Response:
    response = json_response(429, {"message": PLEASE_WAIT, "require_login": False, "status": "fail"})
    response.headers.append(("Retry-After", str(retry_after)))
    return response


def fault_response(fault: Fault, path_and_query: str, base_url: str, login_page: str) -> Response | None:
    """The response a fault puts in place of the real one; None for faults that wrap it instead."""
    kind, params = fault.kind, fault.params
    if kind == "rate_limit":
        return rate_limited(int(params["retry_after"]))
    if kind == "please_wait_401":
        return fail(401, PLEASE_WAIT, require_login=True)
    if kind == "server_error":
        return fail(int(params["status"]), "Oops, an error occurred.")
    if kind == "html":
        return html_response(200, login_page)
    if kind == "login_redirect":
        return login_redirect(path_and_query)
    if kind == "challenge_redirect":
        return redirect(f"/challenge/{_CHALLENGE_TOKEN}/?next=" + quote(path_and_query, safe=""))
    if kind == "checkpoint":
        return fail(400, "checkpoint_required", checkpoint_url=f"{base_url}/challenge/{_CHALLENGE_TOKEN}/",
                    lock=True, flow_render_type=0)
    if kind == "feedback_required":
        return fail(400, "feedback_required", spam=True, feedback_title="Try Again Later",
                    feedback_message="We limit how often you can do certain things on Instagram to protect our "
                                     "community. Tell us if you think we made a mistake.",
                    feedback_url="repute/report_problem/scraping/", feedback_appeal_label="Tell us",
                    feedback_ignore_label="OK", feedback_action="report_problem")
    if kind == "direct_refused":
        return json_response(400, USERAGENT_MISMATCH_BODY)
    if kind == "reset":
        return Response(0, delivery="reset")
    return None


_CHALLENGE_TOKEN = "AXG7b1Ld0Sn2vHc"
