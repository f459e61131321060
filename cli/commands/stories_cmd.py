"""``storysync stories list|show|export`` and ``storysync runs``: what the archive holds."""

from __future__ import annotations

import json

import click
import msgspec

from storysync.core.errors import NotFound
from storysync.core.policy import normalize_username

from ..app import cli
from .render import echo_json, echo_report, story_line


@cli.group("stories")
def stories_group() -> None:
    """Browse stored stories."""


@stories_group.command("list")
@click.argument("username", required=False)
@click.option("--limit", type=click.IntRange(min=1), default=None)
@click.pass_obj
def stories_list(state, username: str | None, limit: int | None) -> None:
    """List stored stories, newest first (of USERNAME when given)."""
    name = normalize_username(username) if username else None
    if username and name is None:
        raise click.BadParameter(f"{username!r} is not a valid Instagram username", param_hint="USERNAME")
    stories = state.app().store.list_stories(name, limit=limit)
    for story in stories:
        click.echo(story_line(story))
    if not stories:
        click.echo("No stories stored" + (f" for @{name}." if name else "."), err=True)


@stories_group.command("show")
@click.argument("story_id")
@click.pass_obj
def stories_show(state, story_id: str) -> None:
    """Show one stored story with its media record."""
    store = state.app().store
    story = store.get_story(story_id)
    if story is None:
        raise NotFound(f"no stored story {story_id}")
    payload = msgspec.to_builtins(story)
    payload["media_id"] = story.media_id
    payload["permalink"] = story.permalink
    media = store.get_media(story_id)
    payload["media_file"] = msgspec.to_builtins(media) if media else None
    click.echo(json.dumps(payload, indent=2, ensure_ascii=False))


@stories_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True)
@click.option("--output", "-o", type=click.File("w"), default="-", help="File to write (default: stdout).")
@click.pass_obj
def stories_export(state, fmt: str, output) -> None:
    """Export every stored story as JSON lines."""
    encoder = msgspec.json.Encoder()
    for story in state.app().store.list_stories():
        output.write(encoder.encode(story).decode() + "\n")


@cli.command("runs")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def runs(state, limit: int, as_json: bool) -> None:
    """Recent runs and their summaries, newest first."""
    reports = state.app().store.list_runs(limit)
    if as_json:
        echo_json(reports)
        return
    for report in reports:
        echo_report(report)
    if not reports:
        click.echo("No runs yet.", err=True)
