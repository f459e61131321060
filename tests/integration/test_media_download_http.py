"""``HttpMediaDownloader`` against a real HTTP server on loopback (SPEC §7).

The server plays a CDN that misbehaves on request: redirect chains, lies about sizes, wrong
content types, bodies cut short. It runs in a thread of the test process.
"""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from storysync.adapters.media.download import HttpMediaDownloader
from storysync.adapters.store.sqlite import SqliteStore
from storysync.core.errors import MediaError, MediaHostNotAllowed, MediaTooLarge, MediaTypeMismatch
from storysync.core.models import DownloadResult, MediaJob, MediaRecord, StoryItem
from storysync.core.ports import MediaStore

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 400
PNG = b"\x89PNG\r\n\x1a\n" + b"p" * 5_000
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"v" * 20_000
SMALL_CAP = 10_000
FILLER = b"x" * 65_536


@dataclass
class Cdn:
    base: str
    port: int
    paths: list[str] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


class CdnHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    cdn: Cdn

    def log_message(self, format: str, *args: object) -> None:
        """Keep pytest output clean."""

    def do_GET(self) -> None:
        self.cdn.paths.append(self.path)
        route, _, argument = self.path.strip("/").partition("/")
        getattr(self, f"serve_{route.replace('-', '_')}")(argument)

    def send_body(self, body: bytes, content_type: str, *, declared: int | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if declared is None else declared))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def serve_image(self, _: str) -> None:
        self.send_body(JPEG, "image/jpeg")

    def serve_png(self, _: str) -> None:
        self.send_body(PNG, "image/png; charset=binary")

    def serve_video(self, _: str) -> None:
        self.send_body(MP4, "video/mp4")

    def serve_html(self, _: str) -> None:
        self.send_body(b"<html>login</html>", "text/html; charset=utf-8")

    def serve_octet(self, _: str) -> None:
        self.send_body(JPEG, "application/octet-stream")

    def serve_missing(self, _: str) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def serve_redirect(self, remaining: str) -> None:
        hops = int(remaining)
        self.redirect(f"/redirect/{hops - 1}" if hops > 1 else "/image")

    def serve_redirect_away(self, _: str) -> None:
        self.redirect(self.cdn.url("/image", host="localhost"))

    def serve_declared_too_large(self, _: str) -> None:
        self.send_body(b"x" * (SMALL_CAP + 1), "image/jpeg")

    def serve_chunked_too_large(self, _: str) -> None:
        """No Content-Length at all: only counting while streaming can catch this body."""
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for _ in range(4):
            chunk = b"x" * 5_000
            self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def serve_truncated(self, _: str) -> None:
        self.send_body(JPEG[:1_000], "image/jpeg", declared=len(JPEG))
        self.close_connection = True

    def serve_slow(self, _: str) -> None:
        with self.cdn.lock:
            self.cdn.in_flight += 1
            self.cdn.most_in_flight = max(self.cdn.most_in_flight, self.cdn.in_flight)
        time.sleep(0.3)
        with self.cdn.lock:
            self.cdn.in_flight -= 1
        self.send_body(JPEG, "image/jpeg")

    def serve_big(self, size: str) -> None:
        remaining = int(size)
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", size)
        self.end_headers()
        while remaining:
            piece = FILLER[: min(remaining, len(FILLER))]
            self.wfile.write(piece)
            remaining -= len(piece)


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up on purpose (size cap, bad type) is expected, not a server fault."""


@pytest.fixture(scope="module")
def cdn() -> Iterator[Cdn]:
    server = QuietServer(("127.0.0.1", 0), CdnHandler)
    port = server.server_address[1]
    CdnHandler.cdn = Cdn(base=f"http://127.0.0.1:{port}", port=port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield CdnHandler.cdn
    server.shutdown()
    server.server_close()


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def store() -> Iterator[SqliteStore]:
    with SqliteStore(":memory:") as store:
        yield store


@pytest.fixture
def downloader(media_dir: Path, store: SqliteStore) -> Iterator[HttpMediaDownloader]:
    with HttpMediaDownloader(
        media_dir, allowed_hosts=["127.0.0.1"], insecure_hosts=["127.0.0.1"], max_bytes=SMALL_CAP * 100, store=store
    ) as downloader:
        yield downloader


def files_under(directory: Path) -> list[str]:
    """Every file below ``directory``, temporary ones included."""
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())


def test_downloads_an_image_atomically_with_its_record(cdn: Cdn, downloader: HttpMediaDownloader, media_dir: Path, store: SqliteStore) -> None:
    store.upsert_stories(
        [StoryItem(story_id="123", owner_id="1", owner_username="Alice", media_type="image", taken_at=1, expiring_at=2, width=1080, height=1920)],
        now=1.0,
    )

    result = downloader.download(MediaJob(url=cdn.url("/image"), owner_username="Alice", story_id="123", media_type="image"))

    assert result == DownloadResult(
        record=MediaRecord(
            story_id="123", path="alice/123.jpg", source_url=cdn.url("/image"), content_type="image/jpeg",
            bytes=len(JPEG), sha256=hashlib.sha256(JPEG).hexdigest(), width=1080, height=1920,
        ),
        skipped=False,
    )
    assert (media_dir / "alice" / "123.jpg").read_bytes() == JPEG
    assert files_under(media_dir) == ["alice/123.jpg"]
    assert store.get_media("123") == result.record


@pytest.mark.parametrize(
    ("path", "media_type", "file_name", "content_type"),
    [("/png", "image", "9.png", "image/png"), ("/video", "video", "9.mp4", "video/mp4"), ("/video", 2, "9.mp4", "video/mp4")],
)
def test_extension_follows_the_content_type(cdn: Cdn, downloader: HttpMediaDownloader, media_dir: Path, path: str, media_type: str | int, file_name: str, content_type: str) -> None:
    record = downloader.download(MediaJob(url=cdn.url(path), owner_username="bob", story_id="9", media_type=media_type)).record

    assert (record.path, record.content_type) == (f"bob/{file_name}", content_type)
    assert files_under(media_dir) == [f"bob/{file_name}"]


def test_the_downloader_is_a_media_store(downloader: HttpMediaDownloader) -> None:
    assert isinstance(downloader, MediaStore)


def test_a_host_off_the_allow_list_is_refused_before_any_request(cdn: Cdn, media_dir: Path) -> None:
    before = len(cdn.paths)
    with HttpMediaDownloader(media_dir, allowed_hosts=["*.cdninstagram.com"], insecure_hosts=["127.0.0.1"]) as downloader:
        with pytest.raises(MediaHostNotAllowed):
            downloader.download(MediaJob(url=cdn.url("/image"), owner_username="alice", story_id="1", media_type="image"))

    assert len(cdn.paths) == before
    assert not media_dir.exists()


def test_plain_http_is_refused_for_a_host_not_marked_insecure(cdn: Cdn, media_dir: Path) -> None:
    before = len(cdn.paths)
    with HttpMediaDownloader(media_dir, allowed_hosts=["127.0.0.1"]) as downloader:
        with pytest.raises(MediaHostNotAllowed, match="https"):
            downloader.download(MediaJob(url=cdn.url("/image"), owner_username="alice", story_id="1", media_type="image"))

    assert len(cdn.paths) == before


def test_transport_failures_surface_as_media_errors(cdn: Cdn, media_dir: Path) -> None:
    """An https handshake against a plain-http server: httpx's exception must not escape."""
    with HttpMediaDownloader(media_dir, allowed_hosts=["127.0.0.1"], timeout=5.0) as downloader:
        with pytest.raises(MediaError) as caught:
            downloader.download(MediaJob(url=f"https://127.0.0.1:{cdn.port}/image", owner_username="alice", story_id="1", media_type="image"))

    assert type(caught.value) is MediaError
    assert files_under(media_dir) == []


