"""Stories posted while the sandbox runs: everywhere a generated story is, and gone when it expires."""

from __future__ import annotations

import base64
import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sandbox_helpers import reels_of, tray_entries

from storysync.plugins.sandbox import Dataset, Sandbox
from storysync.plugins.sandbox.dataset import CDN_URL_LIFETIME, DAY
from storysync.plugins.sandbox.imaging import png_size

EPOCH = 1_787_140_800
OWNER_WITH_STORIES = 0  # docs/sandbox.md's showcase: three image stories
OWNER_WITHOUT_STORIES = 10  # followed, no stories
NOT_FOLLOWED = 11


def _reel(api: httpx.Client, user_id: str) -> dict | None:
    body = api.get("/api/v1/feed/reels_media/", params={"reel_ids": user_id}).json()
    return next((reel for reel in reels_of(body) if str(reel["id"]) == user_id), None)


def _tray(api: httpx.Client) -> dict[str, dict]:
    return {str(entry["id"]): entry for entry in tray_entries(api.get("/api/v1/feed/reels_tray/").json())}


def test_a_posted_story_ends_its_owners_reel(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    owner = ig_sandbox.dataset.user_at(OWNER_WITH_STORIES)
    ig_sandbox.clock.advance(90)

    story = ig_sandbox.post_story(owner.username, kind="video")

    assert (story.owner, story.media_type) == (owner, "video")
    assert (story.taken_at, story.expiring_at) == (EPOCH + 90, EPOCH + 90 + DAY)
    active = ig_sandbox.dataset.stories(owner.id, ig_sandbox.clock.now())
    assert active[-1] == story == ig_sandbox.dataset.story(story.story_id) and len(active) == 4
    items = _reel(api, owner.id)["items"]
    assert [str(item["pk"]) for item in items] == [s.story_id for s in active]
    posted = items[-1]
    assert posted["id"] == story.media_id and posted["media_type"] == 2
    assert (posted["taken_at"], posted["expiring_at"]) == (story.taken_at, story.expiring_at)
    assert posted["video_versions"][0]["url"] == story.video_url
    assert [c["url"] for c in posted["image_versions2"]["candidates"]] == [r.url for r in story.visual.images]


def test_the_tray_moves_to_the_new_story_and_takes_in_an_owner_who_had_none(ig_sandbox: Sandbox,
                                                                            api: httpx.Client) -> None:
    dataset = ig_sandbox.dataset
    owner, newcomer = dataset.user_at(OWNER_WITH_STORIES), dataset.user_at(OWNER_WITHOUT_STORIES)
    before = _tray(api)
    assert newcomer.id not in before
    ig_sandbox.clock.advance(600)

    story = ig_sandbox.post_story(owner.username)
    first = ig_sandbox.post_story(newcomer.username)

    after = _tray(api)
    assert before[owner.id]["latest_reel_media"] < after[owner.id]["latest_reel_media"] == story.taken_at
    assert after[owner.id]["media_ids"][-1] == story.story_id
    assert after[newcomer.id]["media_ids"] == [first.story_id]
    assert after[newcomer.id]["latest_reel_media"] == first.taken_at
    assert list(after) == [reel.user.id for reel in dataset.tray(ig_sandbox.clock.now())]
    assert list(after)[:2] == [owner.id, newcomer.id]  # newest first, ties by index


def test_an_owner_who_was_seen_is_unseen_again_after_posting(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    dataset = ig_sandbox.dataset
    owner = next(r.user for r in dataset.tray() if dataset.initially_seen(r.user))
    entry = _tray(api)[owner.id]
    assert entry["seen"] == entry["latest_reel_media"]

    ig_sandbox.clock.advance(60)
    ig_sandbox.post_story(owner.username)

    entry = _tray(api)[owner.id]
    assert entry["seen"] < entry["latest_reel_media"]


def test_a_not_followed_poster_is_reachable_through_reels_media_only(ig_sandbox: Sandbox,
                                                                    api: httpx.Client) -> None:
    stranger = ig_sandbox.dataset.user_at(NOT_FOLLOWED)

    story = ig_sandbox.post_story(stranger.username)

    assert stranger.id not in _tray(api)
    assert str(_reel(api, stranger.id)["items"][-1]["pk"]) == story.story_id


def test_the_story_page_shows_a_posted_story(ig_sandbox: Sandbox) -> None:
    owner = ig_sandbox.dataset.user_at(OWNER_WITHOUT_STORIES)

    story = ig_sandbox.post_story(owner.username)

    page = httpx.get(ig_sandbox.base_url + f"/stories/{owner.username}/{story.story_id}/", cookies=ig_sandbox.cookies)
    assert page.status_code == 200 and "isn't available" not in page.text
    assert story.story_id in page.text and story.image_url in page.text
    assert f'content="{story.permalink}"' in page.text


@pytest.mark.parametrize("kind", ["image", "video"])
def test_the_cdn_serves_a_posted_storys_media_at_its_advertised_sizes(ig_sandbox: Sandbox, kind: str) -> None:
    story = ig_sandbox.post_story(ig_sandbox.dataset.user_at(OWNER_WITH_STORIES).username, kind=kind)
    other = ig_sandbox.dataset.stories(story.owner_id)[0]

    with httpx.Client() as client:
        for rendition in (*story.visual.images, *story.visual.videos):
            response = client.get(rendition.url)
            assert response.status_code == 200
            expected = ig_sandbox.dataset.media(rendition.url)
            assert hashlib.sha256(response.content).hexdigest() == expected.sha256
            if urlsplit(rendition.url).path.endswith(".png"):
                assert png_size(response.content) == (rendition.width, rendition.height)
            else:
                assert response.content[4:8] == b"ftyp" and response.headers["content-type"] == "video/mp4"
            cache_key = parse_qs(urlsplit(rendition.url).query)["ig_cache_key"][0]
            assert base64.b64decode(cache_key.split(".")[0]).decode() == story.story_id
        assert client.get(story.media_url).content != client.get(other.media_url).content


def test_a_posted_story_can_be_replied_to(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    owner = ig_sandbox.dataset.user_at(OWNER_WITHOUT_STORIES)
    story = ig_sandbox.post_story(owner.username)
    thread = api.post("/api/v1/direct_v2/create_group_thread/",
                      data={"recipient_users": json.dumps([owner.id])}).json()["thread_id"]

    response = api.post("/api/v1/direct_v2/threads/broadcast/reel_share/", data={
        "action": "send_item", "client_context": "17871408005555", "media_id": story.media_id,
        "reel_id": owner.id, "thread_id": thread, "text": "new one!"})

    assert response.status_code == 200, response.text
    assert [(r.story_id, r.text) for r in ig_sandbox.replies()] == [(story.story_id, "new one!")]


def test_a_posted_story_expires_after_a_day_of_sandbox_clock(ig_sandbox: Sandbox, api: httpx.Client) -> None:
    owner = ig_sandbox.dataset.user_at(OWNER_WITHOUT_STORIES)
    story = ig_sandbox.post_story(owner.username)
    page = f"{ig_sandbox.base_url}/stories/{owner.username}/{story.story_id}/"

    ig_sandbox.clock.advance(DAY - 1)
    assert ig_sandbox.dataset.stories(owner.id, ig_sandbox.clock.now()) == [story]
    assert owner.id in _tray(api)

    ig_sandbox.clock.advance(1)
    assert ig_sandbox.dataset.stories(owner.id, ig_sandbox.clock.now()) == []
    assert owner.id not in _tray(api) and _reel(api, owner.id) is None
    assert "isn't available" in httpx.get(page, cookies=ig_sandbox.cookies).text
    assert ig_sandbox.dataset.story(story.story_id) == story  # expired, not forgotten


def test_a_story_posted_late_keeps_media_urls_that_outlive_it(ig_sandbox: Sandbox) -> None:
    generated = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(OWNER_WITH_STORIES).id)[0]
    ig_sandbox.clock.advance(CDN_URL_LIFETIME - DAY / 2)  # generated stories' URLs have half a day left
    story = ig_sandbox.post_story(ig_sandbox.dataset.user_at(OWNER_WITHOUT_STORIES).username)

    ig_sandbox.clock.advance(DAY - 1)

    assert httpx.get(generated.media_url).text == "URL signature expired"
    assert httpx.get(story.media_url).status_code == 200


def test_the_control_api_posts_a_story(ig_sandbox: Sandbox) -> None:
    owner = ig_sandbox.dataset.user_at(OWNER_WITH_STORIES)
    url = ig_sandbox.base_url + "/__sandbox__/stories"

    response = httpx.post(url, json={"username": owner.username, "kind": "video"})

    assert response.status_code == 200
    body = response.json()
    story = ig_sandbox.dataset.story(body["story"]["story_id"])
    assert body["status"] == "ok" and story is not None
    assert body["story"] == {
        "story_id": story.story_id, "media_id": story.media_id, "owner_id": owner.id,
        "owner_username": owner.username, "media_type": "video", "taken_at": story.taken_at,
        "expiring_at": story.expiring_at, "media_url": story.media_url, "permalink": story.permalink,
    }
    default_kind = httpx.post(url, json={"username": owner.username}).json()["story"]
    assert default_kind["media_type"] == "image"


@pytest.mark.parametrize("body", [
    {"username": "nobody.here"},
    {"username": "sandbox.viewer"},
    {"username": "OWNER", "kind": "carousel"},
    {"kind": "image"},
    {"username": 0},
])
def test_the_control_api_refuses_a_post_it_cannot_make(ig_sandbox: Sandbox, body: dict) -> None:
    owner = ig_sandbox.dataset.user_at(OWNER_WITH_STORIES).username
    body = {key: owner if value == "OWNER" else value for key, value in body.items()}

    response = httpx.post(ig_sandbox.base_url + "/__sandbox__/stories", json=body)

    assert response.status_code == 400 and response.json()["status"] == "fail"


def test_posted_ids_are_digits_unique_and_sort_after_every_other_story(ig_sandbox: Sandbox) -> None:
    dataset = ig_sandbox.dataset
    generated = [s.story_id for i in range(dataset.user_count) for s in dataset.all_stories(i)]

    posted = [ig_sandbox.post_story(dataset.user_at(i % 5).username).story_id for i in range(10)]
    ig_sandbox.reset()
    posted.append(ig_sandbox.post_story(dataset.user_at(0).username).story_id)

    assert all(story_id.isdigit() for story_id in posted)
    assert len(set(posted)) == len(posted)  # a reset forgets posted stories but never reuses their ids
    assert posted == sorted(posted) == sorted(posted, key=int)
    assert min(posted) > max(generated) and min(map(int, posted)) > max(map(int, generated))


def test_the_same_posts_on_the_same_seed_give_the_same_ids() -> None:
    def ids(seed: int) -> list[str]:
        dataset = Dataset(seed=seed, users=50, anchor=EPOCH, cdn_origin="http://127.0.0.2:9")
        return [dataset.post_story(dataset.user_at(i), "image", EPOCH + i).story_id for i in (3, 0, 3)]

    assert ids(1) == ids(1) != ids(2)


def test_reset_takes_posted_stories_away(ig_sandbox: Sandbox) -> None:
    owner = ig_sandbox.dataset.user_at(OWNER_WITH_STORIES)
    story = ig_sandbox.post_story(owner.username)

    ig_sandbox.reset()

    assert story not in ig_sandbox.dataset.stories(owner.id)
    assert ig_sandbox.dataset.story(story.story_id) is None
    assert httpx.get(story.media_url).status_code == 404


def test_concurrent_posts_and_reads_each_get_their_own_story(ig_sandbox: Sandbox) -> None:
    dataset = ig_sandbox.dataset
    usernames = [reel.user.username for reel in dataset.tray()][:8]

    def post_and_read(n: int) -> str:
        story = ig_sandbox.post_story(usernames[n % len(usernames)])
        dataset.tray(ig_sandbox.clock.now())
        return story.story_id

    with ThreadPoolExecutor(max_workers=8) as pool:
        story_ids = list(pool.map(post_and_read, range(200)))

    assert len(set(story_ids)) == 200
    assert all(dataset.story(story_id) is not None for story_id in story_ids)
    posted = [s.story_id for name in usernames for s in dataset.stories(dataset.user(name).id)
              if s.story_id in set(story_ids)]
    assert sorted(posted) == sorted(story_ids)
