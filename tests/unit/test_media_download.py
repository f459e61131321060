"""The media download policy that needs no network: host patterns, file names, URL refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from storysync.adapters.media.allowlist import HostAllowList, HostPattern, parse_host_pattern
from storysync.adapters.media.download import HttpMediaDownloader
from storysync.adapters.media.naming import media_path, normalise_username, validate_story_id
from storysync.core.errors import ConfigError, MediaError, MediaHostNotAllowed
from storysync.core.models import MediaJob

DEFAULT_HOSTS = HostAllowList(["*.cdninstagram.com", "*.fbcdn.net", "cdn.sandbox.test:8443", "[::1]:9000"])


@pytest.mark.parametrize(
    ("host", "port", "allowed"),
    [
        ("scontent-ams2-1.cdninstagram.com", 443, True),
        ("a.b.cdninstagram.com", 443, True),
        ("SCONTENT.CDNINSTAGRAM.COM.", 443, True),
        ("cdninstagram.com", 443, False),
        ("evilcdninstagram.com", 443, False),
        ("cdninstagram.com.evil.net", 443, False),
        ("video.xx.fbcdn.net", 8080, True),
        ("cdn.sandbox.test", 8443, True),
        ("cdn.sandbox.test", 443, False),
        ("::1", 9000, True),
        ("::1", 9001, False),
        ("www.instagram.com", 443, False),
    ],
)
def test_host_patterns(host: str, port: int, allowed: bool) -> None:
    assert DEFAULT_HOSTS.allows(host, port) is allowed


def test_host_pattern_parsing() -> None:
    assert parse_host_pattern("*.Example.com") == HostPattern("example.com", True, None)
    assert parse_host_pattern("127.0.0.1:8123") == HostPattern("127.0.0.1", False, 8123)
    assert parse_host_pattern("[::1]") == HostPattern("::1", False, None)


@pytest.mark.parametrize("pattern", ["", "*", "*.", "a.*.com", "host:port", "host:"])
def test_invalid_host_patterns_are_config_errors(pattern: str) -> None:
    with pytest.raises(ConfigError):
        parse_host_pattern(pattern)


@pytest.mark.parametrize(("raw", "normalised"), [("Alice", "alice"), ("@bob.smith_1", "bob.smith_1"), (" x ", "x")])
def test_usernames_are_normalised(raw: str, normalised: str) -> None:
    assert normalise_username(raw) == normalised


@pytest.mark.parametrize("raw", ["", ".", "..", ".hidden", "a/b", "a\\b", "ünï", "a" * 31, "a b", "a\x00"])
def test_unusable_usernames_are_refused(raw: str) -> None:
    with pytest.raises(MediaError):
        normalise_username(raw)


@pytest.mark.parametrize("story_id", ["", "12a", "1.2", "-1", "١٢٣", "123\n", "../1"])
def test_story_ids_must_be_ascii_digits(story_id: str) -> None:
    with pytest.raises(MediaError):
        validate_story_id(story_id)


def test_media_path_is_built_from_validated_parts_only() -> None:
    assert media_path("Alice", "3141592653589793238", "mp4") == PurePosixPath("alice/3141592653589793238.mp4")


@pytest.fixture
def downloader(tmp_path: Path) -> Iterator[HttpMediaDownloader]:
    with HttpMediaDownloader(tmp_path, allowed_hosts=["*.cdninstagram.com", "127.0.0.1"], insecure_hosts=["127.0.0.1"]) as downloader:
        yield downloader


@pytest.mark.parametrize(
    "url",
    [
        "http://scontent.cdninstagram.com/a.jpg",
        "ftp://scontent.cdninstagram.com/a.jpg",
        "file:///etc/passwd",
        "/relative/a.jpg",
        "https://www.instagram.com/a.jpg",
        "https://scontent.cdninstagram.com.evil.net/a.jpg",
        "https://[not a host/a.jpg",
    ],
)
def test_urls_failing_the_policy_are_refused_before_any_request(downloader: HttpMediaDownloader, tmp_path: Path, url: str) -> None:
    with pytest.raises(MediaHostNotAllowed):
        downloader.download(MediaJob(url=url, owner_username="alice", story_id="1", media_type="image"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("owner", "story_id", "media_type"),
    [("../etc", "1", "image"), ("alice", "1/../../x", "image"), ("alice", "1", "carousel"), ("alice", "1", 8)],
)
def test_bad_names_and_media_types_are_refused_before_any_request(downloader: HttpMediaDownloader, tmp_path: Path, owner: str, story_id: str, media_type: str) -> None:
    with pytest.raises(MediaError):
        downloader.download(MediaJob(url="https://scontent.cdninstagram.com/a.jpg", owner_username=owner, story_id=story_id, media_type=media_type))
    assert list(tmp_path.iterdir()) == []
