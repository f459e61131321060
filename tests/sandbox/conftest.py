"""Fixtures for the sandbox's own tests."""

from __future__ import annotations

from typing import Iterator

import httpx
import pytest
from sandbox_helpers import api_client

from storysync.plugins.sandbox import Sandbox


@pytest.fixture
def api(ig_sandbox: Sandbox) -> Iterator[httpx.Client]:
    """An HTTP client with the viewer's cookies and the headers the web client sends."""
    with api_client(ig_sandbox) as client:
        yield client
