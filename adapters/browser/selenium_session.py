"""``BrowserSession`` over Selenium 4 and Debian's chromedriver."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar

from storysync.core.errors import BrowserError
from storysync.core.models import NetworkResponse

from .chromium import (
    DEFAULT_CHROMEDRIVER_PATH,
    DEFAULT_CHROMIUM_PATH,
    LAUNCH_FLAGS,
    WINDOW_HEIGHT,
    WINDOW_WIDTH,
    require_executable,
)
from .cookies import browser_cookies
from .scripting import load_script, settled_call, settled_value

log = logging.getLogger(__name__)

#: ``execute_async_script`` receives the time limit first and hands its callback in last; the
#: script's own arguments are those in between.
_ASYNC_ENTRY_TIMEOUT = "arguments[0]"
_ASYNC_ENTRY_ARGS = "Array.prototype.slice.call(arguments, 1, -1)"
_ASYNC_ENTRY_DONE = "\n.then(arguments[arguments.length - 1]);"
#: The in-page limit answers first with a clear message; chromedriver's own limit is the backstop.
_DRIVER_SCRIPT_TIMEOUT_MARGIN = 5.0

_POLL_SECONDS = 0.1


@contextlib.contextmanager
def _selenium_errors(action: str) -> Iterator[None]:
    """Translate Selenium's exceptions so none crosses the port."""
    from selenium.common.exceptions import WebDriverException

    try:
        yield
    except WebDriverException as error:
        message = (error.msg or type(error).__name__).strip().splitlines()[0]
        raise BrowserError(f"selenium: {action} failed: {message}") from error


def _selenium_key(key: str) -> str:
    """Playwright-style key names (``ArrowRight``, ``Enter``) as Selenium key codes."""
    if len(key) == 1:
        return key
    from selenium.webdriver.common.keys import Keys

    constant = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", key).upper()
    code = getattr(Keys, constant, None)
    if not isinstance(code, str):
        raise BrowserError(f"selenium: unknown key {key!r}")
    return code


