"""The browser adapters' pure rules: media URL checks, DOM ranking, network-log choice, cookie records.

No browser runs here; the network-log fallback reads a scripted stand-in for a ``BrowserSession``.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from storysync.adapters.browser.cookies import browser_cookies
from storysync.adapters.browser.dom_fallback import VisibleMedia, choose_story_media
from storysync.adapters.browser.media_urls import is_downloadable_media_url, media_kind, same_media
from storysync.adapters.browser.perflog_fallback import NetworkLogMediaFallback
from storysync.core.models import NetworkResponse, StoryContext

CDN = "https://scontent-ams2-1.cdninstagram.com"
STORY = "3141592653589793238"
OTHER_STORY = "3141592653589793239"


def cache_key(story_id: str) -> str:
    return base64.b64encode(story_id.encode()).decode() + ".3-ccb7-5"


def story_url(story_id: str, name: str, host: str = CDN) -> str:
    return f"{host}/v/t51.2885-15/{name}?stp=dst-jpg&ig_cache_key={cache_key(story_id)}"


@pytest.mark.parametrize(
    ("url", "downloadable"),
    [
        (f"{CDN}/v/t51.2885-15/1_n.jpg", True),
        ("http://127.0.0.1:8001/v/t50.2886-16/1_n.mp4", True),
        ("blob:https://www.instagram.com/5d1c", False),
        ("data:image/png;base64,AAAA", False),
        ("javascript:alert(1)", False),
        ("mediastream:abc", False),
        (f"{CDN}/v/t51.2885-19/42_n.jpg", False),
        (f"{CDN}/v/t51.2885-15/1_n.jpg?stp=dst-jpg_s150x150", False),
    ],
)
def test_downloadable_media_urls(url, downloadable):
    assert is_downloadable_media_url(url) is downloadable


@pytest.mark.parametrize(
    ("mime_type", "url", "kind"),
    [
        ("video/mp4", f"{CDN}/x", "video"),
        ("image/webp", f"{CDN}/x", "image"),
        ("application/octet-stream", f"{CDN}/v/1_n.MP4?x=1", "video"),
        ("", f"{CDN}/v/1_n.jpg", "image"),
        ("application/json", f"{CDN}/api/v1/feed", None),
    ],
)
def test_media_kind_from_mime_type_then_extension(mime_type, url, kind):
    assert media_kind(mime_type, url) == kind


def test_same_media_ignores_edge_host_and_signature():
    assert same_media(f"{CDN}/v/a/1_n.jpg?oh=1", "https://scontent-lhr8-2.cdninstagram.com/v/a/1_n.jpg?oh=2")
    assert not same_media(f"{CDN}/v/a/1_n.jpg", f"{CDN}/v/a/2_n.jpg")


def visible(kind: str, url: str, width: float = 400, height: float = 700, centre_distance: float = 0) -> VisibleMedia:
    return VisibleMedia(kind=kind, url=url, width=width, height=height, centre_distance=centre_distance)


def test_dom_ranking_prefers_video_then_size_then_centre():
    image = visible("image", f"{CDN}/big.jpg", 500, 800)
    video = visible("video", f"{CDN}/clip.mp4", 400, 700)
    assert choose_story_media([image, video]) == video
    near = visible("image", f"{CDN}/near.jpg", 400, 700, centre_distance=10)
    far = visible("image", f"{CDN}/far.jpg", 400, 700, centre_distance=300)
    assert choose_story_media([far, near]) == near
    assert choose_story_media([near, image]) == image


def test_dom_ranking_skips_small_and_undownloadable_media():
    assert choose_story_media([
        visible("image", f"{CDN}/thumb.jpg", 219, 700),
        visible("image", f"{CDN}/wide.jpg", 700, 219),
        visible("video", "blob:https://www.instagram.com/1"),
        visible("image", f"{CDN}/v/t51.2885-19/42_n.jpg"),
    ]) is None


class ScriptedSession:
    """A ``BrowserSession`` stand-in: hands out queued network-log batches and a fixed DOM."""

    name = "scripted"

    def __init__(self, batches: list[list[NetworkResponse]], shown: list[dict[str, Any]] = ()) -> None:
        self._batches = batches
        self._shown = list(shown)

    def network_log(self) -> list[NetworkResponse]:
        return self._batches.pop(0) if self._batches else []

    def evaluate(self, script: str, *args: Any) -> Any:
        return self._shown


def response(url: str, status: int = 200, mime_type: str = "image/jpeg", resource_type: str = "image") -> NetworkResponse:
    return NetworkResponse(url=url, status=status, mime_type=mime_type, resource_type=resource_type)


def test_network_log_prefers_the_story_keyed_response_over_newer_ones():
    mine = story_url(STORY, "mine_n.jpg")
    session = ScriptedSession([[response(mine), response(story_url(OTHER_STORY, "next_n.jpg")), response(f"{CDN}/v/x_n.jpg")]])
    media = NetworkLogMediaFallback(session).resolve(StoryContext(story_id=STORY))
    assert (media.media_url, media.story_id, media.media_type, media.source) == (mine, STORY, "image", "perflog")


def test_network_log_prefers_a_video_story_over_its_newer_cover():
    video = story_url(STORY, "clip_n.mp4")
    session = ScriptedSession([[response(video, mime_type="video/mp4", resource_type="media"), response(story_url(STORY, "cover_n.jpg"))]])
    assert NetworkLogMediaFallback(session).resolve(StoryContext(story_id=STORY)).media_url == video


def test_network_log_never_returns_another_storys_media():
    session = ScriptedSession([[response(story_url(OTHER_STORY, "next_n.jpg"))]])
    assert NetworkLogMediaFallback(session).resolve(StoryContext(story_id=STORY)) is None


def test_network_log_falls_back_to_what_the_page_shows_then_to_the_newest():
    shown = "https://scontent-lhr8-2.cdninstagram.com/v/t51.2885-15/shown_n.jpg?oh=2"
    older = f"{CDN}/v/t51.2885-15/shown_n.jpg?oh=1"
    newest = f"{CDN}/v/t51.2885-15/newest_n.jpg"
    dom = [{"kind": "image", "url": shown, "width": 400, "height": 700, "centreDistance": 0}]
    media = NetworkLogMediaFallback(ScriptedSession([[response(older), response(newest)]], dom)).resolve(StoryContext(story_id=STORY))
    assert media.media_url == older
    media = NetworkLogMediaFallback(ScriptedSession([[response(older), response(newest)]])).resolve(StoryContext(story_id=STORY))
    assert media.media_url == newest


def test_network_log_keeps_only_successful_cdn_media():
    session = ScriptedSession([[
        response(story_url(STORY, "failed_n.jpg"), status=403),
        response(story_url(STORY, "api.json"), mime_type="application/json", resource_type="fetch"),
        response(story_url(STORY, "elsewhere_n.jpg", host="https://example.com")),
        response(f"{CDN}/v/t51.2885-19/42_n.jpg?ig_cache_key={cache_key(STORY)}"),
    ]])
    assert NetworkLogMediaFallback(session).resolve(StoryContext(story_id=STORY)) is None


def test_network_log_accepts_configured_cdn_hosts_and_partial_content():
    url = story_url(STORY, "clip_n.mp4", host="http://127.0.0.1:8001")
    session = ScriptedSession([[response(url, status=206, mime_type="video/mp4", resource_type="media")]])
    media = NetworkLogMediaFallback(session, cdn_hosts=["127.0.0.1:8001"]).resolve(StoryContext())
    assert (media.media_url, media.media_type, media.story_id) == (url, "video", STORY)


def test_network_log_buffer_spans_reads_and_restarts_with_a_new_document():
    first = story_url(STORY, "first_n.jpg")
    session = ScriptedSession([
        [response(first)],
        [],
        [response("https://www.instagram.com/stories/alice/2/", mime_type="text/html", resource_type="document")],
    ])
    fallback = NetworkLogMediaFallback(session)
    assert fallback.resolve(StoryContext()).media_url == first
    assert fallback.resolve(StoryContext()).media_url == first
    assert fallback.resolve(StoryContext()) is None


def test_network_log_without_any_story_id_finds_nothing():
    session = ScriptedSession([[response(f"{CDN}/v/t51.2885-15/anonymous_n.jpg")]])
    assert NetworkLogMediaFallback(session).resolve(StoryContext()) is None


def test_cookie_records_for_browsers():
    records = browser_cookies(
        [
            {"name": "sessionid", "value": "s", "domain": ".instagram.com", "path": "/", "expires": 1.9e9,
             "secure": True, "httpOnly": True, "sameSite": "no_restriction"},
            {"name": "csrftoken", "value": "c", "expires": None},
            {"name": "", "value": "ignored"},
        ],
        "https://www.instagram.com/",
    )
    assert records == [
        {"name": "sessionid", "value": "s", "domain": ".instagram.com", "path": "/", "expires": 1.9e9,
         "secure": True, "httpOnly": True, "sameSite": "None"},
        {"name": "csrftoken", "value": "c", "url": "https://www.instagram.com/"},
    ]
