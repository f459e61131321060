"""The browser adapters against the sandbox's Instagram: in-page API requests and story-page media.

Both engines, one browser each for the module. The sandbox's markup variants change how the
same story lands in the DOM; the fallbacks must find it in each.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest

from storysync.adapters.browser.dom_fallback import DomMediaFallback
from storysync.adapters.browser.perflog_fallback import NetworkLogMediaFallback
from storysync.adapters.browser.playwright_session import PlaywrightSession
from storysync.adapters.browser.selenium_session import SeleniumSession
from storysync.adapters.browser.transport import BrowserTransport
from storysync.core.errors import RateLimited
from storysync.core.models import StoryContext

pytestmark = pytest.mark.browser

ENGINES = {"selenium": SeleniumSession, "playwright": PlaywrightSession}
WEB_APP_ID = "936619743392459"
GATE_BUTTON = "[data-testid=view-gate] button, [role=dialog] [role=button], [role=dialog] button"
STORY_MEDIA = "#story-root img, #story-root video"


@pytest.fixture(scope="module", params=sorted(ENGINES))
def session(request):
    browser = ENGINES[request.param]()
    yield browser
    browser.close()


def account_cookies(sandbox) -> list[dict]:
    return [{"name": name, "value": value, "path": "/"} for name, value in sandbox.cookies.items()]


def first_story(sandbox, *, video: bool):
    now = sandbox.clock.now()
    for reel in sandbox.dataset.tray(now):
        for story in sandbox.dataset.stories(reel.user.id, now):
            if bool(story.video_url) == video:
                return story
    raise AssertionError("the sandbox data set has no such story")


def open_story(session, sandbox, story) -> StoryContext:
    """Open the story's page logged in, pass the view gate and wait for its media element."""
    session.set_cookies(account_cookies(sandbox), sandbox.base_url + "/")
    session.navigate(f"{sandbox.base_url}/stories/{story.owner_username}/{story.story_id}/")
    assert session.click(GATE_BUTTON, timeout=5)
    assert session.click(STORY_MEDIA, timeout=5)  # present and visible
    return StoryContext(username=story.owner_username, story_id=story.story_id, page_url=session.current_url())


def cdn_hosts(sandbox) -> list[str]:
    return [urlsplit(sandbox.cdn_url).netloc]


def test_reels_tray_through_the_page(session, ig_sandbox):
    transport = BrowserTransport(session, base_url=ig_sandbox.base_url, app_id=WEB_APP_ID,
                                 cookies=account_cookies(ig_sandbox))
    tray = json.loads(transport.get_json("feed/reels_tray/", endpoint="feed/reels_tray", referer=ig_sandbox.base_url + "/"))
    assert tray["status"] == "ok"
    assert transport.request_counts == {"feed/reels_tray": 1}


def test_in_page_requests_pass_where_direct_ones_are_refused(session, ig_sandbox):
    ig_sandbox.set_fault("direct_refused")
    transport = BrowserTransport(session, base_url=ig_sandbox.base_url, app_id=WEB_APP_ID,
                                 cookies=account_cookies(ig_sandbox))
    tray = json.loads(transport.get_json("feed/reels_tray/", endpoint="feed/reels_tray", referer=ig_sandbox.base_url + "/"))
    assert tray["status"] == "ok"


def test_sandbox_rate_limit_is_classified(session, ig_sandbox):
    ig_sandbox.set_fault("rate_limit", endpoint="feed/reels_tray", retry_after=45)
    events = []
    transport = BrowserTransport(session, base_url=ig_sandbox.base_url, app_id=WEB_APP_ID,
                                 cookies=account_cookies(ig_sandbox), on_event=events.append)
    with pytest.raises(RateLimited) as raised:
        transport.get_json("feed/reels_tray/", endpoint="feed/reels_tray", referer=ig_sandbox.base_url + "/")
    assert raised.value.retry_after == 45
    assert events[0].fields["browser_fallback_attempted"] is True


@pytest.mark.parametrize("variant", ["default", "classes", "nested", "picture", "delayed"])
def test_dom_and_network_log_find_an_image_story(session, ig_sandbox, variant):
    ig_sandbox.set_variant(variant)
    story = first_story(ig_sandbox, video=False)
    perflog = NetworkLogMediaFallback(session, cdn_hosts=cdn_hosts(ig_sandbox))
    context = open_story(session, ig_sandbox, story)
    dom_media = DomMediaFallback(session).resolve(context)
    assert dom_media is not None and dom_media.media_type == "image"
    assert dom_media.media_url.startswith(ig_sandbox.cdn_url + "/v/t51.2885-15/")
    assert dom_media.story_id == story.story_id
    logged_media = perflog.resolve(context)
    assert logged_media is not None and logged_media.story_id == story.story_id
    assert logged_media.media_url.startswith(ig_sandbox.cdn_url + "/v/t51.2885-15/")


@pytest.mark.parametrize("variant", ["default", "blob_video"])
def test_video_story_media(session, ig_sandbox, variant):
    ig_sandbox.set_variant(variant)
    story = first_story(ig_sandbox, video=True)
    perflog = NetworkLogMediaFallback(session, cdn_hosts=cdn_hosts(ig_sandbox))
    context = open_story(session, ig_sandbox, story)
    dom_media = DomMediaFallback(session).resolve(context)
    if variant == "blob_video":
        assert dom_media is None
    else:
        assert (dom_media.media_type, dom_media.media_url) == ("video", story.video_url)
    logged_media = perflog.resolve(context)
    assert (logged_media.media_type, logged_media.media_url) == ("video", story.video_url)
