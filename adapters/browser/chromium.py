"""How storysync launches Debian's Chromium, whichever engine drives it.

Both engines get the same flags and window so a page lays out, and therefore resolves media,
the same way under Selenium and Playwright (reference/environment.md §1, §3).
"""

from __future__ import annotations

import os

from storysync.core.errors import BrowserError

DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium"
DEFAULT_CHROMEDRIVER_PATH = "/usr/bin/chromedriver"
INSTALL_HINT = "install it with `apt-get install chromium chromium-driver` or configure its path"

#: The story viewer is laid out for a desktop window; a small one would shrink media below the
#: DOM fallback's 220 px threshold.
WINDOW_WIDTH = 1400
WINDOW_HEIGHT = 1200

#: ``--no-sandbox``: Chromium refuses to start as root without it. The ``--disable-*`` flags stop
#: background requests (updates, sync, field trials) that would pollute the network log and
#: reach Google from CI machines.
LAUNCH_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def require_executable(path: str, what: str) -> None:
    """Fail fast, before any engine tries (or downloads) something else, when ``path`` is unusable."""
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise BrowserError(f"{what} not found or not executable at {path}: {INSTALL_HINT}")
