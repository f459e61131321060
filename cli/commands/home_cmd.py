"""``storysync sync home``: walk the home story tray in a browser and archive each story."""

from __future__ import annotations

import click

from ..app import EXIT_PARTIAL
from .render import echo_json, echo_report
from .sync_cmd import sync_group

#: How a run may end without anything to fix; any other end (or a failure) exits non-zero.
CLEAN_ENDS = frozenset({"limit_reached", "tray_exhausted"})


@sync_group.command("home")
@click.option("--engine", type=click.Choice(["playwright", "selenium"]), default=None,
              help="Browser engine (default: settings browser.engine).")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Visit at most N stories (default: until the tray ends or sync.safety_limit).")
@click.option("--json", "as_json", is_flag=True, help="Print the run summary as JSON.")
@click.pass_obj
def sync_home(state, engine: str | None, limit: int | None, as_json: bool) -> None:
    """Open the home page's stories in a browser and archive each one, API first.

    The browser is closed when the command ends, also on errors and Ctrl-C.
    """
    if engine is not None:
        state.override(browser={"engine": engine})
    report = state.app().carousel_sync().run(limit=limit)
    if as_json:
        echo_json(report)
    else:
        echo_report(report)
    if report.failures_by_reason or report.media_failed or report.end_reason not in CLEAN_ENDS:
        raise click.exceptions.Exit(EXIT_PARTIAL)
