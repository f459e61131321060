"""The site origin (``www``): routing, and the checks Instagram makes before answering its API.

API checks, in order: ``X-IG-App-ID`` present (else 400 "useragent mismatch"), a ``sessionid``
the sandbox issued (else 403 login_required), on POST ``X-CSRFToken`` equal to the
``csrftoken`` cookie (else 403), then the rate limit (429). Injected faults come before all of
them, as they would at Instagram's edge.
"""

from __future__ import annotations

import base64
import hashlib

from .api import ENDPOINTS, endpoint_name
from .control import Control
from .pages import Pages
from .responses import CSRF_BODY, LOGIN_REQUIRED_BODY, USERAGENT_MISMATCH_BODY, Response, fail, json_response, \
    rate_limited
from .state import Request, SandboxState

API_PREFIX = "/api/v1/"
CONTROL_PREFIX = "/__sandbox__/"


def classify(path: str) -> str:
    """The endpoint name a request is logged, counted, faulted and rate limited under."""
    if path.startswith(API_PREFIX):
        return endpoint_name(path[len(API_PREFIX):])
    if path == "/":
        return "page/home"
    if path.startswith("/stories/"):
        return "page/story"
    if path.startswith("/accounts/login"):
        return "page/login"
    if path.startswith("/challenge/"):
        return "page/challenge"
    if path.startswith("/static/") or path == "/favicon.ico":
        return "static/" + path.rpartition("/")[2]
    return "page/other"


class WwwApp:
    def __init__(self, state: SandboxState, control: Control) -> None:
        self.state = state
        self.pages = Pages(state)
        self.control = control

    def __call__(self, request: Request) -> Response:
        if request.path.startswith(CONTROL_PREFIX):
            return self.control.handle(request)  # not logged: the log is about the client's traffic
        return self.state.process(request, "www", classify(request.path), self._route)

    def _route(self, request: Request) -> Response:
        if request.path.startswith(API_PREFIX):
            return self._api(request)
        return self.pages.handle(request)

    def _api(self, request: Request) -> Response:
        name = endpoint_name(request.path[len(API_PREFIX):])
        if not request.headers.get("x-ig-app-id"):
            return json_response(400, USERAGENT_MISMATCH_BODY)
        sessionid = request.cookies.get("sessionid", "")
        viewer = self.state.sessions.user(sessionid)
        if viewer is None:
            return json_response(403, LOGIN_REQUIRED_BODY)
        if name not in ENDPOINTS:
            return fail(404, "Page not found")
        method, handler = ENDPOINTS[name]
        if request.method != method:
            return fail(405, "Method not allowed")
        if method == "POST":
            token = request.cookies.get("csrftoken", "")
            if not token or request.headers.get("x-csrftoken") != token:
                return json_response(403, CSRF_BODY)
        retry_after = self.state.rate_limits.admit(sessionid, name)
        if retry_after is not None:
            return rate_limited(retry_after)
        response = handler(self.state, request, viewer)
        if request.headers.get("x-ig-www-claim", "0") == "0":
            # Instagram hands a client without a claim one to send back from now on.
            response.headers.append(("x-ig-set-www-claim", _www_claim(sessionid)))
        return response


def _www_claim(sessionid: str) -> str:
    digest = hashlib.sha256(("claim:" + sessionid).encode()).digest()
    return "hmac.AR" + base64.urlsafe_b64encode(digest).decode().rstrip("=")
