"""``storysync sync profile``: the main job."""

from __future__ import annotations

import click

from ..app import EXIT_PARTIAL, cli
from .render import echo_json, echo_report
from .replies_cmd import reply_to_synced_stories


@cli.group("sync")
def sync_group() -> None:
    """Sync stories into the archive."""


@sync_group.command("profile")
@click.argument("usernames", nargs=-1, required=True)
@click.option("--no-media", is_flag=True, help="Store story data only; download no files.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N newest stories per user.")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.option("--reply-text", default=None, metavar="TEXT",
              help="Reply TEXT to each active story of USERNAMES after the sync (else a plugin may choose).")
@click.pass_obj
def sync_profile(state, usernames: tuple[str, ...], no_media: bool, limit: int | None, as_json: bool,
                 reply_text: str | None) -> None:
    """Sync the active stories of USERNAMES (profile → reels → store → media)."""
    if no_media:
        state.override(sync={"download_media": False})
    app = state.app()
    with TerminalProgress(quiet=as_json, label=f"syncing {len(usernames)} user(s)") as progress:
        report = app.profile_sync(progress=progress).run(list(usernames), limit=limit)
    if as_json:
        echo_json(report)
    else:
        echo_report(report)
    replies_unsettled = reply_to_synced_stories(app, usernames, reply_text, quiet=as_json)
    if report.failures_by_reason or report.media_failed or replies_unsettled:
        raise click.exceptions.Exit(EXIT_PARTIAL)


class TerminalProgress:
    """One status line on a terminal's stderr, rewritten as each step starts; silent when piped or JSON."""

    def __init__(self, *, quiet: bool, label: str) -> None:
        self.show = not quiet and click.get_text_stream("stderr").isatty()
        self.label = label
        self._width = 0

    def __call__(self, message: str) -> None:
        if self.show:
            line = f"{self.label}: {message}"
            click.echo("\r" + line.ljust(self._width), err=True, nl=False)
            self._width = len(line)

    def __enter__(self) -> TerminalProgress:
        self("starting")
        return self

    def __exit__(self, *exc) -> None:
        self("done" if exc[0] is None else "stopped")
        if self.show:
            click.echo("", err=True)
