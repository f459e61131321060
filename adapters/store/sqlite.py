"""``SqliteStore``: the default ``Store``, one SQLite file shared by threads and processes.

Concurrency model: one connection per ``SqliteStore``, guarded by a lock so the media thread
pool can record from worker threads; WAL plus a busy timeout so several processes can open the
same file; every change runs in ``BEGIN IMMEDIATE`` so read-then-write decisions (the reply
state machine, migrations) are atomic across processes.

Domain values are kept as msgspec JSON next to the columns that queries need. Cookie values
have no column anywhere: nothing in the port carries them.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import msgspec

from storysync.core.errors import ConfigError, StorySyncError
from storysync.core.models import Event, MediaRecord, Profile, ReplyOutcome, ReplyRequest, StoryItem, SyncReport

from .migrations import load_migrations

IN_MEMORY = ":memory:"

#: Events whose latest occurrence per (username, endpoint) the store keeps for diagnostics (SPEC §4).
API_FAILURE_EVENT_KINDS = frozenset({"instagram.api_get_json.failure", "instagram.api_post_form.failure"})

#: Reply states that are, or may still turn out to be, a delivered reply. They count against
#: ``max_per_story``; ``failed`` and ``skipped`` do not, so a later attempt may try again.
OCCUPYING_REPLY_STATES = ("pending", "sent", "sent_unconfirmed", "unknown")

#: Unresolved states come first among the rows ``begin_reply`` refuses with, so the caller
#: resolves an earlier reply (SPEC §6 Reply 5) before concluding the story was answered.
_UNRESOLVED_FIRST = "CASE state WHEN 'unknown' THEN 0 WHEN 'pending' THEN 1 ELSE 2 END"

_encode = msgspec.json.Encoder().encode
_decode_profile = msgspec.json.Decoder(Profile).decode
_decode_story = msgspec.json.Decoder(StoryItem).decode
_decode_report = msgspec.json.Decoder(SyncReport).decode
_decode_fields = msgspec.json.Decoder(dict[str, Any]).decode


class SqliteStore:
    """The ``Store`` port on stdlib ``sqlite3``.

    ``path`` is a file (its directory is created) or ``":memory:"`` for tests.
    ``request_log_retention_seconds`` bounds the request ledger: ``record_request`` prunes the
    account's rows of that family older than this, so keep it above the longest pacing window.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        busy_timeout_seconds: float = 30.0,
        request_log_retention_seconds: float = 24 * 3600.0,
    ) -> None:
        self.path = str(path)
        self._request_log_retention = request_log_retention_seconds
        self._lock = threading.Lock()
        with self._translate_errors():
            if self.path != IN_MEMORY:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: the module must not open transactions behind our back;
            # every transaction here is an explicit BEGIN IMMEDIATE.
            self._conn = sqlite3.connect(
                self.path, timeout=busy_timeout_seconds, isolation_level=None, check_same_thread=False
            )
            self._conn.row_factory = sqlite3.Row
            self._conn.execute("PRAGMA foreign_keys = ON")
            if self.path != IN_MEMORY:
                self._conn.execute("PRAGMA journal_mode = WAL")
            self._migrate()

    # -- infrastructure -------------------------------------------------------------------

    @contextmanager
    def _translate_errors(self) -> Iterator[None]:
        try:
            yield
        except (sqlite3.Error, msgspec.MsgspecError, OSError) as exc:
            raise StorySyncError(f"store {self.path}: {exc}") from exc

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._translate_errors():
            yield self._conn

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction: the write lock is taken before the first read."""
        with self._lock, self._translate_errors():
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    def _migrate(self) -> None:
        for migration in load_migrations():
            with self._writing() as conn:
                # Re-read inside the transaction: another process may have migrated meanwhile.
                if conn.execute("PRAGMA user_version").fetchone()[0] >= migration.version:
                    continue
                for statement in migration.statements:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {migration.version:d}")

    def schema_version(self) -> int:
        """The number of the newest migration applied to this database."""
        with self._reading() as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    def check_writable(self) -> None:
        """Raise ``StorySyncError`` unless this process can take the write lock and write."""
        with self._writing() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            conn.execute(f"PRAGMA user_version = {version:d}")

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- profiles and the username -> id cache ----------------------------------------------

    def cached_user_id(self, username: str) -> str | None:
        with self._reading() as conn:
            row = conn.execute("SELECT user_id FROM username_ids WHERE username = ?", (_cache_key(username),)).fetchone()
        return row["user_id"] if row else None

    def upsert_profile(self, profile: Profile, *, seen_in_tray: bool = False) -> None:
        """Insert or refresh ``profile``; a ``None`` field keeps the value an earlier payload gave."""
        with self._writing() as conn:
            self._put_profile(conn, profile)
            if seen_in_tray:
                self._record_tray_sightings(conn, [profile.user_id], overrule_known=False)

    def get_profile(self, username: str) -> Profile | None:
        with self._reading() as conn:
            row = conn.execute(
                "SELECT p.profile, p.followed_by_viewer FROM username_ids AS u"
                " JOIN profiles AS p ON p.user_id = u.user_id WHERE u.username = ?",
                (_cache_key(username),),
            ).fetchone()
            if row is None:
                return None
            return _profile_from_row(row)

    def is_followed(self, user_id: str) -> bool | None:
        with self._reading() as conn:
            row = conn.execute("SELECT followed_by_viewer FROM profiles WHERE user_id = ?", (user_id,)).fetchone()
            if row is not None and row["followed_by_viewer"] is not None:
                return bool(row["followed_by_viewer"])
            sighted = conn.execute("SELECT 1 FROM tray_sightings WHERE user_id = ?", (user_id,)).fetchone()
        return True if sighted else None

    def mark_in_tray(self, user_ids: Sequence[str]) -> None:
        """Record that the viewer's tray listed these ids: the viewer follows them now."""
        with self._writing() as conn:
            self._record_tray_sightings(conn, user_ids, overrule_known=True)

    def _put_profile(self, conn: sqlite3.Connection, profile: Profile) -> None:
        row = conn.execute("SELECT profile, followed_by_viewer FROM profiles WHERE user_id = ?", (profile.user_id,)).fetchone()
        if row is not None:
            profile = _keep_known_fields(_profile_from_row(row), profile)
        followed = None if profile.followed_by_viewer is None else int(profile.followed_by_viewer)
        conn.execute(
            "INSERT INTO profiles (user_id, username, full_name, profile_pic_url, followed_by_viewer, profile, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET username = excluded.username, full_name = excluded.full_name,"
            " profile_pic_url = excluded.profile_pic_url, followed_by_viewer = excluded.followed_by_viewer,"
            " profile = excluded.profile, updated_at = excluded.updated_at",
            (
                profile.user_id,
                profile.username,
                profile.full_name,
                profile.profile_pic_url,
                followed,
                _encode(profile),
                # Informational only (nothing decides on it), hence wall time rather than a Clock.
                time.time(),
            ),
        )
        _cache_username(conn, profile.username, profile.user_id)

    def _record_tray_sightings(self, conn: sqlite3.Connection, user_ids: Sequence[str], *, overrule_known: bool) -> None:
        conn.executemany("INSERT OR IGNORE INTO tray_sightings (user_id) VALUES (?)", [(uid,) for uid in user_ids])
        # A fresh tray listing is newer evidence than any profile payload; a profile upserted
        # together with its sighting keeps its own explicit answer.
        condition = "" if overrule_known else " AND followed_by_viewer IS NULL"
        conn.executemany(
            f"UPDATE profiles SET followed_by_viewer = 1 WHERE user_id = ?{condition}", [(uid,) for uid in user_ids]
        )

    def _remember_owner(self, conn: sqlite3.Connection, owner_id: str, owner_username: str) -> None:
        """Make sure a story's owner has a profile row, following a username the reel reveals."""
        row = conn.execute("SELECT profile, followed_by_viewer FROM profiles WHERE user_id = ?", (owner_id,)).fetchone()
        if row is None:
            self._put_profile(conn, Profile(user_id=owner_id, username=owner_username))
            return
        known = _profile_from_row(row)
        if owner_username and known.username != owner_username:
            self._put_profile(conn, msgspec.structs.replace(known, username=owner_username))

    # -- stories ----------------------------------------------------------------------------

    def upsert_stories(
        self, stories: Sequence[StoryItem], *, raw: Mapping[str, bytes] | None = None, now: float
    ) -> tuple[int, int]:
        """Insert or refresh stories by ``story_id``; ``updated`` counts stories whose fields changed.

        ``raw`` maps story ids to their raw item payload, kept compressed; a story without an
        entry keeps the payload stored earlier.
        """
        raw = raw or {}
        new = updated = 0
        with self._writing() as conn:
            owners = {story.owner_id: story.owner_username for story in stories}
            for owner_id, owner_username in owners.items():
                self._remember_owner(conn, owner_id, owner_username)
            for story in stories:
                item = _encode(story)
                raw_zlib = zlib.compress(raw[story.story_id]) if story.story_id in raw else None
                row = conn.execute("SELECT item FROM stories WHERE story_id = ?", (story.story_id,)).fetchone()
                if row is None:
                    conn.execute(
                        "INSERT INTO stories (story_id, owner_id, owner_username, taken_at, expiring_at, item,"
                        " raw_zlib, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (story.story_id, story.owner_id, story.owner_username, story.taken_at,
                         story.expiring_at, item, raw_zlib, now, now),
                    )
                    new += 1
                    continue
                conn.execute(
                    "UPDATE stories SET owner_id = ?, owner_username = ?, taken_at = ?, expiring_at = ?, item = ?,"
                    " raw_zlib = COALESCE(?, raw_zlib), last_seen = ? WHERE story_id = ?",
                    (story.owner_id, story.owner_username, story.taken_at, story.expiring_at, item,
                     raw_zlib, now, story.story_id),
                )
                updated += bytes(row["item"]) != item
        return new, updated

    def get_story(self, story_id: str) -> StoryItem | None:
        with self._reading() as conn:
            row = conn.execute("SELECT item FROM stories WHERE story_id = ?", (story_id,)).fetchone()
            return _decode_story(row["item"]) if row else None

    def raw_story_payload(self, story_id: str) -> bytes | None:
        """The raw item payload stored with the story, decompressed; ``None`` when none was given."""
        with self._reading() as conn:
            row = conn.execute("SELECT raw_zlib FROM stories WHERE story_id = ?", (story_id,)).fetchone()
        if row is None or row["raw_zlib"] is None:
            return None
        with self._translate_errors():
            try:
                return zlib.decompress(row["raw_zlib"])
            except zlib.error as exc:
                raise StorySyncError(f"store {self.path}: raw payload of story {story_id} is corrupt") from exc

    def list_stories(self, username: str | None = None, limit: int | None = None) -> list[StoryItem]:
        """Stories newest first (by ``taken_at``); ``username`` is resolved through the id cache."""
        sql = "SELECT item FROM stories"
        params: list[Any] = []
        if username is not None:
            sql += " WHERE owner_id = (SELECT user_id FROM username_ids WHERE username = ?)"
            params.append(_cache_key(username))
        sql += " ORDER BY taken_at DESC, story_id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self._reading() as conn:
            return [_decode_story(row["item"]) for row in conn.execute(sql, params)]

    def latest_taken_at(self, user_id: str) -> int | None:
        with self._reading() as conn:
            return conn.execute("SELECT MAX(taken_at) FROM stories WHERE owner_id = ?", (user_id,)).fetchone()[0]

    # -- media records ----------------------------------------------------------------------

    def get_media(self, story_id: str) -> MediaRecord | None:
        with self._reading() as conn:
            row = conn.execute("SELECT * FROM media WHERE story_id = ?", (story_id,)).fetchone()
        return MediaRecord(**dict(row)) if row else None

    def record_media(self, record: MediaRecord) -> None:
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO media (story_id, path, source_url, content_type, bytes, sha256, width, height)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (story_id) DO UPDATE SET path = excluded.path, source_url = excluded.source_url,"
                " content_type = excluded.content_type, bytes = excluded.bytes, sha256 = excluded.sha256,"
                " width = excluded.width, height = excluded.height",
                (record.story_id, record.path, record.source_url, record.content_type, record.bytes,
                 record.sha256, record.width, record.height),
            )

    # -- replies ----------------------------------------------------------------------------

    def begin_reply(
        self, request: ReplyRequest, *, now: float, max_per_story: int = 1
    ) -> tuple[bool, dict[str, Any]]:
        """Record the intent as ``pending`` unless the story already has ``max_per_story`` replies.

        Refused: ``(False, row)`` where ``row`` is this ``client_context``'s own row when it is
        already in flight, else the story's unresolved (``unknown``/``pending``) reply first,
        else its newest. A ``failed`` or ``skipped`` intent with the same ``client_context``
        is reopened rather than duplicated.
        """
        if max_per_story < 1:
            raise ConfigError(f"reply.max_per_story must be at least 1, got {max_per_story}")
        placeholders = ", ".join("?" for _ in OCCUPYING_REPLY_STATES)
        with self._writing() as conn:
            own = conn.execute("SELECT * FROM replies WHERE client_context = ?", (request.client_context,)).fetchone()
            if own is not None and own["state"] in OCCUPYING_REPLY_STATES:
                return False, dict(own)
            occupying = conn.execute(
                f"SELECT * FROM replies WHERE story_id = ? AND state IN ({placeholders})"
                f" ORDER BY {_UNRESOLVED_FIRST}, created_at DESC",
                (request.story_id, *OCCUPYING_REPLY_STATES),
            ).fetchall()
            if len(occupying) >= max_per_story:
                return False, dict(occupying[0])
            if own is None:
                conn.execute(
                    "INSERT INTO replies (client_context, story_id, owner_id, owner_username, text, state,"
                    " thread_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
                    (request.client_context, request.story_id, request.owner_id, request.owner_username,
                     request.text, request.thread_id, now, now),
                )
            else:
                conn.execute(
                    "UPDATE replies SET state = 'pending', text = ?, method = NULL, reason = NULL,"
                    " http_status = NULL, thread_id = COALESCE(?, thread_id), item_id = NULL, updated_at = ?"
                    " WHERE client_context = ?",
                    (request.text, request.thread_id, now, request.client_context),
                )
            row = conn.execute("SELECT * FROM replies WHERE client_context = ?", (request.client_context,)).fetchone()
            return True, dict(row)

    def finish_reply(self, client_context: str, outcome: ReplyOutcome, *, now: float) -> None:
        """Record a reply's outcome. A ``sent`` reply is final: it can only be confirmed again."""
        with self._writing() as conn:
            row = conn.execute("SELECT state FROM replies WHERE client_context = ?", (client_context,)).fetchone()
            if row is None:
                raise StorySyncError(f"no reply intent with client_context {client_context}")
            if row["state"] == "sent" and outcome.state != "sent":
                raise StorySyncError(
                    f"reply {client_context} was already sent; refusing to mark it {outcome.state}"
                )
            conn.execute(
                "UPDATE replies SET state = ?, method = ?, reason = ?, http_status = ?,"
                " thread_id = COALESCE(?, thread_id), item_id = COALESCE(?, item_id), updated_at = ?"
                " WHERE client_context = ?",
                (outcome.state, outcome.method, outcome.reason, outcome.http_status, outcome.thread_id,
                 outcome.item_id, now, client_context),
            )

    def list_replies(self, story_id: str | None = None) -> list[dict[str, Any]]:
        """Reply rows oldest first, as dicts of the ``replies`` columns."""
        sql = "SELECT * FROM replies"
        params: tuple[str, ...] = ()
        if story_id is not None:
            sql += " WHERE story_id = ?"
            params = (story_id,)
        with self._reading() as conn:
            return [dict(row) for row in conn.execute(sql + " ORDER BY created_at, rowid", params)]

    # -- events and latest failures ---------------------------------------------------------

    def record_event(self, event: Event, *, run_id: str | None = None) -> None:
        """Append ``event``; an API failure also becomes the latest one for its username and endpoint."""
        try:
            fields = _encode(event.fields)
        except TypeError as exc:
            raise StorySyncError(f"event {event.kind}: fields are not JSON-encodable ({exc})") from exc
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO events (kind, at, run_id, fields) VALUES (?, ?, ?, ?)",
                (event.kind, event.at, run_id, fields),
            )
            if event.kind in API_FAILURE_EVENT_KINDS:
                conn.execute(
                    "INSERT INTO latest_failures (username, endpoint, kind, at, run_id, fields)"
                    " VALUES (?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (username, endpoint) DO UPDATE SET kind = excluded.kind, at = excluded.at,"
                    " run_id = excluded.run_id, fields = excluded.fields WHERE excluded.at >= latest_failures.at",
                    (_failure_key(event.fields.get("username")), _failure_key(event.fields.get("endpoint")),
                     event.kind, event.at, run_id, fields),
                )

    def list_events(self, kind: str | None = None, run_id: str | None = None) -> list[Event]:
        """Events oldest first, filtered by ``kind`` and ``run_id`` when given."""
        conditions, params = [], []
        if kind is not None:
            conditions.append("kind = ?")
            params.append(kind)
        if run_id is not None:
            conditions.append("run_id = ?")
            params.append(run_id)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        with self._reading() as conn:
            rows = conn.execute(f"SELECT kind, at, fields FROM events{where} ORDER BY at, event_id", params).fetchall()
            return [Event(kind=row["kind"], at=row["at"], fields=_decode_fields(row["fields"])) for row in rows]

    def latest_failures(self, username: str | None = None) -> list[dict[str, Any]]:
        """Newest first: the failure event's fields plus ``kind``, ``at``, ``run_id``, ``username``, ``endpoint``.

        ``username`` is ``None`` for requests that had no target username.
        """
        sql = "SELECT * FROM latest_failures"
        params: tuple[str, ...] = ()
        if username is not None:
            sql += " WHERE username = ?"
            params = (username,)
        with self._reading() as conn:
            rows = conn.execute(sql + " ORDER BY at DESC", params).fetchall()
            return [
                {
                    **_decode_fields(row["fields"]),
                    "kind": row["kind"],
                    "at": row["at"],
                    "run_id": row["run_id"],
                    "username": row["username"] or None,
                    "endpoint": row["endpoint"],
                }
                for row in rows
            ]

    # -- the rate-limit ledger --------------------------------------------------------------

    def cooldown_until(self, account: str, family: str) -> float | None:
        """When the recorded cooldown ends, even if that is already past; ``None`` if none was set."""
        with self._reading() as conn:
            row = conn.execute(
                "SELECT until FROM cooldowns WHERE account = ? AND family = ?", (account, family)
            ).fetchone()
        return row["until"] if row else None

    def set_cooldown(self, account: str, family: str, until: float, reason: str) -> None:
        """Record a cooldown; an existing one that ends later is kept.

        Two processes may hit different limits at once (a 429 and a long "Please wait" block);
        the shorter must not cut the longer short.
        """
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO cooldowns (account, family, until, reason) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (account, family) DO UPDATE SET until = excluded.until, reason = excluded.reason"
                " WHERE excluded.until > cooldowns.until",
                (account, family, until, reason),
            )

    def record_request(self, account: str, family: str, at: float) -> None:
        with self._writing() as conn:
            conn.execute("INSERT INTO request_log (account, family, at) VALUES (?, ?, ?)", (account, family, at))
            conn.execute(
                "DELETE FROM request_log WHERE account = ? AND family = ? AND at < ?",
                (account, family, at - self._request_log_retention),
            )

    def recent_requests(self, account: str, family: str, since: float) -> int:
        """How many requests were recorded at or after ``since``."""
        with self._reading() as conn:
            return conn.execute(
                "SELECT COUNT(*) FROM request_log WHERE account = ? AND family = ? AND at >= ?",
                (account, family, since),
            ).fetchone()[0]

    # -- runs -------------------------------------------------------------------------------

    def start_run(self, run_id: str, flow: str, *, now: float) -> None:
        with self._writing() as conn:
            conn.execute("INSERT INTO runs (run_id, flow, started_at) VALUES (?, ?, ?)", (run_id, flow, now))

    def finish_run(self, report: SyncReport) -> None:
        """Store the run's report; a run that was never started is recorded whole."""
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO runs (run_id, flow, started_at, finished_at, report) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (run_id) DO UPDATE SET flow = excluded.flow, finished_at = excluded.finished_at,"
                " report = excluded.report",
                (report.run_id, report.flow, report.started_at, report.finished_at, _encode(report)),
            )

    def list_runs(self, limit: int = 20) -> list[SyncReport]:
        """Reports of finished runs, newest start first; a run still going (or crashed) has none yet."""
        with self._reading() as conn:
            rows = conn.execute(
                "SELECT report FROM runs WHERE report IS NOT NULL ORDER BY started_at DESC, run_id DESC LIMIT ?",
                (limit,),
            ).fetchall()
            return [_decode_report(row["report"]) for row in rows]

    # -- reply threads ----------------------------------------------------------------------

    def cached_thread_id(self, owner_id: str) -> str | None:
        with self._reading() as conn:
            row = conn.execute("SELECT thread_id FROM reply_threads WHERE owner_id = ?", (owner_id,)).fetchone()
        return row["thread_id"] if row else None

    def cache_thread_id(self, owner_id: str, thread_id: str) -> None:
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO reply_threads (owner_id, thread_id) VALUES (?, ?)"
                " ON CONFLICT (owner_id) DO UPDATE SET thread_id = excluded.thread_id",
                (owner_id, thread_id),
            )


