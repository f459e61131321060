"""``DomMediaFallback`` and ``NetworkLogMediaFallback`` on both engines, against story-viewer-like pages.

The pages come from one origin and their media from a second one (the "CDN"), with URLs shaped
like Instagram's: ``/v/t51.2885-15/`` story images, ``/v/t50.2886-16/`` videos,
``/v/t51.2885-19/`` profile pictures, and ``ig_cache_key`` naming the story.
"""

from __future__ import annotations

import base64

import pytest
from browser_pages import Reply, html, png, serving

from storysync.adapters.browser.dom_fallback import DomMediaFallback
from storysync.adapters.browser.perflog_fallback import NetworkLogMediaFallback
from storysync.adapters.browser.playwright_session import PlaywrightSession
from storysync.adapters.browser.selenium_session import SeleniumSession
from storysync.core.models import StoryContext
from storysync.core.ports import MediaFallback

pytestmark = pytest.mark.browser

ENGINES = {"selenium": SeleniumSession, "playwright": PlaywrightSession}
STORY = "3141592653589793238"
NEXT_STORY = "3141592653589793239"

IMAGE_PATH = f"/v/t51.2885-15/{STORY}_n.jpg"
VIDEO_PATH = f"/v/t50.2886-16/{STORY}_n.mp4"
STREAMED_PATH = f"/v/t50.2886-16/{STORY}_stream_n.mp4"
NEXT_IMAGE_PATH = f"/v/t51.2885-15/{NEXT_STORY}_n.jpg"
AVATAR_PATH = "/v/t51.2885-19/42_n.jpg"
THUMBNAIL_PATH = "/v/t51.2885-15/77_thumb_n.jpg"


def cache_key(story_id: str) -> str:
    return base64.b64encode(story_id.encode()).decode().rstrip("=") + ".3-ccb7-5"


def _image(request) -> Reply:
    return Reply(content_type="image/jpeg", body=png(64, 64), headers={"Access-Control-Allow-Origin": "*"})


def _video(request) -> Reply:
    return Reply(content_type="video/mp4", body=b"\x00\x00\x00\x18ftypmp42", headers={"Access-Control-Allow-Origin": "*"})


CDN_ROUTES = {
    IMAGE_PATH: _image,
    NEXT_IMAGE_PATH: _image,
    AVATAR_PATH: _image,
    THUMBNAIL_PATH: _image,
    VIDEO_PATH: _video,
    STREAMED_PATH: _video,
}


def story_pages(cdn: str) -> dict:
    image = f"{cdn}{IMAGE_PATH}?stp=dst-jpg_e35&ig_cache_key={cache_key(STORY)}"
    video = f"{cdn}{VIDEO_PATH}?ig_cache_key={cache_key(STORY)}"
    streamed = f"{cdn}{STREAMED_PATH}?ig_cache_key={cache_key(STORY)}"
    next_image = f"{cdn}{NEXT_IMAGE_PATH}?ig_cache_key={cache_key(NEXT_STORY)}"
    avatar = f"{cdn}{AVATAR_PATH}?stp=dst-jpg_s150x150"
    thumbnail = f"{cdn}{THUMBNAIL_PATH}"
    header = f"<header><img alt='avatar' src='{avatar}' style='width:32px;height:32px'></header>"
    tray = f"<img alt='tray' src='{thumbnail}' style='width:120px;height:120px'>"
    return {
        "/stories/alice/image/": lambda request: html(
            header + tray
            + f"<img alt='hidden' src='{next_image}' style='display:none;width:600px;height:900px'>"
            + f"<img alt='story' srcset='{image} 1080w' sizes='400px' style='width:400px;height:700px'>"
        ),
        "/stories/alice/video/": lambda request: html(
            header
            + f"<img alt='cover' src='{image}' style='width:420px;height:740px'>"
            + f"<video muted style='width:400px;height:700px'><source src='{video}' type='video/mp4'></video>"
        ),
        "/stories/alice/avatar-only/": lambda request: html(
            f"<img alt='avatar' src='{avatar}' style='width:300px;height:300px'>"
        ),
        # An MSE-style player: the file arrives by script and plays from a blob: URL; the next
        # story's image is preloaded afterwards, so it is the most recent CDN response.
        "/stories/alice/blob/": lambda request: html(
            header
            + f"<video id=player muted data-streamed='{streamed}' data-next='{next_image}'"
            " style='width:400px;height:700px'></video>"
            "<script>"
            "const player = document.getElementById('player');"
            "fetch(player.dataset.streamed).then(r => r.blob()).then(blob => {"
            "  player.src = URL.createObjectURL(blob);"
            "  return fetch(player.dataset.next);"
            "}).then(() => { document.body.dataset.ready = 'yes'; });"
            "</script>"
        ),
        "/stories/alice/unavailable/": lambda request: html("<p>This story is unavailable.</p>"),
    }


