"""What ``SqliteStore`` promises beyond the ``Store`` contract: schema, pragmas, raw payloads, pruning."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storysync.adapters.store.migrations import load_migrations, split_statements
from storysync.adapters.store.sqlite import SqliteStore
from storysync.core.errors import StorySyncError
from storysync.core.models import StoryItem


def test_a_new_file_is_migrated_to_the_newest_schema_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "store.db"
    with SqliteStore(path) as store:
        assert store.schema_version() == len(load_migrations())
        store.check_writable()

    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"profiles", "username_ids", "stories", "media", "replies", "events", "latest_failures",
            "cooldowns", "request_log", "runs", "reply_threads", "tray_sightings"} <= tables
    columns = {row[1] for table in tables for row in raw.execute(f"PRAGMA table_info({table})")}
    assert not {name for name in columns if "cookie" in name or "session" in name}, "the store has no place for secrets"
    raw.close()


def test_reopening_keeps_data_and_does_not_migrate_again(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with SqliteStore(path) as store:
        store.cache_thread_id("1", "t1")
    with SqliteStore(path) as store:
        assert store.cached_thread_id("1") == "t1"
        assert store.schema_version() == len(load_migrations())


def test_raw_payloads_are_kept_compressed_and_survive_refreshes(tmp_path: Path) -> None:
    item = StoryItem(story_id="1", owner_id="9", owner_username="bob", media_type="video", taken_at=1, expiring_at=2)
    payload = b'{"pk": 1, "video_versions": []}' * 50
    path = tmp_path / "store.db"
    with SqliteStore(path) as store:
        store.upsert_stories([item], raw={"1": payload}, now=1.0)
        store.upsert_stories([item], now=2.0)

        assert store.raw_story_payload("1") == payload
        assert store.raw_story_payload("2") is None
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT length(raw_zlib) FROM stories").fetchone()[0] < len(payload) / 5


def test_record_request_prunes_rows_older_than_the_retention(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "store.db", request_log_retention_seconds=100.0) as store:
        store.record_request("acct", "feed/reels_media", 0.0)
        store.record_request("acct", "feed/reels_tray", 0.0)
        store.record_request("acct", "feed/reels_media", 150.0)

        assert store.recent_requests("acct", "feed/reels_media", since=-1.0) == 1
        assert store.recent_requests("acct", "feed/reels_tray", since=-1.0) == 1, "only the recorded family is pruned"


def test_check_writable_reports_a_write_lock_held_elsewhere(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    with SqliteStore(path, busy_timeout_seconds=0.1) as store:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StorySyncError, match="locked"):
                store.check_writable()
        finally:
            other.execute("ROLLBACK")
            other.close()
        store.check_writable()


def test_migration_scripts_split_into_whole_statements() -> None:
    script = """
        -- a comment; with a semicolon
        CREATE TABLE a (x TEXT DEFAULT ';');
        CREATE TRIGGER t AFTER INSERT ON a BEGIN
            UPDATE a SET x = 'y';
        END;
        -- trailing comment
    """
    statements = split_statements(script)

    assert len(statements) == 2
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
    with pytest.raises(ValueError):
        split_statements("CREATE TABLE b (x TEXT)")