def test_follows_up_to_five_redirects(cdn: Cdn, downloader: HttpMediaDownloader, media_dir: Path) -> None:
    record = downloader.download(MediaJob(url=cdn.url("/redirect/5"), owner_username="alice", story_id="1", media_type="image")).record

    assert record.source_url == cdn.url("/redirect/5")
    assert (media_dir / record.path).read_bytes() == JPEG


def test_a_sixth_redirect_is_refused(cdn: Cdn, downloader: HttpMediaDownloader, media_dir: Path) -> None:
    before = len(cdn.paths)
    with pytest.raises(MediaError, match="redirects"):
        downloader.download(MediaJob(url=cdn.url("/redirect/6"), owner_username="alice", story_id="1", media_type="image"))

    assert cdn.paths[before:] == [f"/redirect/{n}" for n in range(6, 0, -1)]
    assert files_under(media_dir) == []


def test_a_redirect_to_a_host_off_the_list_is_refused_before_following_it(cdn: Cdn, downloader: HttpMediaDownloader) -> None:
    before = len(cdn.paths)
    with pytest.raises(MediaHostNotAllowed, match="localhost"):
        downloader.download(MediaJob(url=cdn.url("/redirect-away"), owner_username="alice", story_id="1", media_type="image"))

    assert cdn.paths[before:] == ["/redirect-away"]


def small_cap_downloader(media_dir: Path) -> HttpMediaDownloader:
    return HttpMediaDownloader(media_dir, allowed_hosts=["127.0.0.1"], insecure_hosts=["127.0.0.1"], max_bytes=SMALL_CAP)


@pytest.mark.parametrize("path", ["/declared-too-large", "/chunked-too-large"], ids=["by-header", "while-streaming"])
def test_the_size_cap(cdn: Cdn, media_dir: Path, path: str) -> None:
    with small_cap_downloader(media_dir) as downloader:
        with pytest.raises(MediaTooLarge):
            downloader.download(MediaJob(url=cdn.url(path), owner_username="alice", story_id="1", media_type="image"))

    assert files_under(media_dir) == []


def test_a_body_exactly_at_the_cap_is_accepted(cdn: Cdn, media_dir: Path) -> None:
    with HttpMediaDownloader(media_dir, allowed_hosts=["127.0.0.1"], insecure_hosts=["127.0.0.1"], max_bytes=len(MP4)) as downloader:
        assert downloader.download(MediaJob(url=cdn.url("/video"), owner_username="alice", story_id="1", media_type="video")).record.bytes == len(MP4)


