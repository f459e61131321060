"""The markup of the viewer variants that hide which story is shown (``no_ids``) or whose it is
(``no_owner``), read over plain HTTP: addresses, ``og:url``, media URLs and the viewer's data.
"""

from __future__ import annotations

import json
import re

import httpx

from storysync.plugins.sandbox import Sandbox

OG_URL = re.compile(r'<meta property="og:url" content="([^"]*)">')
VIEWER_DATA = re.compile(r'<script type="application/json" id="sandbox-viewer-data">(.*?)</script>', re.S)
TRAY_HREF = re.compile(r'data-story-href="([^"]*)"')


def get(sandbox: Sandbox, path: str, variant: str) -> httpx.Response:
    response = httpx.get(sandbox.base_url + path, params={"__variant": variant}, cookies=sandbox.cookies)
    assert response.status_code == 200
    return response


def viewer_data(page: httpx.Response) -> dict:
    return json.loads(VIEWER_DATA.search(page.text).group(1))


def media_urls(data: dict) -> list[str]:
    return [media["url"] for story in data["stories"]
            for media in [*story["images"], *([story["video"]] if story["video"] else [])]]


def test_no_ids_names_no_story_in_the_address_og_url_or_media(ig_sandbox: Sandbox) -> None:
    owner = ig_sandbox.dataset.user_at(1)  # a video and an image: both kinds of media URL
    stories = ig_sandbox.dataset.stories(owner.id)
    home = get(ig_sandbox, "/", "no_ids")
    assert f"/stories/{owner.username}/" in TRAY_HREF.findall(home.text)
    page = get(ig_sandbox, f"/stories/{owner.username}/{stories[1].story_id}/", "no_ids")
    assert OG_URL.search(page.text) is None
    data = viewer_data(page)
    assert [story["path"] for story in data["stories"]] == [f"/stories/{owner.username}/"] * len(stories)
    urls = media_urls(data)
    assert urls and not any("ig_cache_key" in url for url in urls)
    # Without the key the URLs are still the CDN's own: they load.
    assert all(httpx.get(url).status_code == 200 for url in urls)


def test_no_owner_addresses_every_story_as_a_highlight(ig_sandbox: Sandbox) -> None:
    owner, neighbour = ig_sandbox.dataset.user_at(0), ig_sandbox.dataset.user_at(1)
    stories = ig_sandbox.dataset.stories(owner.id)
    home = get(ig_sandbox, "/", "no_owner")
    assert f"/stories/highlights/{stories[0].story_id}/" in TRAY_HREF.findall(home.text)
    assert f"/stories/{owner.username}/" not in home.text
    page = get(ig_sandbox, f"/stories/highlights/{stories[1].story_id}/", "no_owner")
    assert OG_URL.search(page.text).group(1) == f"https://www.instagram.com/stories/highlights/{stories[1].story_id}/"
    data = viewer_data(page)
    assert (data["owner"]["username"], data["index"]) == (owner.username, 1)
    assert [story["path"] for story in data["stories"]] == [f"/stories/highlights/{s.story_id}/" for s in stories]
    first_of_neighbour = ig_sandbox.dataset.stories(neighbour.id)[0]
    assert data["nextOwnerPath"] == f"/stories/highlights/{first_of_neighbour.story_id}/"


def test_a_highlight_address_of_an_unknown_or_expired_story_is_unavailable(ig_sandbox: Sandbox) -> None:
    expired = ig_sandbox.dataset.all_stories(9)[0]
    for story_id in (expired.story_id, "1", "not-an-id"):
        page = get(ig_sandbox, f"/stories/highlights/{story_id}/", "no_owner")
        assert "Sorry, this page isn't available." in page.text


def test_other_variants_keep_og_url_and_cache_keys(ig_sandbox: Sandbox) -> None:
    story = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(0).id)[0]
    page = get(ig_sandbox, f"/stories/{story.owner_username}/{story.story_id}/", "default")
    assert OG_URL.search(page.text).group(1) == f"https://www.instagram.com/stories/{story.owner_username}/{story.story_id}/"
    assert all("ig_cache_key" in url for url in media_urls(viewer_data(page)))
