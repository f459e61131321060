"""Real browsers behind the ``BrowserSession`` port, and what storysync builds on any session.

Engines: ``SeleniumSession`` and ``PlaywrightSession`` (Debian's Chromium; never a downloaded
browser). Over any session: ``BrowserTransport`` (in-page API requests), ``DomMediaFallback``
and ``NetworkLogMediaFallback``. Importing this package imports neither Selenium nor Playwright.
"""

from .dom_fallback import DomMediaFallback
from .perflog_fallback import NetworkLogMediaFallback
from .playwright_session import PlaywrightSession
from .selenium_session import SeleniumSession
from .transport import BrowserTransport

__all__ = [
    "BrowserTransport",
    "DomMediaFallback",
    "NetworkLogMediaFallback",
    "PlaywrightSession",
    "SeleniumSession",
]