@pytest.mark.parametrize(
    ("path", "media_type"),
    [("/html", "image"), ("/octet", "image"), ("/image", "video"), ("/video", "image")],
)
def test_content_type_must_match_the_expected_media(cdn: Cdn, downloader: HttpMediaDownloader, media_dir: Path, path: str, media_type: str) -> None:
    with pytest.raises(MediaTypeMismatch):
        downloader.download(MediaJob(url=cdn.url(path), owner_username="alice", story_id="1", media_type=media_type))

    assert files_under(media_dir) == []


def test_a_truncated_transfer_leaves_no_file(cdn: Cdn, downloader: HttpMediaDownloader, media_dir: Path, store: SqliteStore) -> None:
    with pytest.raises(MediaError):
        downloader.download(MediaJob(url=cdn.url("/truncated"), owner_username="alice", story_id="1", media_type="image"))

    assert files_under(media_dir) == []
    assert store.get_media("1") is None


def test_an_error_status_is_a_media_error(cdn: Cdn, downloader: HttpMediaDownloader) -> None:
    with pytest.raises(MediaError, match="404"):
        downloader.download(MediaJob(url=cdn.url("/missing"), owner_username="alice", story_id="1", media_type="image"))


def test_a_recorded_intact_file_is_not_downloaded_again(cdn: Cdn, downloader: HttpMediaDownloader, media_dir: Path) -> None:
    first = downloader.download(MediaJob(url=cdn.url("/image"), owner_username="alice", story_id="77", media_type="image"))
    before = len(cdn.paths)

    second = downloader.download(MediaJob(url=cdn.url("/image"), owner_username="alice", story_id="77", media_type="image"))

    assert second == DownloadResult(record=first.record, skipped=True)
    assert len(cdn.paths) == before

    (media_dir / "alice" / "77.jpg").write_bytes(b"\xff\xd8 damaged" + JPEG[11:])  # same size, other bytes
    third = downloader.download(MediaJob(url=cdn.url("/image"), owner_username="alice", story_id="77", media_type="image"))
    assert not third.skipped
    assert (media_dir / "alice" / "77.jpg").read_bytes() == JPEG


def test_without_a_store_every_call_downloads(cdn: Cdn, media_dir: Path) -> None:
    with HttpMediaDownloader(media_dir, allowed_hosts=["127.0.0.1"], insecure_hosts=["127.0.0.1"]) as downloader:
        downloader.download(MediaJob(url=cdn.url("/image"), owner_username="alice", story_id="1", media_type="image"))
        assert not downloader.download(MediaJob(url=cdn.url("/image"), owner_username="alice", story_id="1", media_type="image")).skipped


def test_download_many_runs_jobs_concurrently_and_keeps_their_order(cdn: Cdn, downloader: HttpMediaDownloader, media_dir: Path, store: SqliteStore) -> None:
    jobs = [MediaJob(url=cdn.url("/image"), owner_username=f"user{n % 3}", story_id=str(1000 + n), media_type="image") for n in range(12)]
    jobs.insert(5, MediaJob(url=cdn.url("/html"), owner_username="alice", story_id="1", media_type="image"))

    results = downloader.download_many(jobs)

    assert len(results) == len(jobs)
    assert isinstance(results[5], MediaTypeMismatch)
    downloaded = [r for i, r in enumerate(results) if i != 5]
    assert all(isinstance(r, DownloadResult) and not r.skipped for r in downloaded)
    assert [r.record.story_id for r in downloaded] == [job.story_id for i, job in enumerate(jobs) if i != 5]
    assert all(store.get_media(r.record.story_id) == r.record for r in downloaded)
    assert len(files_under(media_dir)) == 12
    assert downloader.download_many([]) == []


def test_download_many_runs_at_most_workers_downloads_at_once(cdn: Cdn, media_dir: Path) -> None:
    jobs = [MediaJob(url=cdn.url("/slow"), owner_username="alice", story_id=str(n), media_type="image") for n in range(1, 7)]
    with HttpMediaDownloader(media_dir, allowed_hosts=["127.0.0.1"], insecure_hosts=["127.0.0.1"], workers=2) as downloader:
        results = downloader.download_many(jobs)

    assert all(isinstance(r, DownloadResult) for r in results)
    assert cdn.most_in_flight == 2


def test_memory_does_not_grow_with_file_size(cdn: Cdn, media_dir: Path) -> None:
    size = 50 * 1024 * 1024
    with HttpMediaDownloader(media_dir, allowed_hosts=["127.0.0.1"], insecure_hosts=["127.0.0.1"]) as downloader:
        tracemalloc.start()
        try:
            record = downloader.download(MediaJob(url=cdn.url(f"/big/{size}"), owner_username="alice", story_id="5", media_type="video")).record
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

    assert record.bytes == size
    assert (media_dir / "alice" / "5.mp4").stat().st_size == size
    assert peak < 4 * 1024 * 1024, f"peak traced memory {peak / 1e6:.1f} MB for a 50 MB download"
