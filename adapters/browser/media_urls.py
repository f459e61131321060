"""Which URLs a browser media fallback may return as a story's media (SPEC §6 "Home carousel sync")."""

from __future__ import annotations

from urllib.parse import urlsplit

from storysync.core.models import MediaKind, ResolvedMedia, StoryContext
from storysync.core.policy import story_id_from_media_url

#: Instagram serves profile pictures from this bucket, or sized 150×150; never a story's media.
PROFILE_PICTURE_MARKERS = ("/t51.2885-19/", "s150x150")
INSTAGRAM_CDN_DOMAINS = ("cdninstagram.com", "fbcdn.net")
_EXTENSION_KINDS: dict[str, MediaKind] = {
    ".mp4": "video",
    ".mov": "video",
    ".m4v": "video",
    ".webm": "video",
    ".jpg": "image",
    ".jpeg": "image",
    ".png": "image",
    ".webp": "image",
    ".heic": "image",
}


def is_downloadable_media_url(url: str) -> bool:
    """An absolute http(s) URL that is not a profile picture.

    ``data:``, ``blob:``, ``javascript:`` and ``mediastream:`` URLs name nothing a downloader
    can fetch, so only http(s) passes.
    """
    if not url.lower().startswith(("https://", "http://")):
        return False
    return not any(marker in url for marker in PROFILE_PICTURE_MARKERS)


def media_kind(mime_type: str, url: str) -> MediaKind | None:
    """``video``/``image`` from the MIME type, else from the URL path's extension; ``None`` otherwise."""
    major = mime_type.split("/", 1)[0].strip().lower()
    if major == "video":
        return "video"
    if major == "image":
        return "image"
    path = urlsplit(url).path.lower()
    return next((kind for extension, kind in _EXTENSION_KINDS.items() if path.endswith(extension)), None)


def same_media(first: str, second: str) -> bool:
    """Whether two URLs name the same file: CDN edge hosts and signed queries vary, the path does not."""
    return urlsplit(first).path == urlsplit(second).path


def resolved_story_media(context: StoryContext, url: str, kind: MediaKind, source: str) -> ResolvedMedia | None:
    """``url`` as the media of the story on screen: its id from the page, else from the URL's
    ``ig_cache_key``; ``None`` when neither names it."""
    story_id = context.story_id or story_id_from_media_url(url)
    if story_id is None:
        return None
    return ResolvedMedia(story_id=story_id, media_url=url, media_type=kind, source=source)
