"""``HttpMediaDownloader``: the ``MediaStore`` port over httpx (SPEC §7).

A download either leaves a complete, fsynced file at ``<media_dir>/<owner>/<story_id>.<ext>``
or nothing: bytes stream into a temporary file in the target directory (memory use does not
grow with file size), which is renamed into place only after every check has passed.
Records carry the path *relative to* ``media_dir``, so an archive can be moved as a whole.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import httpx
import msgspec
from storysync.core.errors import MediaError, MediaHostNotAllowed, MediaTooLarge, MediaTypeMismatch
from storysync.core.models import DownloadResult, MediaJob, MediaRecord
from storysync.core.ports import Store

from .allowlist import HostAllowList
from .naming import EXTENSIONS, media_path, normalise_username, validate_story_id

DEFAULT_MAX_BYTES = 512 * 1024 * 1024
_CHUNK_BYTES = 64 * 1024
_FILE_MODE = 0o644
_DEFAULT_PORTS = {"https": 443, "http": 80}
#: What a job's media type (a name, or Instagram's number) expects as the content type's top level.
_EXPECTED_TOP_LEVEL_TYPE = {"image": "image", 1: "image", "video": "video", 2: "video"}


class HttpMediaDownloader:
    """Streams allow-listed media URLs to durable files and, given a store, records them there.

    With a store, a story already downloaded intact is skipped, and a new record takes its
    width and height from the stored story (the payload's size of the media it chose).

    ``allowed_hosts`` and ``insecure_hosts`` take ``*.domain``, ``host`` or ``host:port``
    patterns; plain ``http`` is allowed only for a host on both lists. A ``client`` passed in
    stays the caller's to close; otherwise the downloader owns one (``close()``).
    """

    def __init__(
        self,
        media_dir: str | Path,
        *,
        allowed_hosts: Sequence[str],
        insecure_hosts: Sequence[str] = (),
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = 5,
        timeout: float = 30.0,
        workers: int = 4,
        client: httpx.Client | None = None,
        store: Store | None = None,
    ) -> None:
        self.media_dir = Path(media_dir)
        self._allowed = HostAllowList(allowed_hosts)
        self._insecure = HostAllowList(insecure_hosts)
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._timeout = httpx.Timeout(timeout)
        self._workers = workers
        self._owns_client = client is None
        self._client = client or httpx.Client(timeout=self._timeout, follow_redirects=False)
        self._store = store

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> HttpMediaDownloader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def download(self, job: MediaJob) -> DownloadResult:
        """Download ``job.url`` unless the store's record for the story still matches the file on disk.

        ``job.media_type`` is image or video (by name or Instagram's number); the response's
        content type must agree. Raises ``MediaHostNotAllowed``, ``MediaTooLarge``,
        ``MediaTypeMismatch`` or ``MediaError``; the store may raise ``StorySyncError``.
        """
        expected = _EXPECTED_TOP_LEVEL_TYPE.get(job.media_type)
        if expected is None:
            raise MediaError(f"story {job.story_id}: media type must be image or video, not {job.media_type!r}")
        normalise_username(job.owner_username)
        validate_story_id(job.story_id)
        start = self._checked_url(job.url)
        if self._store is not None:
            known = self._store.get_media(job.story_id)
            if known is not None and self._file_matches(known):
                return DownloadResult(record=known, skipped=True)
        try:
            record = self._fetch(start, job, expected)
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
            raise MediaError(f"story {job.story_id}: download failed ({type(exc).__name__}: {exc})") from exc
        except OSError as exc:
            raise MediaError(f"story {job.story_id}: could not write the media file ({exc})") from exc
        if self._store is not None:
            record = self._with_story_dimensions(record)
            self._store.record_media(record)
        return DownloadResult(record=record, skipped=False)

    def download_many(self, jobs: Sequence[MediaJob]) -> list[DownloadResult | MediaError]:
        """Run ``jobs`` on at most ``workers`` threads; each job's result or ``MediaError``, in job order.

        A store failure is not a media failure: it propagates once the running jobs finish.
        """
        if not jobs:
            return []
        with ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="storysync-media") as pool:
            return list(pool.map(self._run_job, jobs))

    def _run_job(self, job: MediaJob) -> DownloadResult | MediaError:
        try:
            return self.download(job)
        except MediaError as exc:
            return exc

    def _with_story_dimensions(self, record: MediaRecord) -> MediaRecord:
        """The record with the width and height the story's payload gave for its chosen media."""
        story = self._store.get_story(record.story_id)
        if story is None:
            return record
        return msgspec.structs.replace(record, width=story.width, height=story.height)

    def _checked_url(self, url: str | httpx.URL) -> httpx.URL:
        """``url`` parsed, or ``MediaHostNotAllowed`` unless its scheme and host pass the policy."""
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise MediaHostNotAllowed(f"not a valid media URL: {exc}") from exc
        host = parsed.host
        port = parsed.port or _DEFAULT_PORTS.get(parsed.scheme, 0)
        if parsed.scheme not in _DEFAULT_PORTS or not host:
            raise MediaHostNotAllowed(f"media URLs must be https, not {parsed.scheme or 'relative'}: {host}")
        if not self._allowed.allows(host, port):
            raise MediaHostNotAllowed(f"media host {host} is not on the allow-list")
        if parsed.scheme == "http" and not self._insecure.allows(host, port):
            raise MediaHostNotAllowed(f"media host {host} is allowed only over https")
        return parsed

    def _fetch(self, url: httpx.URL, job: MediaJob, expected: str) -> MediaRecord:
        # Redirects are followed by hand so every hop's target passes the policy before we connect.
        for _ in range(self._max_redirects + 1):
            with self._client.stream(
                "GET",
                url,
                # Identity encoding: the bytes counted, hashed and stored are the file itself.
                headers={"Accept-Encoding": "identity"},
                follow_redirects=False,
                timeout=self._timeout,
            ) as response:
                if response.is_redirect:
                    url = self._checked_url(url.join(response.headers["location"]))
                    continue
                return self._save(response, job, expected)
        raise MediaError(f"story {job.story_id}: more than {self._max_redirects} redirects")

    def _save(self, response: httpx.Response, job: MediaJob, expected: str) -> MediaRecord:
        story_id = job.story_id
        if response.status_code != 200:
            raise MediaError(f"story {story_id}: HTTP {response.status_code} from {response.url.host}")
        content_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
        if content_type.partition("/")[0] != expected:
            raise MediaTypeMismatch(f"story {story_id}: expected {expected}/*, got {content_type or 'no content type'}")
        extension = EXTENSIONS.get(content_type)
        if extension is None:
            raise MediaTypeMismatch(f"story {story_id}: unsupported content type {content_type}")
        declared = _declared_length(response)
        if declared is not None and declared > self._max_bytes:
            raise MediaTooLarge(f"story {story_id}: {declared} bytes declared, the cap is {self._max_bytes}")

        relative = media_path(job.owner_username, story_id, extension)
        target = self.media_dir / relative
        _make_directory(target.parent)
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{story_id}.", suffix=".part")
        try:
            with open(descriptor, "wb") as file:
                # mkstemp creates 0600; an archived story should read like any other file the user saves.
                os.fchmod(file.fileno(), _FILE_MODE)
                size, digest = self._stream_into(response, file, story_id)
            if declared is not None and size != declared:
                raise MediaError(f"story {story_id}: transfer ended after {size} of {declared} bytes")
            os.replace(temporary, target)
            _fsync_directory(target.parent)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return MediaRecord(
            story_id=story_id,
            path=relative.as_posix(),
            source_url=job.url,
            content_type=content_type,
            bytes=size,
            sha256=digest,
        )

    def _stream_into(self, response: httpx.Response, file: BinaryIO, story_id: str) -> tuple[int, str]:
        """Write the body to ``file`` durably, enforcing the size cap; return its size and sha256."""
        sha256 = hashlib.sha256()
        size = 0
        for chunk in response.iter_raw(_CHUNK_BYTES):
            size += len(chunk)
            if size > self._max_bytes:
                raise MediaTooLarge(f"story {story_id}: body exceeds the cap of {self._max_bytes} bytes")
            sha256.update(chunk)
            file.write(chunk)
        file.flush()
        os.fsync(file.fileno())
        return size, sha256.hexdigest()

    def _file_matches(self, record: MediaRecord) -> bool:
        path = self.media_dir / record.path
        try:
            if not path.is_file() or path.stat().st_size != record.bytes:
                return False
            sha256 = hashlib.sha256()
            with path.open("rb") as file:
                while chunk := file.read(_CHUNK_BYTES):
                    sha256.update(chunk)
        except OSError:
            return False
        return sha256.hexdigest() == record.sha256


def _declared_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    if value is None:
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit()):
        raise MediaError(f"invalid Content-Length {value!r}")
    return int(text)


def _make_directory(path: Path) -> None:
    """Create ``path`` if needed, making its new directory entry durable too."""
    if path.is_dir():
        return
    path.mkdir(parents=True, exist_ok=True)
    _fsync_directory(path.parent)


def _fsync_directory(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
