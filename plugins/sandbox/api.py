"""The ``/api/v1/`` endpoints (SPEC §1), called once the request passed the auth checks of www.py."""

from __future__ import annotations

import json
from typing import Callable

from .dataset import User
from .responses import Response, fail, json_response
from .state import Request, SandboxState

MAX_REEL_IDS = 20
INBOX_DEFAULT_LIMIT = 20
INBOX_MAX_LIMIT = 50  # Instagram answers larger limits with 50 threads
PREFETCHED_TRAY_ENTRIES = 3

Endpoint = Callable[[SandboxState, Request, User], Response]


def web_profile_info(state: SandboxState, request: Request, viewer: User) -> Response:
    username = (request.param("username") or "").strip().lower()
    if not username:
        return fail(400, "username is required")
    user = state.dataset.user(username)
    if user is None:
        # Instagram answers an unknown user in either of two ways; each name always gets the same one.
        if sum(username.encode()) % 2:
            return fail(404, "User not found")
        return json_response(200, {"data": {"user": None}, "status": "ok"})
    return json_response(200, state.payloads.profile(user))


def reels_media(state: SandboxState, request: Request, viewer: User) -> Response:
    reel_ids = list(dict.fromkeys(v.strip() for v in request.query.get("reel_ids", []) if v.strip()))
    if not reel_ids:
        return fail(400, "reel_ids is required")
    if len(reel_ids) > MAX_REEL_IDS:
        return fail(400, "Too many reels requested")
    now = state.clock.now()
    reels = []
    for reel_id in reel_ids:
        user = state.dataset.user_by_id(reel_id)
        stories = None if user is None else state.payloads.reel_stories(user, now)
        if user is not None and stories:
            latest = max(s.taken_at for s in stories)
            reels.append(state.payloads.reel(user, stories, state.seen_at(user, latest)))
    return json_response(200, state.payloads.reels_media(reels, state.payloads.reels_shape(reel_ids)))


def reels_tray(state: SandboxState, request: Request, viewer: User) -> Response:
    now = state.clock.now()
    entries = []
    for position, tray_reel in enumerate(state.dataset.tray(now)):
        items = state.dataset.stories(tray_reel.user.id, now) if position < PREFETCHED_TRAY_ENTRIES else None
        seen = state.seen_at(tray_reel.user, tray_reel.latest_reel_media)
        entries.append(state.payloads.tray_entry(tray_reel, seen, items))
    return json_response(200, state.payloads.tray(entries, now))


def inbox(state: SandboxState, request: Request, viewer: User) -> Response:
    try:
        limit = int(request.param("limit") or INBOX_DEFAULT_LIMIT)
    except ValueError:
        return fail(400, "limit must be a number")
    limit = max(1, min(limit, INBOX_MAX_LIMIT))
    threads, has_older, oldest_cursor = state.direct.inbox_page(request.param("cursor"), limit)
    return json_response(200, state.payloads.inbox(threads, has_older, oldest_cursor, state.clock.now()))


def create_group_thread(state: SandboxState, request: Request, viewer: User) -> Response:
    try:
        recipients = json.loads(request.param("recipient_users") or "")
    except ValueError:
        return fail(400, "recipient_users must be a JSON array of user ids")
    if not isinstance(recipients, list) or not recipients:
        return fail(400, "recipient_users must be a JSON array of user ids")
    users = [state.dataset.user_by_id(str(r)) for r in recipients]
    if any(u is None or u.index < 0 for u in users):
        return fail(400, "Invalid recipient")
    thread, items = state.direct.find_or_create(tuple(u.id for u in users if u), state.clock.now())
    return json_response(200, {**state.payloads.thread(thread, items), "status": "ok"})


def reel_share(state: SandboxState, request: Request, viewer: User) -> Response:
    if request.param("action") != "send_item":
        return fail(400, "action must be send_item")
    client_context = request.param("client_context") or ""
    text = (request.param("text") or "").strip()
    thread_id = request.param("thread_id") or ""
    media_id = request.param("media_id") or ""
    reel_id = request.param("reel_id") or ""
    if not client_context.isdigit():
        return fail(400, "client_context must be a numeric string")
    if not text:
        return fail(400, "text is required")
    story_id, _, owner_id = media_id.partition("_")
    story = state.dataset.story(story_id) if owner_id else None
    if story is None or story.owner_id != owner_id or story.is_expired(state.clock.now()):
        return fail(400, "Media not found or unavailable")
    if reel_id != owner_id:
        return fail(400, "reel_id does not match the media's owner")
    found = state.direct.thread(thread_id)
    if found is None:
        return fail(400, "Thread not found")
    thread, _ = found
    if owner_id not in thread.user_ids:
        return fail(400, "The story's owner is not in this thread")
    if story.can_reply is False:
        return fail(400, "Replies aren't available for this story")
    item = state.direct.add_reel_share(thread_id, story, text, client_context, state.clock.now(), request.browser)
    return json_response(200, state.payloads.reel_share_ack(item, thread))


def thread_view(state: SandboxState, request: Request, viewer: User) -> Response:
    thread_id = request.path.rstrip("/").rpartition("/")[2]
    found = state.direct.thread(thread_id)
    if found is None:
        return fail(404, "Thread not found")
    thread, items = found
    return json_response(200, {"thread": state.payloads.thread(thread, items), "status": "ok"})


def reel_seen(state: SandboxState, request: Request, viewer: User) -> Response:
    story = state.dataset.story(request.param("reelMediaId") or "")
    if story is None or story.owner_id != request.param("reelMediaOwnerId"):
        return fail(400, "Media not found or unavailable")
    state.mark_seen(story.owner, story.taken_at)
    return json_response(200, {"status": "ok"})


# endpoint name -> (HTTP method, handler)
ENDPOINTS: dict[str, tuple[str, Endpoint]] = {
    "users/web_profile_info": ("GET", web_profile_info),
    "feed/reels_media": ("GET", reels_media),
    "feed/reels_tray": ("GET", reels_tray),
    "direct_v2/inbox": ("GET", inbox),
    "direct_v2/create_group_thread": ("POST", create_group_thread),
    "direct_v2/threads/broadcast/reel_share": ("POST", reel_share),
    "direct_v2/threads": ("GET", thread_view),
    "stories/reel/seen": ("POST", reel_seen),
}


def endpoint_name(api_path: str) -> str:
    """``/api/v1/direct_v2/threads/<id>/`` -> ``direct_v2/threads``; others are their own path."""
    name = api_path.strip("/")
    if name.startswith("direct_v2/threads/") and name != "direct_v2/threads/broadcast/reel_share":
        return "direct_v2/threads"
    return name
