"""The pure decisions of storysync.core.policy."""

from __future__ import annotations

import base64

import pytest

from storysync.core.instagram.media import Rendition
from storysync.core.instagram.shapes import RawCandidate
from storysync.core.models import Attribution, StoryItem
from storysync.core.policy import (
    Eligibility,
    best_candidate,
    chunk,
    next_batch_size,
    normalize_story_id,
    normalize_username,
    reply_eligibility,
    sanitize_reply_text,
    story_id_from_media_url,
)
from storysync.core.reasons import Reason


def test_best_candidate() -> None:
    candidates = [
        RawCandidate(url="https://c/small.jpg", width=320, height=569),
        RawCandidate(url="https://c/big.jpg", width=1080, height=1920),
        RawCandidate(url="https://c/big2.jpg", width=1080, height=1920),
        RawCandidate(url="javascript:x", width=4000, height=4000),
    ]
    assert best_candidate(candidates) == Rendition(url="https://c/big.jpg", width=1080, height=1920)
    assert best_candidate([]) is None and best_candidate(None) is None
    assert best_candidate([RawCandidate(url="https://c/a.jpg")]) == Rendition(url="https://c/a.jpg")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(123, "123"), ("123", "123"), (" 123 ", "123"), ("123_456", "123"), ("abc", None), ("", None),
     (None, None), (True, None), (-1, None), ("١٢٣", None), (12.0, None)],
)
def test_normalize_story_id(value, expected) -> None:
    assert normalize_story_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Some.User_1", "some.user_1"), (" @name ", "name"), ("a" * 30, "a" * 30), ("a" * 31, None),
     ("bad name", None), ("emoji😀", None), ("", None), ("@", None), (None, None), (5, None)],
)
def test_normalize_username(value, expected) -> None:
    assert normalize_username(value) == expected


def _cache_key(story_id: str, *, padded: bool = True) -> str:
    encoded = base64.b64encode(story_id.encode()).decode()
    return encoded if padded else encoded.rstrip("=")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://c/v/a.jpg?stp=x&ig_cache_key=Mzk2NzExNjgxNjI4NjY4MjQ5NQ%3D%3D.3-ccb7-5&oh=1", "3967116816286682495"),
        (f"https://c/a.jpg?ig_cache_key={_cache_key('12345', padded=False)}.2", "12345"),
        (f"https://c/a.jpg?ig_cache_key={_cache_key('not digits')}.2", None),
        ("https://c/a.jpg?ig_cache_key=%%%%", None),
        ("https://c/a.jpg", None),
        ("not a url", None),
    ],
)
def test_story_id_from_media_url(url: str, expected) -> None:
    assert story_id_from_media_url(url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"\\"Great frame!\\","'.encode().decode("unicode_escape"), "Great frame!"),
        ("  “Nice shot”  ", "Nice shot"),
        ("'love it';", "love it"),
        ("wow,", "wow"),
        ("See you there.", "See you there."),
        ("Is it?!", "Is it?!"),
        ('He said "hi" twice', 'He said "hi" twice'),
        ('""', ""),
        ("   ", ""),
        ("ok،", "ok"),
    ],
)
def test_sanitize_reply_text(text: str, expected: str) -> None:
    assert sanitize_reply_text(text) == expected


def story(*, can_reply: bool | None = True, reasons: tuple[str, ...] = ()) -> StoryItem:
    attribution = Attribution(flag=bool(reasons), reason=reasons[0] if reasons else None, reasons=reasons)
    return StoryItem(story_id="1", owner_id="2", owner_username="o", media_type="image", taken_at=0,
                     expiring_at=1, can_reply=can_reply, attribution=attribution)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (dict(story=story(), text="  "), Reason.BLANK_COMMENT_TEXT),
        (dict(story=None, text='""'), Reason.BLANK_COMMENT_TEXT),  # text is checked first
        (dict(story=None, text="hi"), Reason.MISSING_STORY_ID),
        (dict(story=story(can_reply=False, reasons=("owner_id_mismatch",)), text="hi"), Reason.API_CAN_REPLY_FALSE),
        (dict(story=story(reasons=("story_feed_media_external", "reel_mentions_external")), text="hi"),
         Reason.STORY_FEED_MEDIA_EXTERNAL),
        (dict(story=story(reasons=("reel_mentions_external",)), text="hi"), Reason.REEL_MENTIONS_EXTERNAL),
        (dict(story=story(reasons=("reel_mentions_external", "owner_username_mismatch")), text="hi",
              skip_on_mention=False), Reason.REEL_MENTIONS_EXTERNAL),
        (dict(story=story(reasons=("owner_id_mismatch",)), text="hi", already_replied=True), Reason.OWNER_ID_MISMATCH),
        (dict(story=story(), text="hi", already_replied=True), Reason.DUPLICATE_STORY_ALREADY_REPLIED),
        (dict(story=story(reasons=("made_up_reason",)), text="hi"), Reason.REPLY_UNAVAILABLE),
    ],
)
def test_reply_ineligible(kwargs, expected: Reason) -> None:
    kwargs.setdefault("already_replied", False)
    result = reply_eligibility(kwargs.pop("story"), kwargs.pop("text"), **kwargs)
    assert result.eligible is False and result.reason == expected


def test_reply_eligible() -> None:
    assert reply_eligibility(story(), ' "hi there", ', already_replied=False) == Eligibility(
        eligible=True, text="hi there")
    unknown = reply_eligibility(story(can_reply=None), "hi", already_replied=False)
    assert unknown.eligible and unknown.api_only
    mention = reply_eligibility(story(reasons=("reel_mentions_external",)), "hi", already_replied=False,
                                skip_on_mention=False)
    assert mention.eligible and mention.reason is None


@pytest.mark.parametrize(("current", "expected"), [(10, 5), (5, 2), (2, 1), (1, 1), (0, 1)])
def test_next_batch_size(current: int, expected: int) -> None:
    assert next_batch_size(current) == expected


def test_chunk() -> None:
    assert chunk(["1", "2", "3", "4", "5"], 2) == [["1", "2"], ["3", "4"], ["5"]]
    assert chunk([], 3) == []
    assert chunk(["1", "2"], 0) == [["1"], ["2"]]
