"""``storysync demo``: the main job end to end against the bundled sandbox, with SQLite."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from storysync.plugins.config import load_settings

from ..app import cli
from .render import echo_report

DEMO_SEED = 7
DEMO_SANDBOX_USERS = 40
#: The sandbox is local: pacing and long backoffs would only make the demo slow.
DEMO_HTTP = {"min_gap_seconds": 0.0, "backoff_initial_seconds": 0.1}


@cli.command("demo")
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None,
              help="Where to put the demo's config, database and media (default: a new temp dir).")
@click.option("--users", type=click.IntRange(1, 30), default=8, show_default=True, help="How many users to sync.")
def demo(directory: str | None, users: int) -> None:
    """Start the sandbox, import its session, sync a handful of users with media, show the result."""
    from storysync.plugins.bootstrap import bootstrap
    from storysync.plugins.sandbox import Sandbox
    from storysync.plugins.sandbox.wiring import import_sandbox_session, sandbox_settings_toml

    root = Path(directory or tempfile.mkdtemp(prefix="storysync-demo-")).resolve()
    root.mkdir(parents=True, exist_ok=True)
    with Sandbox(users=DEMO_SANDBOX_USERS, seed=DEMO_SEED) as sandbox:
        click.echo(f"Sandbox Instagram at {sandbox.base_url} (CDN {sandbox.cdn_url})")
        config_path = root / "storysync.toml"
        config_path.write_text(sandbox_settings_toml(sandbox, root / "data", http=DEMO_HTTP))
        settings = load_settings(config_path).settings
        import_sandbox_session(sandbox, settings)
        usernames = [entry.user.username for entry in sandbox.dataset.tray()][:users]
        click.echo(f"Syncing {len(usernames)} users: {', '.join(usernames)}")
        with bootstrap(settings) as app:
            echo_report(app.profile_sync().run(usernames))
            click.echo("Syncing the same users again (nothing new: the tray says so, one request):")
            echo_report(app.profile_sync().run(usernames))
            stored = len(app.store.list_stories())
    media = sorted(p for p in Path(settings.media_dir).rglob("*") if p.is_file())
    click.echo("")
    click.echo(f"{stored} stories stored in {Path(settings.data_dir) / 'storysync.db'}")
    click.echo(f"{len(media)} media files under {settings.media_dir}")
    for path in media[:5]:
        click.echo(f"  {path.relative_to(settings.media_dir)}  {path.stat().st_size} bytes")
    click.echo(f"Explore: storysync --config {config_path} stories list")
