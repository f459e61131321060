"""Pure decisions: reply eligibility, media and id normalisation, reels batch sizing (DESIGN "Core")."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

import msgspec

from .instagram.media import best_candidate
from .instagram.values import as_id, normalize_story_id, normalize_username
from .models import StoryItem
from .reasons import Reason

T = TypeVar("T")

# Quote pairs a generated or pasted reply is often wrapped in.
_QUOTE_PAIRS = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»", "„": "“"}
_QUOTES = "".join(set(_QUOTE_PAIRS) | set(_QUOTE_PAIRS.values()))
# Separators left over when a reply is cut out of a list; ``!``, ``?`` and ``.`` are kept on
# purpose: they belong to what the user wants to say. Includes Arabic and full-width forms.
_TRAILING_SEPARATORS = ",;:،，；："


def story_id_from_media_url(url: str) -> str | None:
    """The story id behind a CDN media URL, from its ``ig_cache_key`` query parameter.

    The key is ``base64(<story id>)`` followed by ``.<variant>`` (``Mzk2...NQ%3D%3D.3-ccb7-5``);
    padding is often stripped, so it is restored. Anything that does not decode to digits is
    ``None``.
    """
    try:
        query = urlsplit(url).query
    except (ValueError, TypeError, AttributeError):
        return None
    keys = parse_qs(query).get("ig_cache_key")
    if not keys:
        return None
    encoded = keys[0].split(".", 1)[0].strip()
    encoded += "=" * (-len(encoded) % 4)
    try:
        decoded = base64.b64decode(encoded, altchars=b"-_", validate=False).decode("ascii")
    except (binascii.Error, ValueError):
        return None
    return as_id(decoded)


def sanitize_reply_text(text: str) -> str:
    """``text`` without surrounding whitespace, wrapping quotes and trailing separators (SPEC §6 Reply 1).

    Conservative on purpose: only quotes at the ends and trailing ``, ; :`` go (repeatedly,
    since ``"Great frame!",`` needs both), never inner text or sentence punctuation.
    """
    current = text if isinstance(text, str) else ""
    while True:
        previous = current
        current = current.strip().rstrip(_TRAILING_SEPARATORS).strip()
        if len(current) >= 2 and _QUOTE_PAIRS.get(current[0]) == current[-1]:
            current = current[1:-1]
        current = current.strip(_QUOTES)
        if current == previous:
            return current


class Eligibility(msgspec.Struct, frozen=True, kw_only=True):
    """Whether a reply may be sent, and why not; ``text`` is the sanitised reply."""

    eligible: bool
    reason: Reason | None = None
    #: ``can_reply`` unknown: only the API sink may try, the UI sink checks for a reply box first.
    api_only: bool = False
    text: str = ""


def _attribution_reason(value: str | None) -> Reason:
    try:
        return Reason(value)
    except ValueError:  # a code this version does not know (e.g. from a newer store): still a skip
        return Reason.REPLY_UNAVAILABLE


def reply_eligibility(
    story: StoryItem | None,
    text: str,
    *,
    already_replied: bool,
    skip_on_mention: bool = True,
) -> Eligibility:
    """SPEC §6 Reply step 1, checks in order; the first failing one is the reason.

    Blank text, unknown story, ``can_reply`` false, external attribution (a story whose only
    signal is a mention is allowed when ``skip_on_mention`` is off), already replied.
    """
    clean = sanitize_reply_text(text)

    def skip(reason: Reason) -> Eligibility:
        return Eligibility(eligible=False, reason=reason, text=clean)

    if not clean:
        return skip(Reason.BLANK_COMMENT_TEXT)
    if story is None:
        return skip(Reason.MISSING_STORY_ID)
    if story.can_reply is False:
        return skip(Reason.API_CAN_REPLY_FALSE)
    attribution = story.attribution
    if attribution.flag:
        mention_only = set(attribution.reasons) == {Reason.REEL_MENTIONS_EXTERNAL}
        if not (mention_only and not skip_on_mention):
            return skip(_attribution_reason(attribution.reason))
    if already_replied:
        return skip(Reason.DUPLICATE_STORY_ALREADY_REPLIED)
    return Eligibility(eligible=True, api_only=story.can_reply is None, text=clean)


def next_batch_size(current: int) -> int:
    """The reels batch size after a refusal (400 "Too many reels requested", 5xx): half, never below 1."""
    return max(1, current // 2)


def chunk(ids: Sequence[T], size: int) -> list[list[T]]:
    """``ids`` in consecutive batches of ``size`` (at least 1), order kept."""
    step = max(1, size)
    return [list(ids[start : start + step]) for start in range(0, len(ids), step)]


__all__ = [
    "Eligibility",
    "best_candidate",
    "chunk",
    "next_batch_size",
    "normalize_story_id",
    "normalize_username",
    "reply_eligibility",
    "sanitize_reply_text",
    "story_id_from_media_url",
]
