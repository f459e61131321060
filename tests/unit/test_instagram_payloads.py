"""SPEC §3 Profile, Tray, Inbox and Replies rules with minimal hand-written payloads."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storysync.core.errors import BadRequest, FeedbackRequired, LoginRequired, NotFound, PayloadError
from storysync.core.instagram import (
    decode_broadcast,
    decode_create_thread,
    decode_inbox,
    decode_profile,
    decode_thread,
    decode_tray,
)
from storysync.core.reasons import Reason


def j(value: Any) -> bytes:
    return json.dumps(value).encode()


# --- profile ---------------------------------------------------------------------------------------


def test_profile_fields_and_fallbacks() -> None:
    profile = decode_profile(
        j({"data": {"user": {
            "pk": 42, "username": "someone", "full_name": "Some One", "biography": "bio",
            "profile_pic_url": "https://cdn.example/p.jpg", "edge_followed_by": {"count": 7},
            "edge_follow": {"count": 8}, "edge_owner_to_timeline_media": {"count": 9}, "is_private": True,
        }}})
    )
    assert (profile.user_id, profile.username, profile.full_name, profile.biography) == ("42", "someone", "Some One", "bio")
    assert (profile.follower_count, profile.following_count, profile.media_count) == (7, 8, 9)
    assert profile.profile_pic_url == "https://cdn.example/p.jpg"
    assert profile.is_private and profile.followed_by_viewer is None


def test_profile_prefers_id_hd_picture_and_direct_counts() -> None:
    profile = decode_profile(j({"data": {"user": {
        "id": "43", "pk": 1, "username": "x", "profile_pic_url": "https://a/1.jpg", "profile_pic_url_hd": "https://a/hd.jpg",
        "follower_count": 5, "edge_followed_by": {"count": 6}, "followed_by_viewer": False,
    }}}))
    assert (profile.user_id, profile.profile_pic_url, profile.follower_count) == ("43", "https://a/hd.jpg", 5)
    assert profile.followed_by_viewer is False


@pytest.mark.parametrize("payload", [{}, {"data": {}}, {"data": {"user": None}}, {"data": None}])
def test_profile_without_user_is_not_found(payload) -> None:
    with pytest.raises(NotFound):
        decode_profile(j(payload), requested_username="ghost")


def test_profile_without_id_is_payload_error() -> None:
    with pytest.raises(PayloadError) as caught:
        decode_profile(j({"data": {"user": {"username": "x"}}}))
    assert caught.value.path == "$.data.user.id"


# --- tray --------------------------------------------------------------------------------------------

ENTRY = {"id": 1, "latest_reel_media": 1_000, "seen": 0, "user": {"pk": "1", "username": "one", "full_name": "One"}}


@pytest.mark.parametrize("shape", ["list", "items"])
def test_tray_list_or_items(shape: str) -> None:
    entries = [ENTRY, {"user": {"pk": 2}}, {"id": 3, "username": "three", "seen": 900, "latest_reel_media": 900, "muted": True}]
    tray = entries if shape == "list" else {"items": entries}
    got = decode_tray(j({"tray": tray, "status": "ok"}))
    assert [(e.user_id, e.username) for e in got] == [("1", "one"), ("3", "three")]  # no username: skipped
    assert got[0].has_unseen and not got[1].has_unseen and got[1].muted


@pytest.mark.parametrize("key", ["pk", "id", "pk_id", "strong_id__"])
def test_tray_user_id_keys(key: str) -> None:
    (entry,) = decode_tray(j({"tray": [{"user": {key: "77", "username": "u"}}]}))
    assert entry.user_id == "77"


def test_tray_items_decoded_when_present() -> None:
    item = {"pk": 5, "taken_at": 1_000, "media_type": 1, "image_versions2": {"candidates": [{"url": "https://c/a.jpg"}]}}
    (entry,) = decode_tray(j({"tray": [ENTRY | {"items": [item]}]}))
    (story,) = entry.items
    assert (story.story_id, story.owner_id, story.owner_username) == ("5", "1", "one")


@pytest.mark.parametrize("tray", [None, [], {"items": None}])
def test_empty_tray(tray) -> None:
    assert decode_tray(j({"tray": tray})) == []


# --- inbox -------------------------------------------------------------------------------------------


def test_inbox_paging_and_users() -> None:
    page = decode_inbox(j({
        "viewer": {"pk": 9},
        "inbox": {
            "has_older": True,
            "oldest_cursor": "CUR",
            "next_cursor": {"cursor_timestamp_seconds": 1},
            "threads": [
                {"thread_id": "t1", "thread_v2_id": 17, "users": [{"pk": 1, "username": "a"}]},
                {"thread_id": 222, "is_group": True, "thread_users": [{"id": "2", "username": "b"}, {"pk": 1, "username": "a"}]},
                {"users": [{"pk": 3, "username": "c"}]},  # no thread id: dropped
            ],
        },
    }))
    assert page.viewer_id == "9" and page.has_older and page.next_cursor == "CUR"
    assert [t.thread_id for t in page.threads] == ["222"]  # "t1" is not an id
    assert [u.username for u in page.users] == ["b", "a"]


@pytest.mark.parametrize(
    ("inbox", "has_older", "cursor"),
    [
        ({"has_older": False, "oldest_cursor": "CUR"}, False, None),
        ({"has_older": True, "oldest_cursor": "  "}, True, None),
        ({"has_older": True}, True, None),
        ({}, False, None),
    ],
)
def test_inbox_cursor_only_while_has_older(inbox, has_older: bool, cursor) -> None:
    page = decode_inbox(j({"inbox": inbox}))
    assert (page.has_older, page.next_cursor) == (has_older, cursor)


def test_inbox_viewer_from_threads_when_no_viewer() -> None:
    assert decode_inbox(j({"inbox": {"threads": [{"thread_id": "5", "viewer_id": 9}]}})).viewer_id == "9"


# --- threads and replies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"thread_id": "11", "users": [{"pk": 5}], "status": "ok"},
        {"thread": {"thread_id": 11, "users": [{"pk": 5}]}, "status": "ok"},
        {"thread": {"id": "11", "users": [{"pk": 5}]}, "status": "ok"},
    ],
    ids=["top-level", "thread.thread_id", "thread.id"],
)
def test_thread_id_fallbacks(payload) -> None:
    thread = decode_create_thread(j(payload))
    assert (thread.thread_id, thread.recipient_user_ids) == ("11", ("5",))


def test_missing_thread_id() -> None:
    with pytest.raises(PayloadError, match="missing_thread_id") as caught:
        decode_create_thread(j({"status": "ok", "thread": {}}))
    assert caught.value.reason == Reason.MISSING_THREAD_ID


def test_decode_thread_items() -> None:
    thread = decode_thread(j({"thread": {"thread_id": "11", "items": [
        {"item_id": "i1", "item_type": "reel_share", "client_context": "777", "text": "hi",
         "timestamp": 1787140800512339, "reel_share": {"media": {"id": "555_100"}}},
        {"item_type": "text"},  # no item id: dropped
    ]}, "status": "ok"}))
    (item,) = thread.items
    assert (item.item_id, item.item_type, item.client_context, item.text, item.timestamp_us, item.media_id) == (
        "i1", "reel_share", "777", "hi", "1787140800512339", "555_100")


def test_reel_share_reply_text_is_read_where_instagram_keeps_it() -> None:
    thread = decode_thread(j({"thread": {"thread_id": "11", "items": [
        {"item_id": "i1", "item_type": "reel_share", "reel_share": {"text": "nice!", "media": {"id": "555_100"}}},
    ]}, "status": "ok"}))
    assert thread.items[0].text == "nice!"


def test_broadcast_ok() -> None:
    ack = decode_broadcast(j({"action": "item_ack", "status": "ok", "payload": {
        "thread_id": "11", "item_id": "22", "client_context": "33", "timestamp": "44"}}))
    assert (ack.thread_id, ack.item_id, ack.client_context, ack.timestamp_us, ack.action) == ("11", "22", "33", "44", "item_ack")


def test_broadcast_ok_without_payload_is_still_success() -> None:
    ack = decode_broadcast(j({"status": "ok", "message_metadata": [{"thread_id": "11", "item_id": "22"}]}))
    assert (ack.thread_id, ack.item_id) == ("11", "22")
    assert decode_broadcast(j({"status": "ok"})).thread_id == ""


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"status": "fail", "message": "boom", "payload": {"message": "inner"}, "error_type": "t"}, "boom"),
        ({"status": "fail", "payload": {"message": "inner"}, "error_type": "t"}, "inner"),
        ({"status": "fail", "error_type": "some_type"}, "some_type"),
        ({"status": "fail"}, "api_status_fail"),
        ({}, "api_status_unknown"),
    ],
)
def test_broadcast_failure_reason(payload, reason: str) -> None:
    with pytest.raises(BadRequest) as caught:
        decode_broadcast(j(payload))
    assert str(caught.value) == reason
    assert caught.value.reason == Reason.REPLY_UNAVAILABLE and caught.value.falls_through is False


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"status": "fail", "message": "feedback_required"}, FeedbackRequired),
        ({"status": "fail", "spam": True, "message": "blocked"}, FeedbackRequired),
        ({"status": "fail", "message": "login_required"}, LoginRequired),
    ],
)
def test_broadcast_account_refusals_keep_their_class(payload, error) -> None:
    with pytest.raises(error) as caught:
        decode_broadcast(j(payload))
    assert str(caught.value) == payload["message"]
