"""``storysync session import|check``: the account's browser cookies, kept private."""

from __future__ import annotations

import time

import click

from storysync.plugins.config import session_path

from ..app import cli


@cli.group("session")
def session_group() -> None:
    """Manage the Instagram session (browser cookies) of an account."""


@session_group.command("import")
@click.argument("cookie_file", type=click.Path(dir_okay=False))
@click.pass_obj
def session_import(state, cookie_file: str) -> None:
    """Import a Netscape cookies.txt or a JSON cookie list exported from a logged-in browser."""
    from storysync.adapters.session import load_cookies, save_private_copy

    settings = state.settings
    cookies = load_cookies(cookie_file, now=time.time())
    target = session_path(settings)
    save_private_copy(cookies, target)
    click.echo(f"Imported {len(cookies.cookies)} cookies for account '{settings.account}' into {target} (mode 0600).")


@session_group.command("check")
@click.pass_obj
def session_check(state) -> None:
    """Make one cheap authenticated request and say whether the session works."""
    app = state.app()
    entries = app.source.tray()
    click.echo(f"Session for account '{app.settings.account}' works: the story tray lists {len(entries)} accounts.")
