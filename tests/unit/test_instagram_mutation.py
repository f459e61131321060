"""Mutated payloads never make a decoder raise anything but a storysync error.

Each example takes a fixture body (or a small hand-written one), applies a few random
mutations (delete a key, null, wrong type, huge or negative number, deep garbage, truncation,
byte noise, HTML) and feeds the result to every decoder and to ``classify``. A ``KeyError``,
``TypeError``, ``AttributeError``, ``ValueError`` or ``RecursionError`` escaping would be a bug.
"""

from __future__ import annotations

import functools
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storysync.core.errors import StorySyncError
from storysync.core.instagram import (
    classify,
    decode_broadcast,
    decode_create_thread,
    decode_inbox,
    decode_profile,
    decode_reels,
    decode_thread,
    decode_tray,
)

from shared_fixtures import instagram_fixtures_dir


def _payload_dir() -> Path:
    return instagram_fixtures_dir() / "payloads"


SEEDS: list[Any] = [
    {"status": "ok", "reels": {"1": {"user": {"pk": 1, "username": "a"}, "items": [
        {"pk": 2, "taken_at": 3, "media_type": 8, "carousel_media": [{"pk": 4, "image_versions2": {"candidates": [{"url": "https://c/x"}]}}],
         "reel_mentions": [{"user": {"pk": 5}}], "story_feed_media": [{"media_compound_str": "6_7"}],
         "media_attributions_data": [{"user": {"pk": 8, "username": "b"}}], "story_link_stickers": [{"story_link": {"url": "https://l.instagram.com/?u=x"}}]}]}}},
    {"thread": {"thread_id": "1", "items": [{"item_id": "2", "reel_share": {"media": {"id": "3_4"}}}]}, "status": "ok"},
    {"status": "fail", "message": "feedback_required", "payload": {"message": "m"}},
    {"tray": {"items": [{"user": {"pk": 1, "username": "a"}, "items": [{"pk": 1, "taken_at": 1}]}]}},
]


@functools.cache
def _payloads() -> tuple[list[Any], list[bytes]]:
    folder = _payload_dir()
    if not folder.is_dir():
        pytest.fail(f"Instagram fixtures not found at {folder}; set STORYSYNC_SHARED_DIR", pytrace=False)
    parsed, raw = list(SEEDS), []
    for path in sorted(folder.iterdir()):
        data = path.read_bytes()
        raw.append(data)
        if path.suffix == ".json":
            parsed.append(json.loads(data))
    return parsed, raw


def _garbage(rnd: random.Random) -> Any:
    choice = rnd.randrange(11)
    if choice == 0:
        return None
    if choice == 1:
        return rnd.choice([10**40, -(10**40), 2**64, -1, 0])
    if choice == 2:
        return rnd.choice(["", "abc", "123_456", "1e999", "nan", "javascript:alert(1)", "&amp;", "\u0000"])
    if choice == 3:
        return rnd.choice([True, False])
    if choice == 4:
        return rnd.choice([1.5, 1e308, -0.0])
    if choice == 5:
        nested: Any = "x"
        for _ in range(rnd.randrange(1, 300)):
            nested = [nested] if rnd.random() < 0.5 else {"k": nested}
        return nested
    if choice == 6:
        return []
    if choice == 7:
        return {}
    if choice == 8:
        return [None, 1, "a", {}]
    if choice == 9:
        return {"pk": "x", "id": None, "username": 5}
    return "<html>"


def _mutate(node: Any, rnd: random.Random) -> Any:
    """A copy of ``node`` with one random descendant replaced, deleted or emptied."""
    if isinstance(node, dict) and node and rnd.random() < 0.85:
        key = rnd.choice(list(node))
        copy = dict(node)
        if rnd.random() < 0.15:
            del copy[key]
        else:
            copy[key] = _mutate(node[key], rnd)
        return copy
    if isinstance(node, list) and node and rnd.random() < 0.85:
        index = rnd.randrange(len(node))
        copy = list(node)
        copy[index] = _mutate(node[index], rnd)
        return copy
    return _garbage(rnd)


def _mutated_body(parsed: list[Any], raw: list[bytes], rnd: random.Random) -> bytes:
    mode = rnd.randrange(10)
    if mode < 6:
        document = rnd.choice(parsed)
        for _ in range(rnd.randrange(1, 4)):
            document = _mutate(document, rnd)
        return json.dumps(document).encode()
    body = rnd.choice(raw)
    if mode == 6:
        return body[: rnd.randrange(len(body) + 1)]
    if mode == 7:
        noisy = bytearray(body)
        for _ in range(rnd.randrange(1, 8)):
            noisy[rnd.randrange(len(noisy))] = rnd.randrange(256)
        return bytes(noisy)
    if mode == 8:
        return rnd.choice([b"", b"null", b"[]", b"42", b'"s"', b"<html><form id=\"loginForm\"></form>", b"\xff\xfe", b"{" * 5000])
    return rnd.randbytes(rnd.randrange(64))


DECODERS = [
    lambda body: decode_profile(body, requested_username="someone"),
    lambda body: decode_reels(body, ["58214473091", "47120398855", "1", "x"], requested_usernames={"1": "a"}),
    lambda body: decode_reels(body, ["58214473091", "1"], keep_raw=True),
    decode_tray,
    decode_inbox,
    decode_create_thread,
    decode_thread,
    decode_broadcast,
]

@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rnd=st.randoms(use_true_random=False), status=st.sampled_from([200, 201, 302, 400, 401, 403, 404, 429, 500]))
def test_mutated_payloads_raise_only_storysync_errors(rnd: random.Random, status: int) -> None:
    parsed, raw = _payloads()
    body = _mutated_body(parsed, raw, rnd)
    for decode in DECODERS:
        try:
            decode(body)
        except StorySyncError:
            pass
    headers = {"Retry-After": rnd.choice(["5", "soon", "Wed, 19 Aug 2026 12:05:00 GMT", ""]), "Location": "/challenge/"}
    try:
        result = classify(status, "application/json", rnd.choice(["", "https://www.instagram.com/accounts/login/", "::"]),
                          body, headers, truncated=rnd.random() < 0.05, now=rnd.choice([None, 1_787_140_800.0]))
    except StorySyncError as error:  # classify returns errors; raising one is itself a bug
        pytest.fail(f"classify raised {error!r}")
    assert result is None or isinstance(result, StorySyncError)