def _cache_key(username: str) -> str:
    """Instagram usernames are case-insensitive; the cache keys them in lower case."""
    return username.strip().lower()


def _cache_username(conn: sqlite3.Connection, username: str, user_id: str) -> None:
    key = _cache_key(username)
    if not key:  # a payload without a username says nothing about the cache
        return
    # One statement removes both stale mappings: the id's old username, and this username's old id.
    conn.execute("DELETE FROM username_ids WHERE user_id = ? OR username = ?", (user_id, key))
    conn.execute("INSERT INTO username_ids (username, user_id) VALUES (?, ?)", (key, user_id))


def _profile_from_row(row: sqlite3.Row) -> Profile:
    # The column, not the JSON, is the truth about following: tray sightings update only it.
    followed = row["followed_by_viewer"]
    profile = _decode_profile(row["profile"])
    return msgspec.structs.replace(profile, followed_by_viewer=None if followed is None else bool(followed))


def _keep_known_fields(known: Profile, incoming: Profile) -> Profile:
    """``incoming`` with every field it leaves ``None`` ("the payload did not say") taken from ``known``."""
    kept = {
        name: getattr(known, name)
        for name in Profile.__struct_fields__
        if getattr(incoming, name) is None and getattr(known, name) is not None
    }
    return msgspec.structs.replace(incoming, **kept) if kept else incoming


def _failure_key(value: Any) -> str:
    return "" if value is None else str(value)
