"""Benchmark: requests and wall time of ``sync profile``, seed flow against default flow, and decode speed.

Run with ``python tests/benchmarks/bench_sync.py``; prints figures, asserts nothing. Against a
sandbox of 1,000 users it syncs a watch list of 100 followed owners twice: a first (cold) run into
an empty store, then a warm run after 10 of them posted a new story. Media downloads are off, so
the figures are requests and decoding only. Each flow starts from the same sandbox state.

* seed flow: ``sync.use_id_cache = false``, ``sync.reels_batch_size = 1``, ``sync.tray_skip = false``
  (the origin's way: an id lookup and a reels request per owner, every run);
* default flow: the id cache, the tray skip and batches of 10.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import timeit
from collections import Counter
from pathlib import Path
from typing import Any

from storysync.core.instagram import decode_reels
from storysync.plugins.bootstrap import bootstrap
from storysync.plugins.config import load_settings
from storysync.plugins.sandbox import ManualClock, Sandbox
from storysync.plugins.sandbox.payloads import Payloads
from storysync.plugins.sandbox.pytest_plugin import FIXTURE_EPOCH
from storysync.plugins.sandbox.wiring import SandboxTime, import_sandbox_session, sandbox_settings_toml

FLOWS = {
    "seed flow": {"use_id_cache": False, "reels_batch_size": 1, "tray_skip": False, "download_media": False},
    "default flow": {"download_media": False},
}
WATCHED = 100
UPDATED = 10
DECODE_ITEMS = 100
#: Pacing would time the client's politeness, not its requests and decoding.
NO_PACING = {"min_gap_seconds": 0.0, "window_budget": 100_000, "http2": False}


def write_config(directory: Path, sandbox: Sandbox, sync: dict[str, Any]) -> Path:
    config = directory / "storysync.toml"
    config.write_text(sandbox_settings_toml(sandbox, directory / "data", http=NO_PACING, sync=sync))
    import_sandbox_session(sandbox, load_settings(config, environ={}).settings)
    return config


def timed_run(config: Path, sandbox: Sandbox, usernames: list[str]) -> tuple[float, Counter[str]]:
    settings = load_settings(config, environ={}).settings
    mark = len(sandbox.requests())
    no_plugins = {"STORYSYNC_DISABLE_PLUGIN_AUTOLOAD": "1"}
    with bootstrap(settings, clock=SandboxTime(sandbox), environ=no_plugins) as app:
        started = time.perf_counter()
        app.profile_sync().run(usernames)
        elapsed = time.perf_counter() - started
    return elapsed, Counter(record.endpoint for record in sandbox.requests()[mark:])


def sync_figures(sandbox: Sandbox) -> dict[str, dict[str, tuple[float, Counter[str]]]]:
    watched = [reel.user for reel in sandbox.dataset.tray()[:WATCHED]]
    usernames = [user.username for user in watched]
    figures = {}
    for flow, sync in FLOWS.items():
        sandbox.reset()  # takes the previous flow's posts away, so both flows sync the same stories
        with tempfile.TemporaryDirectory(prefix="storysync-bench-") as directory:
            config = write_config(Path(directory), sandbox, sync)
            cold = timed_run(config, sandbox, usernames)
            for user in watched[:: WATCHED // UPDATED]:
                sandbox.post_story(user.username)
            warm = timed_run(config, sandbox, usernames)
        figures[flow] = {"first run": cold, "warm run": warm}
    return figures


def print_sync_table(figures: dict[str, dict[str, tuple[float, Counter[str]]]]) -> None:
    endpoints = sorted({e for runs in figures.values() for _, counts in runs.values() for e in counts})
    columns = [(flow, run) for flow, runs in figures.items() for run in runs]
    print(f"sync profile: {WATCHED} watched owners of a 1,000-user sandbox, {UPDATED} updated before the warm run")
    print(f"{'':<24}" + "".join(f"{flow + ', ' + run:>26}" for flow, run in columns))
    for endpoint in endpoints:
        print(f"{endpoint:<24}" + "".join(f"{figures[flow][run][1][endpoint]:>26}" for flow, run in columns))
    print(f"{'requests, total':<24}" + "".join(f"{sum(figures[f][r][1].values()):>26}" for f, r in columns))
    print(f"{'wall time':<24}" + "".join(f"{figures[f][r][0] * 1000:>23.0f} ms" for f, r in columns))
    for flow, sync in FLOWS.items():
        print(f"  {flow}: sync settings {sync}")


def reel_payload(sandbox: Sandbox) -> tuple[bytes, list[str]]:
    """A ``reels_media`` body holding ``DECODE_ITEMS`` story items, built by the sandbox's payload code."""
    payloads, now = Payloads(sandbox.dataset), sandbox.clock.now()
    reels, owner_ids, items = [], [], 0
    for user in sandbox.dataset.users:
        stories = payloads.reel_stories(user, now)
        if not stories:
            continue
        stories = stories[: DECODE_ITEMS - items]
        reels.append(payloads.reel(user, stories, 0))
        owner_ids.append(user.id)
        items += len(stories)
        if items == DECODE_ITEMS:
            break
    return json.dumps(payloads.reels_media(reels, "reels_media")).encode(), owner_ids


def print_decode_throughput(sandbox: Sandbox) -> None:
    body, owner_ids = reel_payload(sandbox)
    rounds = 200
    decode_s = min(timeit.repeat(lambda: decode_reels(body, owner_ids), number=rounds, repeat=3)) / rounds
    json_s = min(timeit.repeat(lambda: json.loads(body), number=rounds, repeat=3)) / rounds
    print(f"\ndecoding a {DECODE_ITEMS}-item reels_media payload ({len(body) / 1024:.0f} KiB, {len(owner_ids)} owners)")
    print(f"{'storysync decode_reels':<24}{DECODE_ITEMS / decode_s:>14,.0f} items/s {decode_s * 1000:>8.2f} ms/payload")
    print(f"{'json.loads (no model)':<24}{DECODE_ITEMS / json_s:>14,.0f} items/s {json_s * 1000:>8.2f} ms/payload")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with Sandbox(users=1000, seed=args.seed, clock=ManualClock(FIXTURE_EPOCH)) as sandbox:
        print_sync_table(sync_figures(sandbox))
        print_decode_throughput(sandbox)


if __name__ == "__main__":
    main()
