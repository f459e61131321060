"""storysync-jsonl-feed: replay stories from JSON-lines exports; keep a JSON-lines feed of saved stories.

* Source ``archive``: serves the stories held in ``$JSONL_FEED_ARCHIVE``, a directory of
  ``*.jsonl`` files with one story per line, exactly as ``storysync stories export`` writes them.
  Put it first in ``sources`` to sync from an export without asking Instagram; put it last to
  fall back on the export when Instagram cannot be reached.
* Observer: every story a sync saves is appended to ``$JSONL_FEED_FILE`` as one JSON object
  ``{"run_id": ..., "is_new": ..., "story": {...}}`` per line.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import msgspec

from storysync.core.errors import ConfigError, StorySyncError
from storysync.core.models import InboxPage, Profile, Reel, StoryItem, TrayEntry
from storysync.core.reasons import Reason
from storysync.plugins import hookimpl

ARCHIVE_ENV = "JSONL_FEED_ARCHIVE"
FEED_ENV = "JSONL_FEED_FILE"

_decode_story = msgspec.json.Decoder(StoryItem).decode
_encode = msgspec.json.Encoder().encode


class NotInArchive(StorySyncError):
    """The archive does not hold what was asked for; the next source in ``sources`` is tried."""

    reason = Reason.NOT_FOUND


def read_archive(directory: Path) -> list[StoryItem]:
    """Every story in the ``*.jsonl`` files of ``directory``; the last line about a story wins."""
    stories: dict[str, StoryItem] = {}
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_bytes().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                story = _decode_story(line)
            except msgspec.ValidationError as error:
                raise ConfigError(f"{path}:{number}: not a story as 'storysync stories export' writes it: {error}") from None
            stories[story.story_id] = story
    return list(stories.values())


class ArchiveSource:
    """A ``StorySource`` over exported stories: profiles, reels and a tray, but no inbox."""

    name = "archive"

    def __init__(self, stories: Sequence[StoryItem]) -> None:
        self._by_owner: dict[str, list[StoryItem]] = {}
        for story in sorted(stories, key=lambda s: s.taken_at):
            self._by_owner.setdefault(story.owner_id, []).append(story)

    def profile(self, username: str) -> Profile:
        for owner_id, stories in self._by_owner.items():
            if stories[-1].owner_username == username:
                return Profile(user_id=owner_id, username=username)
        raise NotInArchive(f"the archive holds no stories of @{username}")

    def reels(self, user_ids: Sequence[str]) -> dict[str, Reel]:
        reels = {user_id: self._reel(user_id) for user_id in user_ids if user_id in self._by_owner}
        if not reels:
            raise NotInArchive(f"the archive holds no stories of users {', '.join(user_ids)}")
        return reels

    def _reel(self, owner_id: str) -> Reel:
        stories = self._by_owner[owner_id]
        newest = stories[-1]
        return Reel(owner_id=owner_id, owner_username=newest.owner_username, items=tuple(stories),
                    latest_reel_media=newest.taken_at)

    def tray(self) -> list[TrayEntry]:
        return [
            TrayEntry(user_id=owner_id, username=stories[-1].owner_username, latest_reel_media=stories[-1].taken_at)
            for owner_id, stories in self._by_owner.items()
        ]

    def inbox(self, cursor: str | None = None, limit: int = 20) -> InboxPage:
        raise NotInArchive("an archive holds no direct inbox")


def build_archive_source(ctx) -> ArchiveSource:
    directory = os.environ.get(ARCHIVE_ENV)
    if not directory:
        raise ConfigError(f"source 'archive' needs {ARCHIVE_ENV}: a directory of 'storysync stories export' files")
    return ArchiveSource(read_archive(Path(directory)))


@hookimpl
def storysync_register_adapters(registry) -> None:
    registry.add_source("archive", build_archive_source)


@hookimpl
def storysync_story_saved(story: StoryItem, is_new: bool, run_id: str) -> None:
    feed = os.environ.get(FEED_ENV)
    if not feed:
        return
    line = _encode({"run_id": run_id, "is_new": is_new, "story": story})
    with open(feed, "ab") as handle:
        handle.write(line + b"\n")
