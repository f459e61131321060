"""``BrowserSession`` over Playwright's sync API and Debian's Chromium (never a downloaded browser)."""

from __future__ import annotations

import contextlib
import logging
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from storysync.core.errors import BrowserError
from storysync.core.models import NetworkResponse

from .chromium import DEFAULT_CHROMIUM_PATH, LAUNCH_FLAGS, WINDOW_HEIGHT, WINDOW_WIDTH, require_executable
from .cookies import browser_cookies
from .scripting import settled_call, settled_value

log = logging.getLogger(__name__)

#: Responses kept until ``network_log`` reads them: a run that never reads the log (no network-log
#: fallback configured) must not grow without bound; the oldest go first.
UNREAD_RESPONSES_LIMIT = 5000


@contextlib.contextmanager
def _playwright_errors(action: str) -> Iterator[None]:
    """Translate Playwright's exceptions so none crosses the port."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        yield
    except PlaywrightError as error:
        message = (error.message or type(error).__name__).strip().splitlines()[0]
        raise BrowserError(f"playwright: {action} failed: {message}") from error


class PlaywrightSession:
    """Headless Chromium driven through Playwright, started on first use.

    ``launch_count`` counts browsers started by this class, so tests can assert that a code
    path never launched one. The sync API binds the session to the thread that first uses it.
    """

    name = "playwright"
    launch_count: ClassVar[int] = 0

    def __init__(
        self,
        *,
        chromium_path: str = DEFAULT_CHROMIUM_PATH,
        headless: bool = True,
        page_timeout: float = 15.0,
        extra_args: Sequence[str] = (),
        user_agent: str | None = None,
    ) -> None:
        self.chromium_path = chromium_path
        self.headless = headless
        self.page_timeout = page_timeout
        self.extra_args = tuple(extra_args)
        self.user_agent = user_agent
        self._playwright: Any = None
        self._browser: Any = None
        self._page: Any = None
        self._responses: deque[NetworkResponse] = deque(maxlen=UNREAD_RESPONSES_LIMIT)

    # lifecycle

    def _started(self) -> Any:
        if self._page is None:
            self._launch()
        return self._page

    def _launch(self) -> None:
        require_executable(self.chromium_path, "Chromium")
        from playwright.sync_api import sync_playwright

        try:
            with _playwright_errors("starting Chromium"):
                self._playwright = sync_playwright().start()
                self._browser = self._playwright.chromium.launch(
                    executable_path=self.chromium_path,
                    headless=self.headless,
                    args=[*LAUNCH_FLAGS, *self.extra_args],
                    timeout=self.page_timeout * 1000,
                )
                context = self._browser.new_context(
                    user_agent=self.user_agent,
                    viewport={"width": WINDOW_WIDTH, "height": WINDOW_HEIGHT},
                )
                context.on("response", self._record_response)
                context.set_default_timeout(self.page_timeout * 1000)
                self._page = context.new_page()
        except BaseException:
            self.close()
            raise
        type(self).launch_count += 1

    def close(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._page = self._browser = self._playwright = None
        self._responses.clear()
        for shutdown in (browser and browser.close, playwright and playwright.stop):
            if not shutdown:
                continue
            try:
                shutdown()
            except Exception:  # noqa: BLE001 - closing must never fail; the browser may already be gone
                log.debug("playwright: close failed", exc_info=True)

    def _record_response(self, response: Any) -> None:
        url = response.url
        if not url.startswith(("http://", "https://")):
            return
        content_type = response.headers.get("content-type", "")
        self._responses.append(
            NetworkResponse(
                url=url,
                status=response.status,
                mime_type=content_type.split(";", 1)[0].strip().lower(),
                resource_type=response.request.resource_type,
                timestamp=time.time(),
            )
        )

    # BrowserSession

    def navigate(self, url: str) -> None:
        page = self._started()
        with _playwright_errors(f"navigating to {url}"):
            page.goto(url, wait_until="load")

    def current_url(self) -> str:
        return self._started().url

    def evaluate(self, script: str, *args: Any) -> Any:
        page = self._started()
        with _playwright_errors("running a script"):
            result = page.evaluate(
                f"(input) => {settled_call(script, 'input.args', 'input.timeoutMs')}",
                {"args": list(args), "timeoutMs": int(self.page_timeout * 1000)},
            )
        return settled_value(result)

    def set_cookies(self, cookies: Sequence[Mapping[str, Any]], url: str) -> None:
        page = self._started()
        with _playwright_errors("setting cookies"):
            page.context.add_cookies(browser_cookies(cookies, url))

    def network_log(self) -> list[NetworkResponse]:
        page = self._started()
        # Response events are dispatched only while the sync API waits on the browser; one
        # round trip delivers every event the browser sent before it.
        with _playwright_errors("reading the network log"):
            page.evaluate("0")
        taken = list(self._responses)
        self._responses.clear()
        return taken

    def click(self, selector: str, timeout: float = 5.0) -> bool:
        target = self._first_visible(selector, timeout)
        if target is None:
            return False
        with _playwright_errors(f"clicking {selector}"):
            target.click(timeout=timeout * 1000)
        return True

    def type_text(self, selector: str, text: str, timeout: float = 5.0) -> bool:
        target = self._first_visible(selector, timeout)
        if target is None:
            return False
        with _playwright_errors(f"typing into {selector}"):
            target.click(timeout=timeout * 1000)
            self._page.keyboard.insert_text(text)
        return True

    def press(self, key: str) -> None:
        page = self._started()
        with _playwright_errors(f"pressing {key}"):
            page.keyboard.press(key)

    def _first_visible(self, selector: str, timeout: float) -> Any:
        page = self._started()
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        target = page.locator(selector).filter(visible=True).first
        with _playwright_errors(f"finding {selector}"):
            try:
                target.wait_for(state="visible", timeout=timeout * 1000)
            except PlaywrightTimeout:
                return None
        return target
