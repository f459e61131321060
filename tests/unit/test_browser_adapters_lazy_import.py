"""Importing the browser adapters must not import Selenium or Playwright (DESIGN "Adapters")."""

from __future__ import annotations

import subprocess
import sys


def test_importing_browser_adapters_loads_no_browser_library():
    probe = (
        "import sys, storysync.adapters.browser;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('selenium', 'playwright')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
