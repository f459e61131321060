"""The sandbox's pages in real headless Chromium driven by Playwright."""

from __future__ import annotations

import base64
import os
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Response, expect, sync_playwright

from storysync.plugins.sandbox import Sandbox

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is required for browser tests and is missing at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


class LoggedInPage:
    def __init__(self, page: Page, responses: list[Response]) -> None:
        self.page = page
        self.responses = responses

    def cdn_responses(self, sandbox: Sandbox) -> list[Response]:
        return [r for r in self.responses if r.url.startswith(sandbox.cdn_url) and r.status == 200]


@pytest.fixture
def logged_in(browser: Browser, ig_sandbox: Sandbox) -> Iterator[LoggedInPage]:
    context = browser.new_context()
    context.add_cookies([{"name": k, "value": v, "url": ig_sandbox.base_url} for k, v in ig_sandbox.cookies.items()])
    responses: list[Response] = []
    context.on("response", lambda response: responses.append(response))
    yield LoggedInPage(context.new_page(), responses)
    context.close()


def _pass_gate(page: Page, username: str) -> None:
    expect(page.get_by_text(f"{username} will be able to see that you viewed their story")).to_be_visible()
    page.get_by_role("button", name="View story").click()


def test_home_tray_opens_a_story_behind_the_view_gate(ig_sandbox: Sandbox, logged_in: LoggedInPage) -> None:
    page, owner = logged_in.page, ig_sandbox.dataset.user_at(0)
    stories = ig_sandbox.dataset.stories(owner.id)
    page.goto(ig_sandbox.base_url + "/")
    page.get_by_role("button", name=f"Story by {owner.username}, not seen").click()
    page.wait_for_url(f"**/stories/{owner.username}/{stories[0].story_id}/")
    expect(page.locator("img[srcset]")).to_have_count(0)  # nothing shown before the gate
    _pass_gate(page, owner.username)
    image = page.locator("img[srcset]")
    expect(image).to_be_visible()
    expect(page.get_by_role("progressbar")).to_be_visible()
    page.wait_for_function("() => document.querySelector('img[srcset]').complete")
    loaded = [r for r in logged_in.cdn_responses(ig_sandbox) if r.request.resource_type == "image"]
    assert any("/v/t51.2885-15/" in r.url and r.headers["content-type"] == "image/png" for r in loaded)
    og_url = page.locator('meta[property="og:url"]').get_attribute("content")
    assert og_url == stories[0].permalink

    page.get_by_role("button", name="Next").click()
    page.wait_for_url(f"**/stories/{owner.username}/{stories[1].story_id}/")
    expect(page.locator("img[srcset]")).to_be_visible()  # Next keeps the viewer open: no second gate
    page.keyboard.press("ArrowRight")
    page.wait_for_url(f"**/stories/{owner.username}/{stories[2].story_id}/")
    page.get_by_role("button", name="Next").click()  # the owner's last story: on to the next tray owner
    page.wait_for_url(f"**/stories/{ig_sandbox.dataset.user_at(1).username}/*/")


def test_a_reply_typed_in_the_viewer_is_recorded_once(ig_sandbox: Sandbox, logged_in: LoggedInPage) -> None:
    page, story = logged_in.page, ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(0).id)[1]
    page.goto(ig_sandbox.base_url + f"/stories/{story.owner_username}/{story.story_id}/")
    _pass_gate(page, story.owner_username)
    page.get_by_placeholder(f"Reply to {story.owner_username}...").fill("love this")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Reply sent")).to_be_visible()
    [reply] = ig_sandbox.replies()
    assert (reply.story_id, reply.text, reply.browser) == (story.story_id, "love this", True)


def test_replies_off_and_unknown_stories_say_so(ig_sandbox: Sandbox, logged_in: LoggedInPage) -> None:
    page, story = logged_in.page, ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(7).id)[0]
    page.goto(ig_sandbox.base_url + f"/stories/{story.owner_username}/{story.story_id}/")
    _pass_gate(page, story.owner_username)
    expect(page.get_by_text("Replies aren't available")).to_be_visible()
    expect(page.locator("textarea")).to_have_count(0)
    page.goto(ig_sandbox.base_url + f"/stories/{story.owner_username}/1234/")
    expect(page.get_by_text("Sorry, this page isn't available.")).to_be_visible()


