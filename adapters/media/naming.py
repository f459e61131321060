"""Where a story's media file lives: ``<owner_username>/<story_id>.<ext>``, from validated parts only.

Nothing from the media URL's path reaches a file name, so a hostile URL cannot choose where
bytes land.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from storysync.core.errors import MediaError

_USERNAME = re.compile(r"[a-z0-9._]{1,30}")
_STORY_ID = re.compile(r"[0-9]{1,40}")

#: Content types we store, and the extension each is saved with.
EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/jpg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "image/heic": "heic",
    "image/avif": "avif",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
}


def normalise_username(username: str) -> str:
    """Lower case, without a leading ``@``; only ``[a-z0-9._]``, at most 30, not starting with a dot."""
    name = username.strip().removeprefix("@").lower()
    # A leading dot would make "." / ".." path components or hidden directories.
    if not _USERNAME.fullmatch(name) or name.startswith("."):
        raise MediaError(f"not a usable Instagram username for a media folder: {username!r}")
    return name


def validate_story_id(story_id: str) -> str:
    if not _STORY_ID.fullmatch(story_id):
        raise MediaError(f"story id must be ASCII digits: {story_id!r}")
    return story_id


def media_path(owner_username: str, story_id: str, extension: str) -> PurePosixPath:
    """The file's path relative to the media directory."""
    return PurePosixPath(normalise_username(owner_username), f"{validate_story_id(story_id)}.{extension}")
