"""The ``BrowserSession`` contract, run against both engines on real headless Chromium.

One browser per engine serves the whole module. A missing Chromium fails these tests (the
adapters raise ``BrowserError`` naming the path); it never skips them.
"""

from __future__ import annotations

import json
import socket
import time

import pytest
from browser_pages import Reply, Request, html, png, serving

from storysync.adapters.browser.playwright_session import PlaywrightSession
from storysync.adapters.browser.selenium_session import SeleniumSession
from storysync.core.errors import BrowserError
from storysync.core.ports import BrowserSession

pytestmark = pytest.mark.browser

ENGINES = {"selenium": SeleniumSession, "playwright": PlaywrightSession}


def _echo_cookie(request: Request) -> Reply:
    return Reply(content_type="application/json", body=json.dumps({"cookie": request.headers.get("cookie", "")}))


ROUTES = {
    "/": lambda request: html("<h1>home</h1>", head="<title>Home page</title>"),
    "/cookie": _echo_cookie,
    "/img.png": lambda request: Reply(content_type="image/png", body=png(4, 4)),
    "/clip.mp4": lambda request: Reply(content_type="video/mp4", body=b"\x00\x00\x00\x18ftypmp42"),
    "/data.json": lambda request: Reply(content_type="application/json", body='{"ok": true}'),
    "/media": lambda request: html(
        "<img src='/img.png' width=300 height=300>"
        "<video muted preload=auto width=300 height=300><source src='/clip.mp4' type='video/mp4'></video>"
    ),
    "/form": lambda request: html(
        "<button id=hidden style='display:none'>hidden</button>"
        "<button id=go onclick=\"document.body.dataset.clicked='yes'\">Go</button>"
        "<textarea id=box aria-label='Reply'></textarea>"
        "<script>window.keys=[];document.addEventListener('keydown',e=>window.keys.push(e.key));</script>"
    ),
}


@pytest.fixture(scope="module")
def pages():
    with serving(ROUTES) as server:
        yield server


@pytest.fixture(scope="module", params=sorted(ENGINES))
def session(request):
    browser = ENGINES[request.param]()
    yield browser
    browser.close()


def test_implements_the_port(session):
    assert isinstance(session, BrowserSession)
    assert session.name in ENGINES


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_constructing_and_closing_launches_nothing(engine):
    session_class = ENGINES[engine]
    before = session_class.launch_count
    unused = session_class()
    unused.close()
    unused.close()
    assert session_class.launch_count == before


def test_navigate_and_current_url(session, pages):
    session.navigate(pages.base_url + "/")
    assert session.current_url() == pages.base_url + "/"
    assert session.evaluate("return document.title") == "Home page"


def test_arguments_reach_the_page_unchanged(session, pages):
    session.navigate(pages.base_url + "/")
    values = ["it's \"quoted\" `tick` ${x} </script>", "line\nbreak\ttab\\slash", "Ünïcode ✓ 😀 日本", 42, 1.5, None, True,
              ["a", 1], {"k": "v"}]
    assert session.evaluate("return Array.from(arguments)", *values) == values
    assert session.evaluate("return arguments.length") == 0


def test_promises_are_awaited(session, pages):
    session.navigate(pages.base_url + "/")
    script = "return new Promise(resolve => setTimeout(() => resolve(arguments[0] * 2), 20))"
    assert session.evaluate(script, 21) == 42
    assert session.evaluate("const echoed = await Promise.resolve(arguments[0]); return echoed", "x") == "x"


def test_script_errors_are_browser_errors(session, pages):
    session.navigate(pages.base_url + "/")
    with pytest.raises(BrowserError, match="boom"):
        session.evaluate("throw new Error('boom')")
    with pytest.raises(BrowserError, match="rejected"):
        session.evaluate("return Promise.reject(new Error('rejected'))")