def _open_variant(ig_sandbox: Sandbox, page: Page, user_index: int, variant: str) -> None:
    story = ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(user_index).id)[0]
    page.goto(ig_sandbox.base_url + f"/stories/{story.owner_username}/{story.story_id}/?__variant={variant}")


@pytest.mark.parametrize("variant", ["classes", "nested", "picture", "delayed"])  # default: the tray test
def test_image_variants_render_the_story_image(ig_sandbox: Sandbox, logged_in: LoggedInPage, variant: str) -> None:
    page, owner = logged_in.page, ig_sandbox.dataset.user_at(0)
    _open_variant(ig_sandbox, page, 0, variant)
    gate_button = page.locator('[role="button"], button').filter(has_text="View story")
    gate_button.click()
    image = page.get_by_alt_text(f"Photo by {owner.username}")
    expect(image).to_be_visible(timeout=5000)
    source = image.evaluate("img => img.currentSrc || img.src")
    assert source.startswith(ig_sandbox.cdn_url + "/v/t51.2885-15/")
    if variant == "classes":
        assert page.locator("[data-testid]").count() == 0 and page.locator("button").count() == 0
        expect(page.get_by_role("button", name="Next")).to_be_visible()
    if variant == "nested":
        assert image.evaluate("img => { let d = 0; for (let n = img; n; n = n.parentElement) d++; return d; }") > 12
    if variant == "picture":
        assert page.locator("picture > source[srcset]").count() == 1


def test_blob_video_variant_hides_the_cdn_url_from_the_dom(ig_sandbox: Sandbox, logged_in: LoggedInPage) -> None:
    page, video_story = logged_in.page, ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(1).id)[0]
    assert video_story.media_type == "video"
    _open_variant(ig_sandbox, page, 1, "blob_video")
    page.get_by_role("button", name="View story").click()
    page.wait_for_function("() => (document.querySelector('video') || {}).src?.startsWith('blob:')")
    fetched = [r for r in logged_in.cdn_responses(ig_sandbox) if r.url == video_story.video_url]
    assert fetched and fetched[0].headers["content-type"] == "video/mp4"


def test_no_context_variant_keeps_the_story_id_out_of_the_page_address(ig_sandbox: Sandbox,
                                                                       logged_in: LoggedInPage) -> None:
    page, owner = logged_in.page, ig_sandbox.dataset.user_at(0)
    stories = ig_sandbox.dataset.stories(owner.id)
    _open_variant(ig_sandbox, page, 0, "no_context")
    assert urlsplit(page.url).path == f"/stories/{owner.username}/"
    assert page.locator('meta[property="og:url"]').get_attribute("content").endswith(f"/{owner.username}/")
    page.get_by_role("button", name="View story").click()
    page.get_by_role("button", name="Next").click()
    assert urlsplit(page.url).path == f"/stories/{owner.username}/"
    source = page.locator("img[srcset]").get_attribute("src")
    cache_key = parse_qs(urlsplit(source).query)["ig_cache_key"][0]
    assert base64.b64decode(cache_key.split(".")[0]).decode() == stories[1].story_id


def test_no_ids_variant_shows_stories_that_nothing_on_the_page_identifies(ig_sandbox: Sandbox,
                                                                         logged_in: LoggedInPage) -> None:
    page, owner = logged_in.page, ig_sandbox.dataset.user_at(0)
    second = ig_sandbox.dataset.stories(owner.id)[1]
    _open_variant(ig_sandbox, page, 0, "no_ids")
    page.get_by_role("button", name="View story").click()
    page.get_by_role("button", name="Next").click()
    image = page.get_by_alt_text(f"Photo by {owner.username}")
    expect(image).to_be_visible()
    assert urlsplit(page.url).path == f"/stories/{owner.username}/"
    assert page.locator('meta[property="og:url"]').count() == 0
    # The second story is on screen, loaded from its own CDN file, under a URL without ig_cache_key.
    source = image.evaluate("img => img.decode().then(() => img.currentSrc)")
    assert urlsplit(source).path in {urlsplit(url).path for url in second.media_urls}
    assert "ig_cache_key" not in source


def test_gate_stuck_variant_never_lets_the_viewer_through(ig_sandbox: Sandbox, logged_in: LoggedInPage) -> None:
    page = logged_in.page
    _open_variant(ig_sandbox, page, 0, "gate_stuck")
    page.get_by_role("button", name="View story").click()
    page.wait_for_timeout(300)
    expect(page.get_by_role("button", name="View story")).to_be_visible()
    expect(page.locator("img[srcset]")).to_have_count(0)
