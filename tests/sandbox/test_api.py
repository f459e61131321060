"""The sandbox's API over real HTTP (httpx): shapes a decoder relies on, and what it enforces."""

from __future__ import annotations

import json

import httpx
import pytest

from storysync.plugins.sandbox import Sandbox

from sandbox_helpers import WEB_APP_ID, api_client, reels_of, tray_entries

REEL_SHARE = "/api/v1/direct_v2/threads/broadcast/reel_share/"
CREATE_THREAD = "/api/v1/direct_v2/create_group_thread/"


def _reel_share_form(sandbox: Sandbox, thread_id: str, story, text: str = "nice", context: str = "17871408001234"):
    return {"action": "send_item", "client_context": context, "media_id": story.media_id,
            "reel_id": story.owner_id, "thread_id": thread_id, "text": text}


def _thread_with(api: httpx.Client, user_id: str) -> str:
    response = api.post(CREATE_THREAD, data={"recipient_users": json.dumps([user_id])})
    assert response.status_code == 200
    return response.json()["thread_id"]


# -- shapes ------------------------------------------------------------------------------------

def test_profile_has_the_user_id_where_decoders_look(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    user = ig_sandbox.dataset.user_at(0)
    body = api.get("/api/v1/users/web_profile_info/", params={"username": user.username}).json()
    assert body["status"] == "ok"
    profile = body["data"]["user"]
    assert profile["id"] == user.id and profile["username"] == user.username
    assert profile["followed_by_viewer"] is True
    assert isinstance(profile["edge_followed_by"]["count"], int)
    assert "/t51.2885-19/" in profile["profile_pic_url_hd"]


def test_unknown_profile_is_not_found_in_one_of_instagrams_two_ways(api: httpx.Client) -> None:
    answers = set()
    for username in ("nobody.here", "nobody.there", "ghost.1", "ghost.22"):
        response = api.get("/api/v1/users/web_profile_info/", params={"username": username})
        if response.status_code == 404:
            assert response.json() == {"message": "User not found", "status": "fail"}
        else:
            assert response.status_code == 200 and response.json()["data"]["user"] is None
        answers.add(response.status_code)
    assert answers == {200, 404}


def test_reels_media_items_carry_ids_media_and_times(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    dataset = ig_sandbox.dataset
    owners = [dataset.user_at(i) for i in (0, 1, 2)]
    body = api.get("/api/v1/feed/reels_media/", params=[("reel_ids", u.id) for u in owners]).json()
    reels = {str(r["user"]["pk"]): r for r in reels_of(body)}
    assert set(reels) == {u.id for u in owners}
    for owner in owners:
        expected = {s.story_id: s for s in dataset.stories(owner.id)}
        items = reels[owner.id]["items"]
        assert [str(i["pk"]) for i in items] == list(expected)
        for item in items:
            story = expected[str(item["pk"])]
            assert item["taken_at"] == story.taken_at and item["expiring_at"] == story.expiring_at
            assert item["media_type"] == {"image": 1, "video": 2, "carousel": 8}[story.media_type]
            visual = item["carousel_media"][0] if story.media_type == "carousel" else item
            candidates = visual["image_versions2"]["candidates"]
            assert {(c["width"], c["height"]) for c in candidates} == {(1080, 1920), (720, 1280), (480, 854)}
            assert all(c["url"].startswith(ig_sandbox.cdn_url + "/v/t51.2885-15/") for c in candidates)
            if story.video_url:
                assert visual["video_versions"][0]["url"] == story.video_url
                assert visual["video_versions"][0]["width"] == 720


def test_reels_media_uses_both_shapes_and_both_id_types(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    shapes, id_types = set(), set()
    for user in ig_sandbox.dataset.users[:40]:
        if not ig_sandbox.dataset.stories(user.id):
            continue
        body = api.get("/api/v1/feed/reels_media/", params={"reel_ids": user.id}).json()
        shapes.add(tuple(k for k in ("reels", "reels_media") if k in body))
        id_types.add(type(reels_of(body)[0]["items"][0]["pk"]))
    assert shapes == {("reels",), ("reels_media",), ("reels", "reels_media")}
    assert id_types == {int, str}


def test_showcase_stories_have_the_fields_of_their_case(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    dataset = ig_sandbox.dataset
    by_index = {}
    ids = [dataset.user_at(i).id for i in range(10)]
    for reel in reels_of(api.get("/api/v1/feed/reels_media/", params=[("reel_ids", i) for i in ids]).json()):
        by_index[dataset.user_by_id(reel["user"]["pk"]).index] = reel["items"]
    assert by_index[3][0]["story_feed_media"][0]["media_compound_str"].endswith("_" + dataset.user_at(0).id)
    assert by_index[4][0]["reel_mentions"][0]["user"]["username"] == dataset.user_at(1).username
    link = by_index[5][0]["story_link_stickers"][0]["story_link"]["url"]
    assert link.startswith("https://l.instagram.com/?u=https%3A%2F%2F")
    assert by_index[6][0]["is_paid_partnership"] is True
    assert by_index[6][0]["sponsor_tags"][0]["sponsor"]["username"] == dataset.user_at(2).username
    assert [i["can_reply"] for i in by_index[7]] == [False, False]
    assert "can_reply" not in by_index[8][0] and "can_reshare" not in by_index[8][0]
    assert "expiring_at" not in by_index[8][0]
    expired, active = by_index[9]
    assert expired["expiring_at"] <= ig_sandbox.clock.now() < active["expiring_at"]
    assert by_index[2][0]["media_type"] == 8 and len(by_index[2][0]["carousel_media"]) == 3


def test_more_than_twenty_reel_ids_are_refused(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    ids = [u.id for u in ig_sandbox.dataset.users[:21]]
    response = api.get("/api/v1/feed/reels_media/", params=[("reel_ids", i) for i in ids])
    assert response.status_code == 400
    assert response.json() == {"message": "Too many reels requested", "status": "fail"}
    assert api.get("/api/v1/feed/reels_media/", params=[("reel_ids", i) for i in ids[:20]]).status_code == 200


def test_tray_lists_followed_users_with_stories_newest_first(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    entries = tray_entries(api.get("/api/v1/feed/reels_tray/").json())
    expected = ig_sandbox.dataset.tray(ig_sandbox.clock.now())
    assert [str(e["user"]["pk"]) for e in entries] == [r.user.id for r in expected]
    assert [e["latest_reel_media"] for e in entries] == sorted((e["latest_reel_media"] for e in entries),
                                                               reverse=True)
    assert all(e["user"]["username"] and isinstance(e["seen"], int) for e in entries)
    assert ["items" in e for e in entries[:4]] == [True, True, True, False]
    usernames = {e["user"]["username"] for e in entries}
    assert ig_sandbox.dataset.user_at(10).username not in usernames  # followed, no stories
    assert ig_sandbox.dataset.user_at(11).username not in usernames  # not followed


def test_tray_shape_depends_on_the_seed(ig_sandbox_factory) -> None:
    shapes = set()
    for seed in (1, 2):
        sandbox = ig_sandbox_factory(users=15, seed=seed)
        with api_client(sandbox) as client:
            shapes.add(type(client.get("/api/v1/feed/reels_tray/").json()["tray"]))
    assert shapes == {list, dict}


def test_inbox_pages_through_every_thread(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    seen_threads, cursor, pages = [], None, 0
    while True:
        params = {"limit": 20, "visual_message_return_type": "unseen", **({"cursor": cursor} if cursor else {})}
        inbox = api.get("/api/v1/direct_v2/inbox/", params=params).json()["inbox"]
        pages += 1
        for thread in inbox["threads"]:
            assert thread["thread_id"] and thread["users"] and thread["users"][0]["username"]
            seen_threads.append(thread["thread_id"])
        assert inbox["oldest_cursor"]
        if not inbox["has_older"]:
            break
        cursor = inbox["oldest_cursor"]
    assert pages == 3 and len(seen_threads) == len(set(seen_threads)) == 45


def test_inbox_limit_is_capped_at_fifty(ig_sandbox_factory) -> None:
    sandbox = ig_sandbox_factory(users=60)
    with api_client(sandbox) as client:
        inbox = client.get("/api/v1/direct_v2/inbox/", params={"limit": 500}).json()["inbox"]
    assert len(inbox["threads"]) == 45 and inbox["has_older"] is False
    with api_client(sandbox) as client:
        assert len(client.get("/api/v1/direct_v2/inbox/", params={"limit": 10}).json()["inbox"]["threads"]) == 10


# -- replies -----------------------------------------------------------------------------------

def test_create_group_thread_reuses_the_thread_for_a_recipient(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    user = ig_sandbox.dataset.user_at(0)
    first = api.post(CREATE_THREAD, data={"recipient_users": json.dumps([user.id])}).json()
    assert first["status"] == "ok" and first["users"][0]["pk"] == int(user.id)
    assert first["thread_v2_id"] and first["viewer_id"] == int(ig_sandbox.dataset.viewer.id)
    assert _thread_with(api, user.id) == first["thread_id"]
    assert api.post(CREATE_THREAD, data={"recipient_users": '["1"]'}).status_code == 400


def test_reel_share_appends_to_the_thread_and_records_the_reply(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    story = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(0).id)[0]
    thread_id = _thread_with(api, story.owner_id)
    response = api.post(REEL_SHARE, data=_reel_share_form(ig_sandbox, thread_id, story, text="this light"))
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["payload"]["thread_id"] == thread_id and body["payload"]["client_context"] == "17871408001234"
    thread = api.get(f"/api/v1/direct_v2/threads/{thread_id}/").json()["thread"]
    newest = thread["items"][0]
    assert newest["item_id"] == body["payload"]["item_id"]
    assert (newest["item_type"], newest["text"], newest["client_context"]) == ("reel_share", "this light",
                                                                               "17871408001234")
    assert newest["reel_share"]["media"]["id"] == story.media_id
    [reply] = ig_sandbox.replies()
    assert (reply.story_id, reply.text, reply.browser) == (story.story_id, "this light", False)


def test_reel_share_with_the_same_client_context_is_recorded_once(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    story = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(0).id)[0]
    thread_id = _thread_with(api, story.owner_id)
    first = api.post(REEL_SHARE, data=_reel_share_form(ig_sandbox, thread_id, story)).json()
    again = api.post(REEL_SHARE, data=_reel_share_form(ig_sandbox, thread_id, story)).json()
    assert first["payload"]["item_id"] == again["payload"]["item_id"]
    assert len(ig_sandbox.replies()) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"thread_id": "340282366841710300949128000000000000000"}, "Thread not found"),
        ({"media_id": "123_456"}, "Media not found or unavailable"),
        ({"reel_id": "1"}, "reel_id does not match the media's owner"),
        ({"action": "send"}, "action must be send_item"),
        ({"text": "  "}, "text is required"),
    ],
)
def test_reel_share_validates_its_form(ig_sandbox: Sandbox, api: httpx.Client, change, message) -> None:
    story = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(0).id)[0]
    form = {**_reel_share_form(ig_sandbox, _thread_with(api, story.owner_id), story), **change}
    response = api.post(REEL_SHARE, data=form)
    assert response.status_code == 400 and response.json()["message"] == message
    assert ig_sandbox.replies() == []


def test_reel_share_to_a_story_with_replies_off_is_refused(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    story = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(7).id)[0]
    assert story.can_reply is False
    response = api.post(REEL_SHARE, data=_reel_share_form(ig_sandbox, _thread_with(api, story.owner_id), story))
    assert response.status_code == 400 and response.json()["status"] == "fail"
    assert ig_sandbox.replies() == []


# -- what the API enforces -----------------------------------------------------------------------

def test_api_without_a_session_is_login_required(ig_sandbox: Sandbox) -> None:
    with httpx.Client(base_url=ig_sandbox.base_url, headers={"X-IG-App-ID": WEB_APP_ID}) as client:
        response = client.get("/api/v1/feed/reels_tray/")
    assert response.status_code == 403
    assert response.json()["message"] == "login_required" and response.json()["require_login"] is True


def test_api_with_a_made_up_session_is_login_required(ig_sandbox: Sandbox) -> None:
    cookies = {**ig_sandbox.cookies, "sessionid": "1%3Aforged%3A1%3Aforged"}
    with api_client(ig_sandbox, cookies=cookies) as client:
        assert client.get("/api/v1/feed/reels_tray/").status_code == 403


def test_api_without_app_id_is_a_useragent_mismatch(ig_sandbox: Sandbox) -> None:
    with httpx.Client(base_url=ig_sandbox.base_url, cookies=ig_sandbox.cookies) as client:
        response = client.get("/api/v1/feed/reels_tray/")
    assert response.status_code == 400
    assert response.json() == {"message": "useragent mismatch", "status": "fail"}


@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_post_without_the_matching_csrf_token_is_refused(ig_sandbox: Sandbox, token: str | None) -> None:
    headers = {"X-IG-App-ID": WEB_APP_ID, **({"X-CSRFToken": token} if token else {})}
    with httpx.Client(base_url=ig_sandbox.base_url, cookies=ig_sandbox.cookies, headers=headers) as client:
        response = client.post(CREATE_THREAD, data={"recipient_users": "[]"})
    assert response.status_code == 403
    assert response.json() == {"message": "CSRF token missing or incorrect", "status": "fail"}


def test_a_client_without_a_claim_is_given_one(api: httpx.Client) -> None:
    assert api.get("/api/v1/feed/reels_tray/").headers["x-ig-set-www-claim"].startswith("hmac.")
    claimed = api.get("/api/v1/feed/reels_tray/", headers={"X-IG-WWW-Claim": "hmac.AR-known"})
    assert "x-ig-set-www-claim" not in claimed.headers


def test_the_request_log_counts_every_request_per_endpoint(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    user = ig_sandbox.dataset.user_at(0)
    for _ in range(3):
        api.get("/api/v1/feed/reels_media/", params={"reel_ids": user.id})
    api.get("/api/v1/feed/reels_tray/")
    api.get("/api/v1/users/web_profile_info/", params={"username": user.username})
    with httpx.Client() as anonymous:
        anonymous.get(ig_sandbox.dataset.stories(user.id)[0].media_url)
    assert ig_sandbox.request_counts() == {"feed/reels_media": 3, "feed/reels_tray": 1,
                                           "users/web_profile_info": 1, "cdn/media": 1}
    records = ig_sandbox.requests("feed/reels_media")
    assert [(r.method, r.status, r.origin, r.browser) for r in records] == [("GET", 200, "www", False)] * 3