def test_cookies_are_sent_with_navigation_and_fetch(session, pages):
    cookies = [
        {"name": "sessionid", "value": "s3cr3t", "httpOnly": True, "path": "/"},
        {"name": "csrftoken", "value": "tok", "domain": "127.0.0.1", "path": "/"},
    ]
    session.set_cookies(cookies, pages.base_url + "/")
    session.navigate(pages.base_url + "/cookie")
    sent = pages.requests_to("/cookie")[-1].headers["cookie"]
    assert "sessionid=s3cr3t" in sent and "csrftoken=tok" in sent
    fetched = session.evaluate(
        "return fetch(arguments[0], {credentials: 'include'}).then(r => r.json())", pages.base_url + "/cookie"
    )
    assert "sessionid=s3cr3t" in fetched["cookie"]
    # httpOnly survives: the page's scripts cannot read the session cookie
    assert session.evaluate("return document.cookie") == "csrftoken=tok"


def test_network_log_reports_media_and_fetch_responses(session, pages):
    session.network_log()
    session.navigate(pages.base_url + "/media")
    session.evaluate("return fetch('/data.json').then(r => r.status)")
    session.evaluate("return fetch('/missing').then(r => r.status)")
    time.sleep(0.3)
    by_path = {response.url.removeprefix(pages.base_url): response for response in session.network_log()}
    assert by_path["/media"].resource_type == "document"
    assert (by_path["/img.png"].status, by_path["/img.png"].mime_type, by_path["/img.png"].resource_type) == (
        200, "image/png", "image")
    assert (by_path["/clip.mp4"].mime_type, by_path["/clip.mp4"].resource_type) == ("video/mp4", "media")
    assert (by_path["/data.json"].status, by_path["/data.json"].mime_type, by_path["/data.json"].resource_type) == (
        200, "application/json", "fetch")
    assert by_path["/missing"].status == 404
    assert all(response.timestamp > time.time() - 60 for response in by_path.values())
    assert session.network_log() == []


def test_click_type_and_press(session, pages):
    session.navigate(pages.base_url + "/form")
    assert session.click("button", timeout=2)  # the first *visible* button, not the hidden one
    assert session.evaluate("return document.body.dataset.clicked") == "yes"
    text = "Nice story! ✓ 😀\nsecond line"
    assert session.type_text("textarea[aria-label='Reply']", text, timeout=2)
    assert session.evaluate("return document.getElementById('box').value") == text
    session.press("ArrowRight")
    session.press("Enter")
    assert session.evaluate("return window.keys.slice(-2)") == ["ArrowRight", "Enter"]


def test_missing_elements_return_false(session, pages):
    session.navigate(pages.base_url + "/form")
    started = time.monotonic()
    assert session.click("#nope", timeout=0.3) is False
    assert session.type_text("#hidden", "x", timeout=0.3) is False
    assert time.monotonic() - started < 3


def test_navigation_failure_is_a_browser_error(session):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with pytest.raises(BrowserError, match="navigating.*ERR_CONNECTION_REFUSED"):
        session.navigate(f"http://127.0.0.1:{closed_port}/")


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_missing_chromium_fails_fast_with_install_hint(engine, tmp_path):
    session_class = ENGINES[engine]
    before = session_class.launch_count
    broken = session_class(chromium_path=str(tmp_path / "no-chromium"))
    started = time.monotonic()
    with pytest.raises(BrowserError, match="apt-get install chromium chromium-driver") as raised:
        broken.navigate("about:blank")
    assert str(tmp_path / "no-chromium") in str(raised.value)
    assert time.monotonic() - started < 1
    assert session_class.launch_count == before
    broken.close()


def test_a_missing_chromedriver_fails_fast(tmp_path):
    broken = SeleniumSession(chromedriver_path=str(tmp_path / "no-driver"))
    with pytest.raises(BrowserError, match="ChromeDriver not found"):
        broken.current_url()


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_a_session_of_its_own_launches_once_bounds_scripts_and_closes_twice(engine, pages):
    session_class = ENGINES[engine]
    short = session_class(page_timeout=3.0)
    before = session_class.launch_count
    short.navigate(pages.base_url + "/")
    assert session_class.launch_count == before + 1
    started = time.monotonic()
    with pytest.raises(BrowserError, match="did not finish within 3000 ms"):
        short.evaluate("return new Promise(() => {})")
    assert time.monotonic() - started < 6
    short.close()
    short.close()
