"""Every case of shared/fixtures/instagram decodes to its expected file (README §8 "How to compare").

Core fields must match exactly; optional fields are compared wherever the decoder exposes an
equivalent. The fixtures live in the ``shared/`` folder beside the repository (CI puts a copy
there) or wherever ``STORYSYNC_SHARED_DIR`` points. A missing folder fails the suite: a skip
would let a broken checkout pass unnoticed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from storysync.core.instagram import (
    classify,
    decode_broadcast,
    decode_create_thread,
    decode_inbox,
    decode_profile,
    decode_reels,
    decode_tray,
)
from storysync.core.models import StoryItem

from shared_fixtures import instagram_fixtures_dir


FIXTURES = instagram_fixtures_dir()
MANIFEST = FIXTURES / "manifest.json"

ERROR_NAMES = {
    "RateLimited": "rate_limited",
    "LoginRequired": "login_required",
    "CheckpointRequired": "checkpoint",
    "UserAgentMismatch": "useragent_mismatch",
    "NotJson": "not_json",
    "NotFound": "not_found",
    "FeedbackRequired": "feedback_required",
}


def _cases() -> list[Any]:
    if not MANIFEST.is_file():
        return [pytest.param(None, id="fixtures-missing")]
    cases = json.loads(MANIFEST.read_text(encoding="utf-8"))["cases"]
    return [pytest.param(case, id=case["id"]) for case in cases]


def _load(case: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    body = (FIXTURES / case["response"]["body_file"]).read_bytes()
    expected = json.loads((FIXTURES / case["expected_file"]).read_text(encoding="utf-8"))
    return body, expected


def _story_view(story: StoryItem, observed_at: int) -> dict[str, Any]:
    """The decoder's story in the fixtures' neutral schema."""
    view = {
        "story_id": story.story_id,
        "media_id": story.media_id,
        "code": story.code,
        "owner_id": story.owner_id,
        "owner_username": story.owner_username,
        "media_type": story.media_type,
        "media_url": story.media_url,
        "image_url": story.image_url,
        "video_url": story.video_url,
        "width": story.width,
        "height": story.height,
        "original_width": story.original_width,
        "original_height": story.original_height,
        "taken_at": story.taken_at,
        "expiring_at": story.expiring_at,
        "is_expired": story.is_expired(observed_at),
        "can_reply": story.can_reply,
        "can_reshare": story.can_reshare,
        "is_paid_partnership": story.is_paid_partnership,
        "sponsor_usernames": list(story.sponsor_usernames),
        "mention_usernames": list(story.mention_usernames),
        "link_urls": list(story.link_urls),
        "link_targets": list(story.link_targets),
        "app_attribution": (
            {"name": story.app_attribution.name, "content_url": story.app_attribution.content_url}
            if story.app_attribution
            else None
        ),
        "external_attribution": {
            "flag": story.attribution.flag,
            "reason": story.attribution.reason,
            "reasons": list(story.attribution.reasons),
            "targets": list(story.attribution.targets),
            "target_usernames": list(story.attribution.target_usernames),
        },
        "permalink": story.permalink,
    }
    if story.media_type == "carousel":
        view["carousel_children"] = [
            {
                "child_id": v.variant_id,
                "media_type": v.media_type,
                "image_url": v.image_url,
                "video_url": v.video_url,
                "media_url": v.media_url,
                "width": v.width,
                "height": v.height,
            }
            for v in story.variants
        ]
    return view


def _check_reels(body: bytes, expected: dict[str, Any], context: dict[str, Any]) -> None:
    owner_id = context["requested_user_id"]
    requested = context.get("all_requested_reel_ids", [owner_id])
    page = decode_reels(body, requested, requested_usernames={owner_id: context["requested_username"]})
    reel = page.reels.get(owner_id)
    assert (reel is not None) == expected["reel_found"]
    stories = list(reel.items) if reel else []
    assert [s.story_id for s in stories] == expected["story_ids"]
    observed_at = context["observed_at"]
    assert [s.story_id for s in stories if not s.is_expired(observed_at)] == expected["active_story_ids"]
    if reel is not None and expected.get("owner"):
        owner = expected["owner"]
        assert (reel.owner_id, reel.owner_username, reel.owner_full_name) == (
            owner["id"], owner["username"], owner["full_name"])
    assert sorted(i for i in page.reels if i != owner_id) == sorted(expected.get("other_reel_owner_ids", []))
    for story, want in zip(stories, expected["stories"], strict=True):
        got = _story_view(story, observed_at)
        for field, value in want.items():
            assert got[field] == value, f"{story.story_id}.{field}"


def _check_profile(body: bytes, expected: dict[str, Any], context: dict[str, Any]) -> None:
    profile = decode_profile(body, requested_username=context.get("requested_username"))
    got = {
        "user_id": profile.user_id,
        "username": profile.username,
        "full_name": profile.full_name,
        "is_private": profile.is_private,
        "is_verified": profile.is_verified,
        "followed_by_viewer": profile.followed_by_viewer,
        "follower_count": profile.follower_count,
        "following_count": profile.following_count,
        "media_count": profile.media_count,
        "profile_pic_url_hd": profile.profile_pic_url,
        "stories_accessible": not profile.is_private or profile.followed_by_viewer is True,
    }
    assert got == {field: expected[field] for field in got}


def _check_tray(body: bytes, expected: dict[str, Any], context: dict[str, Any]) -> None:
    entries = decode_tray(body)
    assert [e.username for e in entries] == expected["usernames"]
    assert [e.user_id for e in entries] == expected["user_ids"]
    got = [
        {
            "user_id": e.user_id,
            "username": e.username,
            "full_name": e.full_name,
            "latest_reel_media": e.latest_reel_media,
            "seen": e.seen,
            "has_unseen": e.has_unseen,
            "muted": e.muted,
            "prefetched_item_count": len(e.items),
        }
        for e in entries
    ]
    assert got == [{field: want[field] for field in got[0]} for want in expected["entries"]]


def _check_inbox(body: bytes, expected: dict[str, Any], context: dict[str, Any]) -> None:
    page = decode_inbox(body)
    assert sorted(u.user_id for u in page.users) == sorted(expected["user_ids"])
    assert sorted(u.username for u in page.users) == sorted(expected["usernames"])
    assert page.has_older == expected["has_older"]
    assert page.next_cursor == expected["next_cursor"]
    assert page.viewer_id == expected["viewer_id"]
    got = [
        {
            "thread_id": t.thread_id,
            "thread_v2_id": t.thread_v2_id,
            "is_group": t.is_group,
            "users": [{"user_id": u.user_id, "username": u.username, "full_name": u.full_name} for u in t.users],
        }
        for t in page.threads
    ]
    assert got == expected["threads"]


def _check_create_thread(body: bytes, expected: dict[str, Any], context: dict[str, Any]) -> None:
    thread = decode_create_thread(body)
    assert thread.thread_id == expected["thread_id"]
    assert thread.thread_v2_id == expected["thread_v2_id"]
    assert list(thread.recipient_user_ids) == expected["recipient_user_ids"]


def _check_broadcast(body: bytes, expected: dict[str, Any], context: dict[str, Any]) -> None:
    ack = decode_broadcast(body)
    got = {
        "thread_id": ack.thread_id,
        "item_id": ack.item_id,
        "action": ack.action,
        "client_context": ack.client_context,
        "timestamp_us": ack.timestamp_us,
    }
    assert got == {field: expected[field] for field in got}


CHECKS = {
    "reels_media": _check_reels,
    "profile": _check_profile,
    "reels_tray": _check_tray,
    "inbox": _check_inbox,
    "create_thread": _check_create_thread,
    "broadcast_ack": _check_broadcast,
}


@pytest.mark.parametrize("case", _cases())
def test_fixture_case(case: dict[str, Any] | None) -> None:
    if case is None:
        pytest.fail(
            f"Instagram fixtures not found at {MANIFEST}. Put the shared/ folder beside the repository "
            "or set STORYSYNC_SHARED_DIR to it."
        )
    body, expected = _load(case)
    response = case["response"]
    error = classify(
        response["http_status"],
        response["content_type"],
        response["final_url"],
        body,
        now=case["context"]["observed_at"],
    )
    if expected["ok"] is False:
        assert error is not None, "expected an error class"
        if expected.get("hint") == "login_page":
            # The fixtures' neutral schema files Instagram's login page as not_json with a hint;
            # SPEC §4 (which we implement) makes the login page LoginRequired, which is what the
            # hint means for the user: import fresh cookies.
            assert error.error_class in ("LoginRequired", "NotJson")
        else:
            assert ERROR_NAMES.get(error.error_class) == expected["error"]
        return
    assert error is None, f"unexpected {error!r}"
    CHECKS[expected["kind"]](body, expected, case["context"])
