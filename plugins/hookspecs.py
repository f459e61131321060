"""Every hook storysync calls. Built-in features implement them exactly as third parties do.

Names are ``storysync_<verb>_<noun>``. Each docstring says when the hook fires and what it
returns; ``docs/hooks.md`` has one section per hook and a test keeps the two in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import hookspec

if TYPE_CHECKING:
    import click

    from storysync.core.models import Event, ReplyOutcome, ReplyRequest, StoryItem

    from .registry import Registry


@hookspec
def storysync_register_adapters(registry: Registry) -> None:
    """Register named factories: sources, media fallbacks, reply sinks, stores and browsers.

    Fires once per ``bootstrap``, before anything is built. Call ``registry.add_source(name,
    factory)``, ``add_media_fallback``, ``add_reply_sink``, ``add_store(scheme, factory)`` or
    ``add_browser(name, factory)``; each factory receives the ``BuildContext`` and is called only
    when the configuration names it. Returns nothing.
    """


@hookspec
def storysync_cli_commands(cli: click.Group) -> None:
    """Add commands to the ``storysync`` command line.

    Fires once when the CLI starts, before arguments are parsed. Call ``cli.add_command(...)``.
    Returns nothing.
    """


@hookspec
def storysync_story_saved(story: StoryItem, is_new: bool, run_id: str) -> None:
    """Observe a story that a sync just stored.

    Fires after the story is committed to the store (``is_new`` tells a first sighting from a
    refresh), before its media is downloaded. Returns nothing; an exception here is reported and
    does not stop the run.
    """


@hookspec
def storysync_sync_failed(event: Event, run_id: str) -> None:
    """Observe a failure or skip of a sync (an ``Event`` with a reason code in ``fields``).

    Fires for every ``story_sync_failed``, ``instagram.api_get_json.failure`` and skip event, after
    it is stored. Returns nothing.
    """


@hookspec
def storysync_reply_sent(request: ReplyRequest, outcome: ReplyOutcome) -> None:
    """Observe a reply that was delivered (state ``sent`` or ``sent_unconfirmed``).

    Fires after the outcome is recorded in the store. Returns nothing.
    """


@hookspec(firstresult=True)
def storysync_reply_text(story: StoryItem) -> str | None:
    """Choose the text of an automatic reply to ``story`` during a sync.

    Fires for each stored story when automatic replies are on (``--reply-text`` supplies the
    built-in answer). The first non-``None`` result wins; ``None`` means "do not reply".
    """


@hookspec(firstresult=True)
def storysync_should_skip_story(story: StoryItem) -> str | None:
    """Decide that a decoded story must not be stored.

    Fires for each story of a fetched reel, before it is stored. Return a short reason to skip it,
    or ``None`` to keep it; the first non-``None`` result wins.
    """
