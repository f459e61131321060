"""The data set (deterministic, lazy, expiring) and the CDN that serves its media."""

from __future__ import annotations

import base64
import hashlib
import time
from urllib.parse import parse_qs, urlsplit

import httpx

from storysync.plugins.sandbox import Dataset, Sandbox
from storysync.plugins.sandbox.imaging import png_size

EPOCH = 1_787_140_800


def _dataset(seed: int = 1, users: int = 50) -> Dataset:
    return Dataset(seed=seed, users=users, anchor=EPOCH, cdn_origin="http://127.0.0.2:9")


def test_the_same_seed_gives_the_same_world() -> None:
    first, second, other = _dataset(), _dataset(), _dataset(seed=2)
    assert [u.username for u in first.users] == [u.username for u in second.users]
    assert [s.story_id for s in first.stories(first.user_at(20).id)] == \
           [s.story_id for s in second.stories(second.user_at(20).id)]
    assert [u.id for u in first.users] != [u.id for u in other.users]


def test_users_and_stories_are_found_by_username_and_id() -> None:
    dataset = _dataset()
    user = dataset.user_at(17)
    assert dataset.user(user.username) == user and dataset.user_by_id(user.id) == user
    assert dataset.user("nobody") is None and dataset.user_by_id("123") is None
    owner = dataset.user_at(0)
    for story in dataset.stories(owner.id):
        assert dataset.story(story.story_id) == story
        assert story.media_id == f"{story.story_id}_{owner.id}"


def test_stories_expire_with_the_clock() -> None:
    dataset = _dataset()
    owner = dataset.user_at(0)
    assert len(dataset.stories(owner.id, now=EPOCH)) == 3
    assert dataset.stories(owner.id, now=EPOCH + 86_400) == []
    assert len(dataset.stories(dataset.user_at(9).id, now=EPOCH)) == 1  # its other story expired already


def test_five_thousand_users_are_ready_quickly() -> None:
    started = time.monotonic()
    dataset = _dataset(users=5000)
    tray = dataset.tray()
    assert time.monotonic() - started < 5
    assert len(tray) > 2000 and tray[0].user.index == 0


def test_every_advertised_image_has_its_advertised_size(ig_sandbox: Sandbox) -> None:
    story = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(2).id)[0]  # a carousel: children too
    with httpx.Client() as client:
        for visual in (story.visual, *story.children):
            for rendition in visual.images:
                response = client.get(rendition.url)
                assert response.status_code == 200 and response.headers["content-type"] == "image/png"
                assert urlsplit(rendition.url).path.endswith(".png")
                assert png_size(response.content) == (rendition.width, rendition.height)
                expected = ig_sandbox.dataset.media(rendition.url)
                assert hashlib.sha256(response.content).hexdigest() == expected.sha256


def test_videos_are_mp4_files_with_their_own_bytes(ig_sandbox: Sandbox) -> None:
    video = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(1).id)[0]
    other = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(7).id)[1]
    first, second = httpx.get(video.video_url), httpx.get(other.video_url)
    assert first.headers["content-type"] == "video/mp4" and first.content[4:8] == b"ftyp"
    assert first.content == ig_sandbox.dataset.media(video.video_url).content
    assert first.content != second.content


def test_media_urls_are_shaped_like_instagrams(ig_sandbox: Sandbox) -> None:
    story = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(0).id)[0]
    url = urlsplit(story.media_url)
    query = parse_qs(url.query)
    assert url.path.startswith("/v/t51.2885-15/")
    assert {"stp", "_nc_ht", "ig_cache_key", "oh", "oe"} <= set(query)
    assert base64.b64decode(query["ig_cache_key"][0].split(".")[0]).decode() == story.story_id
    assert query["ig_cache_key"][0].endswith(".3-ccb7-5")
    avatar = urlsplit(story.owner.profile_pic_url)
    assert avatar.path.startswith("/v/t51.2885-19/") and "s150x150" in parse_qs(avatar.query)["stp"][0]
    assert png_size(httpx.get(story.owner.profile_pic_url).content) == (150, 150)


def test_the_cdn_refuses_what_it_did_not_issue(ig_sandbox: Sandbox) -> None:
    url = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(0).id)[0].media_url
    assert httpx.get(url.replace("_n.png", "0_n.png")).status_code == 404
    tampered = httpx.get(url.replace("oh=00_Af", "oh=00_Ag"))
    assert tampered.status_code == 403 and tampered.text == "URL signature mismatch"
    ig_sandbox.clock.advance(5 * 86_400)
    assert httpx.get(url).text == "URL signature expired"


def test_media_is_served_cross_origin(ig_sandbox: Sandbox) -> None:
    assert urlsplit(ig_sandbox.cdn_url).hostname != urlsplit(ig_sandbox.base_url).hostname
    url = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(0).id)[0].media_url
    assert httpx.get(url).headers["access-control-allow-origin"] == "*"
