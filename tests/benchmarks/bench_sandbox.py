"""Benchmark: a 5000-user sandbox's start time, peak memory, and time to serve the tray and a reels batch.

Run with ``python tests/benchmarks/bench_sandbox.py [--users N]``; prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import httpx

from storysync.plugins.sandbox import ManualClock, Sandbox

WEB_APP_ID = "936619743392459"
BATCH = 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    tracemalloc.start()  # only around start-up: tracing would slow the request timings several-fold
    started = time.perf_counter()
    sandbox = Sandbox(users=args.users, seed=args.seed, clock=ManualClock(1_787_140_800)).start()
    start_seconds = time.perf_counter() - started
    _, start_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    try:
        headers = {"X-IG-App-ID": WEB_APP_ID}
        with httpx.Client(base_url=sandbox.base_url, cookies=sandbox.cookies, headers=headers, timeout=60) as client:
            timings = {}
            for label in ("tray (first)", "tray (warm)"):
                began = time.perf_counter()
                tray = client.get("/api/v1/feed/reels_tray/")
                timings[label] = (time.perf_counter() - began, len(tray.content))
            body = tray.json()["tray"]
            entries = body if isinstance(body, list) else body["items"]
            reel_ids = [("reel_ids", str(e["user"]["pk"])) for e in entries[-BATCH:]]
            for label in (f"reels_media x{BATCH} (first)", f"reels_media x{BATCH} (warm)"):
                began = time.perf_counter()
                reels = client.get("/api/v1/feed/reels_media/", params=reel_ids)
                timings[label] = (time.perf_counter() - began, len(reels.content))
    finally:
        sandbox.stop()
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"users                      {args.users}")
    print(f"start                      {start_seconds * 1000:8.1f} ms")
    print(f"tray entries               {len(entries)}")
    for label, (seconds, size) in timings.items():
        print(f"{label:<26} {seconds * 1000:8.1f} ms  {size / 1024:8.1f} KiB")
    print(f"start peak memory          {start_peak / 2**20:8.1f} MiB (tracemalloc)")
    print(f"max RSS, whole run         {max_rss_kib / 1024:8.1f} MiB (getrusage: server and client)")


if __name__ == "__main__":
    main()
