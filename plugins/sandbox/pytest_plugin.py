"""pytest fixtures for the sandbox (registered through the ``pytest11`` entry point).

* ``ig_sandbox``: a running sandbox shared by the whole session (50 users, seed 1, a
  ``ManualClock`` at 2026-08-19 12:00 UTC, the fixtures' ``observed_at``), reset after every test:
  faults, rate limits, variant, request log, replies, seen marks, posted stories and the clock go
  back to start.
* ``ig_sandbox_factory``: ``ig_sandbox_factory(users=..., seed=..., **kwargs)`` starts a sandbox
  of its own, stopped when the test ends.

Nothing starts until a test asks for a fixture.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import pytest

from .clock import ManualClock
from .sandbox import Sandbox

FIXTURE_EPOCH = 1_787_140_800  # "now" of shared/fixtures/instagram (manifest observed_at)


@pytest.fixture(scope="session")
def _ig_sandbox_session() -> Iterator[Sandbox]:
    with Sandbox(users=50, seed=1, clock=ManualClock(FIXTURE_EPOCH)) as sandbox:
        yield sandbox


@pytest.fixture
def ig_sandbox(_ig_sandbox_session: Sandbox) -> Iterator[Sandbox]:
    yield _ig_sandbox_session
    _ig_sandbox_session.reset()
    clock = _ig_sandbox_session.clock
    if isinstance(clock, ManualClock):
        clock.rewind()


@pytest.fixture
def ig_sandbox_factory() -> Iterator[Callable[..., Sandbox]]:
    started: list[Sandbox] = []

    def start(users: int = 50, seed: int = 1, **kwargs: Any) -> Sandbox:
        kwargs.setdefault("clock", ManualClock(FIXTURE_EPOCH))
        sandbox = Sandbox(users=users, seed=seed, **kwargs).start()
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.stop()


from .app_fixtures import (  # noqa: E402,F401
    pytest_recording_configure,
    storysync_app,
    storysync_app_factory,
    vcr_config,
)
