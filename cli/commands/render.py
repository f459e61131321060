"""Rendering of reports and records for people (plain text) and scripts (JSON)."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import click
import msgspec

from storysync.core.models import StoryItem, SyncReport


def when(ts: float | None) -> str:
    if not ts:
        return "-"
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def echo_json(value) -> None:
    click.echo(json.dumps(msgspec.to_builtins(value), indent=2, ensure_ascii=False, default=str))


def report_lines(report: SyncReport) -> list[str]:
    lines = [
        f"run {report.run_id} ({report.flow}) {when(report.started_at)}, {report.finished_at - report.started_at:.1f}s"
        + (f", stopped: {report.stopped_by}" if report.stopped_by else "")
        + (f", ended: {report.end_reason}" if report.end_reason and report.end_reason != "completed" else ""),
        f"  owners: {report.owners_requested} requested, "
        f"{sum(len(v) for v in report.owners_skipped.values())} skipped",
    ]
    for reason, names in sorted(report.owners_skipped.items()):
        lines.append(f"    skipped ({reason}): {', '.join(names)}")
    requests = ", ".join(f"{endpoint} {n}" for endpoint, n in report.requests_by_endpoint.items()) or "none"
    lines.append(f"  requests: {requests}")
    lines.append(f"  stories: {report.stories_new} new, {report.stories_updated} updated")
    lines.append(
        f"  media: {report.media_downloaded} downloaded, {report.media_skipped} already held, {report.media_failed} failed"
    )
    if report.failures_by_reason:
        lines.append("  failures: " + ", ".join(f"{reason} {n}" for reason, n in report.failures_by_reason.items()))
    for operation, attempts in report.attempts.items():
        if all(a.ok for a in attempts):
            continue
        trail = " -> ".join(f"{a.name}:{'ok' if a.ok else a.reason}" for a in attempts)
        lines.append(f"  fallback ({operation}): {trail}")
    if report.message:
        lines.append(f"  {report.message}")
    return lines


def echo_report(report: SyncReport) -> None:
    for line in report_lines(report):
        click.echo(line)


def story_line(story: StoryItem) -> str:
    flags = []
    if story.attribution.flag:
        flags.append(f"external:{story.attribution.reason}")
    if story.can_reply is False:
        flags.append("no-replies")
    return (
        f"{story.story_id}  @{story.owner_username}  {story.media_type!s:<8} {when(story.taken_at)}"
        + (f"  [{', '.join(flags)}]" if flags else "")
    )