class SeleniumSession:
    """Headless Chromium driven through chromedriver, started on first use.

    ``launch_count`` counts browsers started by this class, so tests can assert that a code
    path never launched one.
    """

    name = "selenium"
    launch_count: ClassVar[int] = 0

    def __init__(
        self,
        *,
        chromium_path: str = DEFAULT_CHROMIUM_PATH,
        chromedriver_path: str = DEFAULT_CHROMEDRIVER_PATH,
        headless: bool = True,
        page_timeout: float = 15.0,
        extra_args: Sequence[str] = (),
        user_agent: str | None = None,
    ) -> None:
        self.chromium_path = chromium_path
        self.chromedriver_path = chromedriver_path
        self.headless = headless
        self.page_timeout = page_timeout
        self.extra_args = tuple(extra_args)
        self.user_agent = user_agent
        self._driver: Any = None
        self._profile_dir: str | None = None

    # lifecycle

    def _started(self) -> Any:
        if self._driver is None:
            self._driver = self._launch()
        return self._driver

    def _launch(self) -> Any:
        require_executable(self.chromium_path, "Chromium")
        require_executable(self.chromedriver_path, "ChromeDriver")
        # The explicit Service path already keeps Selenium Manager from running; offline mode
        # guarantees it never reaches the network should some code path start it anyway.
        os.environ["SE_OFFLINE"] = "true"
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service

        options = Options()
        options.binary_location = self.chromium_path
        for flag in self._flags():
            options.add_argument(flag)
        self._profile_dir = tempfile.mkdtemp(prefix="storysync-chromium-")
        options.add_argument(f"--user-data-dir={self._profile_dir}")
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
        # Only network events are read; page events would multiply what chromedriver buffers.
        options.add_experimental_option("perfLoggingPrefs", {"enableNetwork": True, "enablePage": False})
        with _selenium_errors("starting Chromium"):
            try:
                driver = webdriver.Chrome(service=Service(executable_path=self.chromedriver_path), options=options)
            except BaseException:
                self._remove_profile()
                raise
        type(self).launch_count += 1
        driver.set_page_load_timeout(self.page_timeout)
        driver.set_script_timeout(self.page_timeout + _DRIVER_SCRIPT_TIMEOUT_MARGIN)
        return driver

    def _flags(self) -> list[str]:
        flags = [*LAUNCH_FLAGS, f"--window-size={WINDOW_WIDTH},{WINDOW_HEIGHT}"]
        if self.headless:
            flags.append("--headless=new")
        if self.user_agent:
            flags.append(f"--user-agent={self.user_agent}")
        return [*flags, *self.extra_args]

    def _remove_profile(self) -> None:
        if self._profile_dir:
            shutil.rmtree(self._profile_dir, ignore_errors=True)
            self._profile_dir = None

    def close(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            try:
                driver.quit()
            except Exception:  # noqa: BLE001 - closing must never fail; the browser may already be gone
                log.debug("selenium: quit failed", exc_info=True)
        self._remove_profile()

    # BrowserSession

    def navigate(self, url: str) -> None:
        driver = self._started()
        with _selenium_errors(f"navigating to {url}"):
            driver.get(url)
            error_code = driver.execute_script(load_script("navigation_error.js"))
        if error_code:
            raise BrowserError(f"selenium: navigating to {url} failed: {error_code}")

    def current_url(self) -> str:
        driver = self._started()
        with _selenium_errors("reading the URL"):
            return driver.current_url

    def evaluate(self, script: str, *args: Any) -> Any:
        driver = self._started()
        wrapper = settled_call(script, _ASYNC_ENTRY_ARGS, _ASYNC_ENTRY_TIMEOUT) + _ASYNC_ENTRY_DONE
        with _selenium_errors("running a script"):
            result = driver.execute_async_script(wrapper, int(self.page_timeout * 1000), *args)
        return settled_value(result)

    def set_cookies(self, cookies: Sequence[Mapping[str, Any]], url: str) -> None:
        # CDP sets cookies for any origin without first loading a page there, which
        # ``add_cookie`` requires (a logged-out page view) and which drops httpOnly control.
        driver = self._started()
        with _selenium_errors("setting cookies"):
            driver.execute_cdp_cmd("Network.setCookies", {"cookies": browser_cookies(cookies, url)})

    def network_log(self) -> list[NetworkResponse]:
        driver = self._started()
        with _selenium_errors("reading the performance log"):
            entries = driver.get_log("performance")
        return [response for entry in entries if (response := _network_response(entry)) is not None]

    def click(self, selector: str, timeout: float = 5.0) -> bool:
        element = self._first_visible(selector, timeout)
        if element is None:
            return False
        with _selenium_errors(f"clicking {selector}"):
            element.click()
        return True

    def type_text(self, selector: str, text: str, timeout: float = 5.0) -> bool:
        element = self._first_visible(selector, timeout)
        if element is None:
            return False
        with _selenium_errors(f"typing into {selector}"):
            element.click()
            # Inserted as text, not key by key: chromedriver cannot type characters outside the
            # Basic Multilingual Plane (emoji), and Playwright inserts the same way.
            self._started().execute_cdp_cmd("Input.insertText", {"text": text})
        return True

    def press(self, key: str) -> None:
        driver = self._started()
        code = _selenium_key(key)
        from selenium.webdriver.common.action_chains import ActionChains

        with _selenium_errors(f"pressing {key}"):
            ActionChains(driver).send_keys(code).perform()

    def _first_visible(self, selector: str, timeout: float) -> Any:
        driver = self._started()
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.common.by import By

        deadline = time.monotonic() + timeout
        with _selenium_errors(f"finding {selector}"):
            while True:
                for element in driver.find_elements(By.CSS_SELECTOR, selector):
                    with contextlib.suppress(StaleElementReferenceException):
                        if element.is_displayed():
                            return element
                if time.monotonic() >= deadline:
                    return None
                time.sleep(_POLL_SECONDS)


def _network_response(entry: Mapping[str, Any]) -> NetworkResponse | None:
    """A ``Network.responseReceived`` entry of the performance log for a web URL, else ``None``.

    The initial tab's ``chrome://`` pages and ``data:`` URLs also appear in the log; only
    http(s) responses are the page's own traffic.
    """
    message = json.loads(entry["message"])["message"]
    if message.get("method") != "Network.responseReceived":
        return None
    params = message["params"]
    response = params["response"]
    url = response.get("url", "")
    if not url.startswith(("http://", "https://")):
        return None
    return NetworkResponse(
        url=url,
        status=int(response.get("status", 0)),
        mime_type=response.get("mimeType", ""),
        resource_type=params.get("type", "").lower(),
        timestamp=entry.get("timestamp", 0) / 1000,
    )
