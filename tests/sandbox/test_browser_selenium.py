"""The sandbox's pages in real headless Chromium driven by Selenium (Debian's chromedriver)."""

from __future__ import annotations

import json
import os
import tempfile
from typing import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.wait import WebDriverWait

from storysync.plugins.sandbox import Sandbox

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def driver() -> Iterator[webdriver.Chrome]:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            pytest.fail(f"{path} is required for browser tests and is missing")
    options = Options()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory() as profile:
        options.add_argument(f"--user-data-dir={profile}")
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        chrome = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        yield chrome
        chrome.quit()


@pytest.fixture
def logged_in(driver: webdriver.Chrome, ig_sandbox: Sandbox) -> webdriver.Chrome:
    driver.get(ig_sandbox.base_url + "/accounts/login/")  # cookies can only be added for the current site
    driver.delete_all_cookies()
    for name, value in ig_sandbox.cookies.items():
        driver.add_cookie({"name": name, "value": value, "path": "/"})
    driver.get_log("performance")  # start the network log from here
    return driver


def _wait(driver: webdriver.Chrome) -> WebDriverWait:
    return WebDriverWait(driver, 10)


def _click_button(driver: webdriver.Chrome, label: str) -> None:
    _wait(driver).until(expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, f'[aria-label="{label}"]'))).click()


def _pass_gate(driver: webdriver.Chrome, username: str) -> None:
    gate = _wait(driver).until(expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, '[role="dialog"]')))
    assert f"{username} will be able to see that you viewed their story" in gate.text
    gate.find_element(By.XPATH, ".//*[normalize-space()='View story']").click()


def _network_responses(driver: webdriver.Chrome) -> list[dict]:
    messages = (json.loads(entry["message"])["message"] for entry in driver.get_log("performance"))
    return [m["params"] for m in messages if m["method"] == "Network.responseReceived"]


def test_tray_gate_media_and_next(ig_sandbox: Sandbox, logged_in: webdriver.Chrome) -> None:
    driver, owner = logged_in, ig_sandbox.dataset.user_at(0)
    stories = ig_sandbox.dataset.stories(owner.id)
    driver.get(ig_sandbox.base_url + "/")
    _click_button(driver, f"Story by {owner.username}, not seen")
    _wait(driver).until(expected_conditions.url_contains(f"/stories/{owner.username}/{stories[0].story_id}/"))
    _pass_gate(driver, owner.username)
    image = _wait(driver).until(expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "img[srcset]")))
    _wait(driver).until(lambda d: d.execute_script("return arguments[0].complete", image))
    assert driver.execute_script("return arguments[0].currentSrc", image).startswith(ig_sandbox.cdn_url)
    cdn_images = [r for r in _network_responses(driver)
                  if r["type"] == "Image" and r["response"]["url"].startswith(ig_sandbox.cdn_url + "/v/t51.2885-15/")]
    assert cdn_images and cdn_images[0]["response"]["status"] == 200
    assert cdn_images[0]["response"]["mimeType"] == "image/png"

    _click_button(driver, "Next")
    _wait(driver).until(expected_conditions.url_contains(f"/{stories[1].story_id}/"))
    _wait(driver).until(expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, "img[srcset]")))


def test_reply_from_the_viewer_is_recorded_once(ig_sandbox: Sandbox, logged_in: webdriver.Chrome) -> None:
    driver, story = logged_in, ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(1).id)[1]
    driver.get(ig_sandbox.base_url + f"/stories/{story.owner_username}/{story.story_id}/")
    _pass_gate(driver, story.owner_username)
    box = _wait(driver).until(expected_conditions.visibility_of_element_located(
        (By.CSS_SELECTOR, f'textarea[placeholder="Reply to {story.owner_username}..."]')))
    box.send_keys("great shot")
    driver.find_element(By.XPATH, "//button[normalize-space()='Send']").click()
    _wait(driver).until(expected_conditions.text_to_be_present_in_element((By.CSS_SELECTOR, '[role="status"]'),
                                                                          "Reply sent"))
    [reply] = ig_sandbox.replies()
    assert (reply.story_id, reply.text, reply.browser) == (story.story_id, "great shot", True)


def test_blob_video_leaves_the_real_url_in_the_performance_log(ig_sandbox: Sandbox,
                                                               logged_in: webdriver.Chrome) -> None:
    driver, story = logged_in, ig_sandbox.dataset.stories(ig_sandbox.dataset.user_at(1).id)[0]
    driver.get(ig_sandbox.base_url + f"/stories/{story.owner_username}/{story.story_id}/?__variant=blob_video")
    _pass_gate(driver, story.owner_username)
    _wait(driver).until(lambda d: d.execute_script(
        "const v = document.querySelector('video'); return v && v.src.startsWith('blob:')"))
    videos = [r["response"] for r in _network_responses(driver) if r["response"]["url"] == story.video_url]
    assert videos and videos[0]["mimeType"] == "video/mp4" and videos[0]["status"] == 200