@pytest.fixture(scope="module")
def cdn():
    with serving(CDN_ROUTES) as server:
        yield server


@pytest.fixture(scope="module")
def pages(cdn):
    with serving(story_pages(cdn.base_url)) as server:
        yield server


@pytest.fixture(scope="module", params=sorted(ENGINES))
def session(request):
    browser = ENGINES[request.param]()
    yield browser
    browser.close()


def open_story(session, pages, page: str) -> StoryContext:
    session.navigate(f"{pages.base_url}/stories/alice/{page}/")
    return StoryContext(username="alice", story_id=STORY, page_url=session.current_url())


def wait_for_player(session) -> None:
    """The blob page's player fetches its media by script, after the page's load event."""
    session.evaluate(
        "const deadline = Date.now() + 3000;"
        "while (document.body.dataset.ready !== 'yes' && Date.now() < deadline)"
        "  await new Promise(resolve => setTimeout(resolve, 25));"
    )


def cdn_host(cdn) -> str:
    return cdn.base_url.split("//", 1)[1]


def test_both_implement_the_port(session, cdn):
    assert isinstance(DomMediaFallback(session), MediaFallback)
    assert isinstance(NetworkLogMediaFallback(session, cdn_hosts=[cdn_host(cdn)]), MediaFallback)


def test_dom_picks_the_big_story_image_not_avatars_thumbnails_or_hidden_media(session, pages, cdn):
    context = open_story(session, pages, "image")
    media = DomMediaFallback(session).resolve(context)
    assert media is not None
    assert media.media_url.startswith(cdn.base_url + IMAGE_PATH)  # currentSrc of the srcset
    assert (media.source, media.media_type, media.story_id) == ("dom", "image", STORY)


def test_dom_prefers_the_video_over_its_bigger_cover(session, pages, cdn):
    context = open_story(session, pages, "video")
    media = DomMediaFallback(session).resolve(context)
    assert media.media_url.startswith(cdn.base_url + VIDEO_PATH)
    assert media.media_type == "video"


def test_dom_recovers_the_story_id_from_the_cache_key(session, pages):
    open_story(session, pages, "image")
    media = DomMediaFallback(session).resolve(StoryContext(username="alice"))
    assert media.story_id == STORY


def test_dom_finds_nothing_when_only_a_profile_picture_is_big(session, pages):
    context = open_story(session, pages, "avatar-only")
    assert DomMediaFallback(session).resolve(context) is None


def test_blob_video_defeats_the_dom_but_not_the_network_log(session, pages, cdn):
    perflog = NetworkLogMediaFallback(session, cdn_hosts=[cdn_host(cdn)])
    context = open_story(session, pages, "blob")
    wait_for_player(session)
    assert DomMediaFallback(session).resolve(context) is None
    media = perflog.resolve(context)
    assert media is not None
    # the preloaded next story is more recent, but the cache key names this story
    assert media.media_url.startswith(cdn.base_url + STREAMED_PATH)
    assert (media.source, media.media_type, media.story_id) == ("perflog", "video", STORY)
    # the session's log is drained; the fallback's own buffer still remembers this page
    assert perflog.resolve(context) == media


def test_network_log_without_a_story_id_takes_what_the_page_shows(session, pages, cdn):
    perflog = NetworkLogMediaFallback(session, cdn_hosts=[cdn_host(cdn)])
    open_story(session, pages, "video")
    media = perflog.resolve(StoryContext(username="alice"))
    assert media.media_url.startswith(cdn.base_url + VIDEO_PATH)
    assert media.story_id == STORY


def test_network_log_ignores_hosts_that_are_not_a_cdn(session, pages):
    perflog = NetworkLogMediaFallback(session)
    context = open_story(session, pages, "video")
    assert perflog.resolve(context) is None


def test_a_new_page_starts_a_new_buffer(session, pages, cdn):
    perflog = NetworkLogMediaFallback(session, cdn_hosts=[cdn_host(cdn)])
    open_story(session, pages, "video")
    assert perflog.resolve(StoryContext(username="alice")) is not None
    open_story(session, pages, "unavailable")
    assert perflog.resolve(StoryContext(username="alice")) is None
