"""The control API under ``/__sandbox__/`` (JSON): what ``Sandbox``'s methods do, over HTTP, so
another process (the CLI's server, a test in another language) can drive the sandbox.

=======  ====================================  =================================================
GET      /__sandbox__/state                    variant, faults, rate limits, viewer, urls
GET      /__sandbox__/cookies                  the viewer's issued cookies
GET      /__sandbox__/login?next=/             give this browser the viewer's cookies, redirect
POST     /__sandbox__/faults                   {"kind", "endpoint"="*", "count"=null, "params"={}}
POST     /__sandbox__/faults/clear             (DELETE /__sandbox__/faults does the same)
POST     /__sandbox__/variant                  {"name"}
POST     /__sandbox__/rate_limits              {"max_requests", "window_seconds", "endpoint"="*"}
POST     /__sandbox__/rate_limits/clear        (DELETE /__sandbox__/rate_limits does the same)
GET      /__sandbox__/requests?endpoint=       the request log
GET      /__sandbox__/request_counts           {endpoint: count}
GET      /__sandbox__/replies                  story replies received
POST     /__sandbox__/stories                  {"username", "kind"="image"}: that user posts a story now
POST     /__sandbox__/reset                    faults, limits, log, replies, variant, posts back to start
POST     /__sandbox__/clock/advance            {"seconds"}: only when the clock is a ManualClock
=======  ====================================  =================================================

Errors are ``{"status": "fail", "message": ...}`` with HTTP 400 (bad input) or 404.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from .clock import ManualClock
from .dataset import Story
from .responses import Response, fail, json_response, redirect
from .state import Request, SandboxState


class Control:
    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def handle(self, request: Request) -> Response:
        action = request.path[len("/__sandbox__/"):].strip("/")
        try:
            payload = json.loads(request.body or b"{}")
            if not isinstance(payload, dict):
                raise ValueError("the body must be a JSON object")
            return self._dispatch(request.method, action, request, payload)
        except (ValueError, TypeError, KeyError) as error:
            return fail(400, str(error))

    def _dispatch(self, method: str, action: str, request: Request, payload: dict[str, Any]) -> Response:
        state = self.state
        if (method, action) == ("GET", "state"):
            return _ok(**state.describe(), base_url=state.base_url, cdn_url=state.dataset.cdn.origin)
        if (method, action) == ("GET", "cookies"):
            return _ok(cookies=state.viewer_cookies.as_dict())
        if (method, action) == ("GET", "login"):
            next_path = request.param("next") or "/"
            return redirect(next_path if next_path.startswith("/") else "/",
                            state.viewer_cookies.set_cookie_headers())
        if (method, action) == ("POST", "faults"):
            fault = state.set_fault(payload["kind"], payload.get("endpoint", "*"), payload.get("count"),
                                    **payload.get("params", {}))
            return _ok(fault=fault.as_dict())
        if (method, action) in (("POST", "faults/clear"), ("DELETE", "faults")):
            state.faults.clear()
            return _ok()
        if (method, action) == ("POST", "variant"):
            state.set_variant(payload["name"])
            return _ok(variant=payload["name"])
        if (method, action) == ("POST", "rate_limits"):
            state.set_rate_limit(int(payload["max_requests"]), float(payload["window_seconds"]),
                                 payload.get("endpoint", "*"))
            return _ok()
        if (method, action) in (("POST", "rate_limits/clear"), ("DELETE", "rate_limits")):
            state.rate_limits.clear()
            return _ok()
        if (method, action) == ("GET", "requests"):
            return _ok(requests=[r.as_dict() for r in state.requests(request.param("endpoint"))])
        if (method, action) == ("GET", "request_counts"):
            return _ok(counts=state.request_counts())
        if (method, action) == ("GET", "replies"):
            return _ok(replies=[asdict(r) for r in state.replies()])
        if (method, action) == ("POST", "stories"):
            username, kind = payload["username"], payload.get("kind", "image")
            if not isinstance(username, str) or not isinstance(kind, str):
                raise TypeError("username and kind must be strings")
            story = state.post_story(username, kind)
            return _ok(story=_story_summary(story))
        if (method, action) == ("POST", "reset"):
            state.reset()
            return _ok()
        if (method, action) == ("POST", "clock/advance"):
            if not isinstance(state.clock, ManualClock):
                return fail(400, "the sandbox runs on a clock that cannot be moved")
            return _ok(now=state.clock.advance(float(payload["seconds"])))
        return fail(404, f"no control action {method} /__sandbox__/{action}")


def _ok(**fields: Any) -> Response:
    return json_response(200, {**fields, "status": "ok"})


def _story_summary(story: Story) -> dict[str, Any]:
    return {
        "story_id": story.story_id,
        "media_id": story.media_id,
        "owner_id": story.owner_id,
        "owner_username": story.owner_username,
        "media_type": story.media_type,
        "taken_at": story.taken_at,
        "expiring_at": story.expiring_at,
        "media_url": story.media_url,
        "permalink": story.permalink,
    }
