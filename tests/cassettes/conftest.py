"""Cassette tests: recorded once against a sandbox on fixed ports, replayed offline (docs/testing.md).

Replaying (the default record mode, ``none``): no sandbox runs, the network is blocked, and the
transport sends the fake session of ``fake_cookies.txt``; vcrpy answers from the YAML files under
``cassettes/``. Recording (``tests/cassettes/record.sh``): a sandbox starts on fixed ports with a
fixed seed and a stopped clock, so every recording has the same URLs and bodies and the
cassettes match on replay; its session is scrubbed by ``default_vcr_config``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import stamina

from storysync.adapters.http.source import ApiStorySource
from storysync.adapters.http.transport import HttpxTransport
from storysync.adapters.session import load_cookies
from storysync.plugins.sandbox import Dataset, ManualClock, Sandbox
from storysync.plugins.sandbox.pytest_plugin import FIXTURE_EPOCH
from storysync.plugins.sandbox.recording import default_vcr_config

from cassette_support import (
    BASE_URL,
    CDN_HOST,
    CDN_PORT,
    FAKE_COOKIES,
    SANDBOX_SEED,
    SANDBOX_USERS,
    USER_AGENT,
    WEB_APP_ID,
    WWW_HOST,
    WWW_PORT,
    CassetteSite,
    FrozenClock,
)


@pytest.fixture(scope="session")
def cassette_site(record_mode: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CassetteSite]:
    if record_mode == "none":
        yield CassetteSite(None, FAKE_COOKIES)
        return
    sandbox = Sandbox(users=SANDBOX_USERS, seed=SANDBOX_SEED, clock=ManualClock(FIXTURE_EPOCH), host=WWW_HOST,
                      port=WWW_PORT, cdn_host=CDN_HOST, cdn_port=CDN_PORT)
    with sandbox:
        yield CassetteSite(sandbox, sandbox.write_cookies_file(tmp_path_factory.mktemp("session") / "cookies.txt"))


@pytest.fixture(autouse=True)
def clear_faults(cassette_site: CassetteSite) -> Iterator[None]:
    yield
    if cassette_site.sandbox is not None:
        cassette_site.sandbox.reset()


@pytest.fixture(autouse=True)
def one_attempt_per_request() -> Iterator[None]:
    # A retry would ask the cassette for an interaction that was never recorded; tests that
    # exercise retries record them and raise the attempts themselves.
    with stamina.set_testing(True, attempts=1):
        yield


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    """The sandbox's data set, built offline: the truth the decoded cassettes are checked against."""
    return Dataset(seed=SANDBOX_SEED, users=SANDBOX_USERS, anchor=FIXTURE_EPOCH,
                   cdn_origin=f"http://{CDN_HOST}:{CDN_PORT}")


@pytest.fixture
def vcr_config(cassette_site: CassetteSite) -> dict[str, Any]:
    return default_vcr_config(secrets=cassette_site.secret_values)


@pytest.fixture(scope="module")
def vcr_cassette_dir(request: pytest.FixtureRequest) -> str:
    module = Path(request.node.fspath)
    return str(module.parent / "cassettes" / module.stem)


@pytest.fixture
def make_source(cassette_site: CassetteSite) -> Iterator[Callable[..., ApiStorySource]]:
    """``make_source(cookies_file=..., base_url=...)``: our ``ApiStorySource`` over ``HttpxTransport``."""
    opened: list[HttpxTransport] = []

    def make(cookies_file: Path | None = None, base_url: str = BASE_URL) -> ApiStorySource:
        transport = HttpxTransport(
            base_url=base_url,
            cookies=load_cookies(cookies_file or cassette_site.cookies_file, now=FIXTURE_EPOCH),
            app_id=WEB_APP_ID,
            user_agent=USER_AGENT,
            clock=FrozenClock(),
            ledger=None,
            account="cassettes",
            on_event=lambda event: None,
            timeout=5.0,
            min_gap=0.0,
        )
        opened.append(transport)
        return ApiStorySource(transport, base_url=base_url)

    yield make
    for transport in opened:
        transport.close()


@pytest.fixture
def source(make_source: Callable[..., ApiStorySource]) -> ApiStorySource:
    return make_source()
