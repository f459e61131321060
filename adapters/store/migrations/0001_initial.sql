-- The first schema of the SQLite store. Each migration file runs in one transaction; the
-- runner records its number in PRAGMA user_version. Never edit an applied migration: add one.

CREATE TABLE profiles (
    user_id            TEXT PRIMARY KEY,
    username           TEXT NOT NULL,
    full_name          TEXT NOT NULL DEFAULT '',
    profile_pic_url    TEXT,
    -- NULL: no payload has said whether the viewer follows this account.
    followed_by_viewer INTEGER CHECK (followed_by_viewer IN (0, 1)),
    -- The whole Profile as msgspec JSON; the columns above are what queries need.
    profile            BLOB NOT NULL,
    updated_at         REAL NOT NULL
);

-- Accounts seen in the viewer's story tray, which lists only followed accounts. Kept apart
-- from profiles because the tray can name an id before any profile row exists for it.
CREATE TABLE tray_sightings (
    user_id TEXT PRIMARY KEY
);

-- The permanent username -> id cache. One row per id (an id that shows a new username
-- replaces its old row) and one per username (a username taken over by another id moves).
CREATE TABLE username_ids (
    username TEXT PRIMARY KEY,
    user_id  TEXT NOT NULL UNIQUE REFERENCES profiles (user_id) ON DELETE CASCADE
);

CREATE TABLE stories (
    story_id       TEXT PRIMARY KEY,
    owner_id       TEXT NOT NULL REFERENCES profiles (user_id),
    owner_username TEXT NOT NULL,
    taken_at       INTEGER NOT NULL,
    expiring_at    INTEGER NOT NULL,
    -- The StoryItem as msgspec JSON.
    item           BLOB NOT NULL,
    -- The raw Instagram item payload, zlib-compressed, when the caller kept it.
    raw_zlib       BLOB,
    first_seen     REAL NOT NULL,
    last_seen      REAL NOT NULL
);
CREATE INDEX stories_by_owner ON stories (owner_id, taken_at);
CREATE INDEX stories_by_expiry ON stories (expiring_at);

-- No foreign key to stories: a viewer-driven flow may store media it resolved before the
-- story row exists, and a record must not be lost to that ordering.
CREATE TABLE media (
    story_id     TEXT PRIMARY KEY,
    path         TEXT NOT NULL,
    source_url   TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes        INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    width        INTEGER,
    height       INTEGER
);

CREATE TABLE replies (
    client_context TEXT PRIMARY KEY,
    story_id       TEXT NOT NULL,
    owner_id       TEXT NOT NULL,
    owner_username TEXT NOT NULL,
    text           TEXT NOT NULL,
    state          TEXT NOT NULL
        CHECK (state IN ('pending', 'sent', 'sent_unconfirmed', 'unknown', 'failed', 'skipped')),
    method         TEXT,
    reason         TEXT,
    http_status    INTEGER,
    thread_id      TEXT,
    item_id        TEXT,
    created_at     REAL NOT NULL,
    updated_at     REAL NOT NULL
);
CREATE INDEX replies_by_story ON replies (story_id, state);

CREATE TABLE events (
    event_id INTEGER PRIMARY KEY,
    kind     TEXT NOT NULL,
    at       REAL NOT NULL,
    run_id   TEXT,
    fields   BLOB NOT NULL
);
CREATE INDEX events_by_kind ON events (kind, at);
CREATE INDEX events_by_run ON events (run_id);

-- The latest API failure per target username ('' when the request had none) and endpoint.
CREATE TABLE latest_failures (
    username TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    kind     TEXT NOT NULL,
    at       REAL NOT NULL,
    run_id   TEXT,
    fields   BLOB NOT NULL,
    PRIMARY KEY (username, endpoint)
);

CREATE TABLE cooldowns (
    account TEXT NOT NULL,
    family  TEXT NOT NULL,
    until   REAL NOT NULL,
    reason  TEXT NOT NULL,
    PRIMARY KEY (account, family)
);

CREATE TABLE request_log (
    account TEXT NOT NULL,
    family  TEXT NOT NULL,
    at      REAL NOT NULL
);
CREATE INDEX request_log_window ON request_log (account, family, at);

CREATE TABLE runs (
    run_id      TEXT PRIMARY KEY,
    flow        TEXT NOT NULL,
    started_at  REAL NOT NULL,
    finished_at REAL,
    -- The SyncReport as msgspec JSON, once the run has finished.
    report      BLOB
);
CREATE INDEX runs_by_start ON runs (started_at);

CREATE TABLE reply_threads (
    owner_id  TEXT PRIMARY KEY,
    thread_id TEXT NOT NULL
);
