"""``storysync reply``, ``replies list``, ``tray`` and ``inbox``: replying to stories and the lists
that tell whom to reply to; plus the replies a ``sync profile --reply-text`` run sends."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import click

from storysync.core.models import DELIVERED_REPLY_STATES, REPLY_STATES, ReplyOutcome, StoryItem
from storysync.core.policy import normalize_story_id, normalize_username, sanitize_reply_text
from storysync.core.services.inbox import inbox_users
from storysync.core.services.replier import known_story

from ..app import EXIT_PARTIAL, cli
from .render import echo_json, when

#: Outcomes after which the user has something to do (run again, or fix the cause).
UNSETTLED_STATES = frozenset({"failed", "unknown"})


@cli.command("reply")
@click.argument("username")
@click.argument("story_id")
@click.argument("text")
@click.option("--dry-run", is_flag=True, help="Decide and say what would be sent; send and record nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.pass_obj
def reply(state, username: str, story_id: str, text: str, dry_run: bool, as_json: bool) -> None:
    """Reply TEXT to the story STORY_ID of USERNAME (API first, the story page as fallback)."""
    name = normalize_username(username)
    if name is None:
        raise click.BadParameter(f"{username!r} is not a valid Instagram username", param_hint="USERNAME")
    wanted = normalize_story_id(story_id)
    if wanted is None:
        raise click.BadParameter(f"{story_id!r} is not a story id", param_hint="STORY_ID")
    app = state.app()
    story = known_story(wanted, name, store=app.store, source=app.source, clock=app.clock)
    if story is not None and story.owner_username != name:
        raise click.BadParameter(f"story {wanted} belongs to @{story.owner_username}, not @{name}", param_hint="STORY_ID")
    outcome = app.replier().reply(story, text, dry_run=dry_run)
    if as_json:
        echo_json({"story_id": wanted, "owner_username": name, "dry_run": dry_run, "outcome": outcome})
    else:
        click.echo(_describe(name, wanted, sanitize_reply_text(text), outcome, dry_run=dry_run, story=story))
    if outcome.state not in DELIVERED_REPLY_STATES and not (dry_run and outcome.state == "pending"):
        raise click.exceptions.Exit(EXIT_PARTIAL)


def _describe(username: str, story_id: str, text: str, outcome: ReplyOutcome, *, dry_run: bool,
              story: StoryItem | None) -> str:
    target = f"@{username}'s story {story_id}"
    where = "".join(
        f", {label} {value}" for label, value in (("thread", outcome.thread_id), ("item", outcome.item_id)) if value
    )
    status = f" (HTTP {outcome.http_status})" if outcome.http_status and outcome.state == "failed" else ""
    if outcome.state == "skipped":
        return f"{'Would not reply' if dry_run else 'Not replying'} to {target}: {outcome.reason}."
    if dry_run and outcome.state == "pending":
        media = f" (media_id {story.media_id})" if story is not None else ""
        return f"Would reply {text!r} to {target}{media} via {outcome.method}{where}."
    if dry_run:
        return (f"An earlier reply to {target} may have been delivered: the next run looks for it in the thread"
                " before anything is sent again.")
    if outcome.state == "sent":
        return f"Replied to {target} via {outcome.method}{where}."
    if outcome.state == "sent_unconfirmed":
        return f"Replied to {target} via {outcome.method}; the page did not confirm delivery."
    if outcome.state == "unknown":
        return (f"The reply to {target} may have been delivered ({outcome.reason}); run the same command again:"
                " it looks for the reply in the thread before anything is resent.")
    return f"Reply to {target} failed: {outcome.reason}{status}."


@cli.group("replies")
def replies_group() -> None:
    """Replies recorded in the store."""


@replies_group.command("list")
@click.option("--state", "wanted_state", type=click.Choice(REPLY_STATES), default=None, help="Only replies in STATE.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def replies_list(state, wanted_state: str | None, as_json: bool) -> None:
    """Recorded replies, oldest first."""
    rows = [row for row in state.app().store.list_replies() if wanted_state in (None, row["state"])]
    if as_json:
        echo_json(rows)
        return
    for row in rows:
        details = "  ".join(
            part for part in (row["method"] and f"via {row['method']}", row["reason"],
                              row["http_status"] and f"HTTP {row['http_status']}") if part
        )
        click.echo(f"{when(row['updated_at'])}  {row['state']:<16} @{row['owner_username']}  {row['story_id']}"
                   f"  {row['text']!r}" + (f"  ({details})" if details else ""))
    if not rows:
        click.echo("No replies recorded" + (f" in state {wanted_state}." if wanted_state else "."), err=True)


@cli.command("tray")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def tray(state, as_json: bool) -> None:
    """Accounts with active stories, newest first; unseen ones are marked."""
    entries = sorted(state.app().source.tray(), key=lambda entry: entry.latest_reel_media, reverse=True)
    if as_json:
        echo_json([{"user_id": e.user_id, "username": e.username, "full_name": e.full_name,
                    "latest_reel_media": e.latest_reel_media, "unseen": e.has_unseen} for e in entries])
        return
    for entry in entries:
        mark = "unseen" if entry.has_unseen else "seen  "
        click.echo(f"{mark}  {when(entry.latest_reel_media)}  @{entry.username}"
                   + (f"  {entry.full_name}" if entry.full_name else ""))
    if not entries:
        click.echo("No accounts with active stories.", err=True)


@cli.command("inbox")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="At most N users (default: settings inbox.max_users).")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def inbox(state, limit: int | None, as_json: bool) -> None:
    """Users you have direct conversations with, across the inbox's pages."""
    app = state.app()
    settings = app.settings.inbox
    listing = inbox_users(app.source, page_size=settings.page_size, max_pages=settings.max_pages,
                               max_users=limit or settings.max_users)
    error = None
    if listing.error is not None:
        error = {"reason": str(listing.error.reason or ""), "message": str(listing.error)}
    if as_json:
        echo_json({"users": listing.users, "pages": listing.pages, "exhausted": listing.exhausted, "error": error})
    else:
        for user in listing.users:
            click.echo(f"@{user.username}" + (f"  {user.full_name}" if user.full_name else ""))
        click.echo(f"{len(listing.users)} users from {listing.pages} page(s)"
                   + ("" if listing.exhausted else ", more may exist") + ".", err=True)
    if error is not None:
        click.echo(f"storysync: inbox page {listing.pages + 1} failed: {error['reason']}: {error['message']}"
                   " (the users above come from the pages before it)", err=True)
        raise click.exceptions.Exit(EXIT_PARTIAL)


def reply_to_synced_stories(app, usernames: Sequence[str], text: str | None, *, quiet: bool) -> bool:
    """After ``sync profile``: reply to the synced owners' active stories; ``True`` when a reply did not settle.

    ``text`` is ``--reply-text``; without it, a plugin's ``storysync_reply_text(story)`` chooses
    per story (``None`` means no reply). Lines go to stderr when ``quiet`` (JSON on stdout).
    """
    replier = None
    unsettled = False
    for story in _active_stories(app, usernames):
        reply_text = text or app.hooks.reply_text(story)
        if not reply_text:
            continue
        replier = replier or app.replier()
        outcome = replier.reply(story, reply_text)
        unsettled |= outcome.state in UNSETTLED_STATES
        click.echo(_describe(story.owner_username, story.story_id, sanitize_reply_text(reply_text), outcome,
                             dry_run=False, story=story), err=quiet)
    return unsettled


def _active_stories(app, usernames: Iterable[str]) -> list[StoryItem]:
    now = app.clock.now()
    names = dict.fromkeys(name for raw in usernames if (name := normalize_username(raw)))
    return [story for name in names for story in app.store.list_stories(name) if not story.is_expired(now)]
