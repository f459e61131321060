"""Accumulates what a run did into a ``SyncReport``; shared by the sync services."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from ..errors import CheckpointRequired, LoginRequired, MediaError, StorySyncError
from ..models import Attempt, DownloadResult, Event, MediaJob, SyncReport
from ..ports import Clock, EventSink, Store


class RunTally:
    """Counters of one run; ``report()`` freezes them into a ``SyncReport``."""

    def __init__(
        self,
        run_id: str,
        flow: str,
        clock: Clock,
        events: EventSink,
        request_counts: Callable[[], Mapping[str, int]] | None = None,
    ) -> None:
        self.run_id = run_id
        self.flow = flow
        self.clock = clock
        self.events = events
        self.started_at = clock.now()
        self._request_counts = request_counts or (lambda: {})
        self._requests_before = Counter(self._request_counts())
        self.owners_requested = 0
        self.owners_skipped: dict[str, list[str]] = defaultdict(list)
        self.stories_new = 0
        self.stories_updated = 0
        self.media_downloaded = 0
        self.media_skipped = 0
        self.media_failed = 0
        self.failures: Counter[str] = Counter()
        self.attempts: dict[str, list[Attempt]] = {}
        self.end_reason: str | None = None
        self.stopped_by: str | None = None
        self.message = ""
        #: The report as stored when the run ended.
        self.final: SyncReport | None = None

    def emit(self, kind: str, **fields) -> None:
        self.events.emit(Event(kind=kind, at=self.clock.now(), fields={"run_id": self.run_id, **fields}))

    def skip_owner(self, username: str, reason: str, **fields) -> None:
        self.owners_skipped[reason].append(username)
        self.emit("owner_skipped", username=username, reason=reason, **fields)

    def fail(self, reason: str, kind: str = "story_sync_failed", **fields) -> None:
        self.failures[reason] += 1
        self.emit(kind, reason=reason, **fields)

    def count_downloads(self, jobs: Sequence[MediaJob], results: Sequence[DownloadResult | MediaError]) -> None:
        """Tally each job's download result; a failed one is also a ``media_download_failed`` event."""
        for job, result in zip(jobs, results):
            if isinstance(result, MediaError):
                self.media_failed += 1
                self.fail(str(result.reason), kind="media_download_failed", story_id=job.story_id,
                          username=job.owner_username, detail=str(result))
            elif result.skipped:
                self.media_skipped += 1
            else:
                self.media_downloaded += 1

    def report(self) -> SyncReport:
        requests = Counter(self._request_counts())
        requests.subtract(self._requests_before)
        return SyncReport(
            run_id=self.run_id,
            flow=self.flow,
            started_at=self.started_at,
            finished_at=self.clock.now(),
            owners_requested=self.owners_requested,
            owners_skipped={reason: sorted(names) for reason, names in self.owners_skipped.items()},
            requests_by_endpoint={endpoint: n for endpoint, n in sorted(requests.items()) if n > 0},
            stories_new=self.stories_new,
            stories_updated=self.stories_updated,
            media_downloaded=self.media_downloaded,
            media_skipped=self.media_skipped,
            media_failed=self.media_failed,
            failures_by_reason=dict(sorted(self.failures.items())),
            attempts=self.attempts,
            end_reason=self.end_reason,
            stopped_by=self.stopped_by,
            message=self.message,
        )


@contextmanager
def recorded_run(
    flow: str,
    *,
    run_id: str,
    store: Store,
    clock: Clock,
    events: EventSink,
    request_counts: Callable[[], Mapping[str, int]] | None = None,
) -> Iterator[RunTally]:
    """A run from start to stored report, however it ends; ``tally.final`` is the stored report.

    ``LoginRequired`` and ``CheckpointRequired`` stop the run: recorded as its stop reason, then
    re-raised so the caller can tell the user what to do. Any other storysync error is recorded
    in the report's message and re-raised too.
    """
    store.start_run(run_id, flow, now=clock.now())
    events.begin_run(run_id)
    tally = RunTally(run_id, flow, clock, events, request_counts)
    try:
        yield tally
    except (LoginRequired, CheckpointRequired) as error:
        tally.stopped_by = str(error.reason)
        tally.message = str(error)
        tally.fail(str(error.reason), kind="sync_stopped", error_class=type(error).__name__)
        tally.final = tally.report()
        store.finish_run(tally.final)
        raise
    except StorySyncError as error:
        tally.message = str(error)
        tally.final = tally.report()
        store.finish_run(tally.final)
        raise
    tally.final = tally.report()
    store.finish_run(tally.final)
