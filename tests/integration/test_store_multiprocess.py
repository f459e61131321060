"""Several real processes sharing one SQLite store file (DESIGN "Concurrency").

Workers are spawned (not forked) so each opens its own connection from scratch, exactly as a
second ``storysync`` process would; a barrier lines them up so their writes truly collide.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from storysync.adapters.store.sqlite import SqliteStore
from storysync.core.models import ReplyRequest, StoryItem

WORKERS = 4
REPLY_ROUNDS = 20
SHARED_STORIES = 30
OWN_STORIES = 20

spawn = multiprocessing.get_context("spawn")


def _story(story_id: str) -> StoryItem:
    return StoryItem(story_id=story_id, owner_id="100", owner_username="alice", media_type="image", taken_at=1, expiring_at=2)


def _upsert_worker(path: str, worker: int, barrier, results) -> None:
    store = SqliteStore(path)
    shared = [_story(str(i)) for i in range(SHARED_STORIES)]
    own = [_story(f"{worker}{i:04d}") for i in range(OWN_STORIES)]
    barrier.wait()
    new = updated = 0
    # Interleave small batches so the processes' transactions alternate.
    for start in range(0, SHARED_STORIES, 5):
        batch = shared[start : start + 5] + own[start : start + 5]
        batch_new, batch_updated = store.upsert_stories(batch, now=float(worker))
        new += batch_new
        updated += batch_updated
    for _ in range(25):
        store.record_request("acct", "feed/reels_media", 1_000.0)
    store.close()
    results.put((new, updated))


def _reply_worker(path: str, worker: int, barrier, results) -> None:
    store = SqliteStore(path)
    for round_number in range(REPLY_ROUNDS):
        request = ReplyRequest(
            story_id=str(round_number), owner_id="100", owner_username="alice", text="hi",
            client_context=f"{round_number}-{worker}",
        )
        barrier.wait()
        accepted, _ = store.begin_reply(request, now=1.0)
        results.put((round_number, worker, accepted))
    store.close()


def _cooldown_worker(path: str) -> None:
    store = SqliteStore(path)
    store.set_cooldown("acct", "feed/reels_tray", 9_999.0, "rate_limited")
    store.close()


def _run(target, path: Path, results, barrier) -> None:
    processes = [spawn.Process(target=target, args=(str(path), worker, barrier, results)) for worker in range(WORKERS)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=120)
        assert process.exitcode == 0, f"worker exited with {process.exitcode}"


def test_concurrent_upserts_all_land_and_count_each_story_once(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    SqliteStore(path).close()  # migrate once, so the workers also meet an existing schema
    results = spawn.Queue()

    _run(_upsert_worker, path, results, spawn.Barrier(WORKERS))

    counts = [results.get(timeout=10) for _ in range(WORKERS)]
    store = SqliteStore(path)
    assert len(store.list_stories()) == SHARED_STORIES + WORKERS * OWN_STORIES
    assert sum(new for new, _ in counts) == SHARED_STORIES + WORKERS * OWN_STORIES, "each shared story is new exactly once"
    assert sum(updated for _, updated in counts) == 0
    assert store.recent_requests("acct", "feed/reels_media", since=0.0) == WORKERS * 25
    store.close()


def test_concurrent_begin_reply_has_exactly_one_winner_per_story(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    results = spawn.Queue()

    _run(_reply_worker, path, results, spawn.Barrier(WORKERS))

    outcomes = [results.get(timeout=10) for _ in range(WORKERS * REPLY_ROUNDS)]
    winners = {round_number: 0 for round_number in range(REPLY_ROUNDS)}
    for round_number, _, accepted in outcomes:
        winners[round_number] += accepted
    assert winners == {round_number: 1 for round_number in range(REPLY_ROUNDS)}
    store = SqliteStore(path)
    assert all(len(store.list_replies(str(r))) == 1 for r in range(REPLY_ROUNDS))
    store.close()


def test_a_cooldown_set_by_one_process_is_seen_by_another(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    observer = SqliteStore(path)
    assert observer.cooldown_until("acct", "feed/reels_tray") is None

    process = spawn.Process(target=_cooldown_worker, args=(str(path),))
    process.start()
    process.join(timeout=60)

    assert process.exitcode == 0
    assert observer.cooldown_until("acct", "feed/reels_tray") == 9_999.0
    observer.close()
