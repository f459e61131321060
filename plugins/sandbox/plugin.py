"""The ``storysync sandbox`` CLI command group (a built-in plugin).

``storysync sandbox serve`` runs a sandbox until Ctrl-C, printing its URLs and where it wrote
the viewer's cookies. click is imported here only, so importing the sandbox package stays light.
"""

from __future__ import annotations

import signal
import tempfile
import threading
from pathlib import Path

import click

from storysync.plugins import hookimpl

from .faults import FAULT_KINDS, parse_fault_spec
from .sandbox import DEFAULT_CDN_HOST, Sandbox


@click.group("sandbox")
def sandbox_group() -> None:
    """A local, simulated Instagram (site + CDN) to run storysync against."""


@sandbox_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address of the site origin.")
@click.option("--port", default=0, show_default=True, help="Site port (0: any free port).")
@click.option("--cdn-host", default=DEFAULT_CDN_HOST, show_default=True, help="Address of the CDN origin.")
@click.option("--cdn-port", default=0, show_default=True, help="CDN port (0: any free port).")
@click.option("--users", default=50, show_default=True, help="How many users the data set has.")
@click.option("--seed", default=1, show_default=True, help="Seed of the data set.")
@click.option("--fault", "faults", multiple=True, metavar="KIND[:ENDPOINT[:COUNT]]",
              help=f"Inject a fault from the start (repeatable). Kinds: {', '.join(FAULT_KINDS)}.")
@click.option("--cookies-file", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the viewer's cookies (Netscape format, mode 0600).")
def serve(host: str, port: int, cdn_host: str, cdn_port: int, users: int, seed: int, faults: tuple[str, ...],
          cookies_file: Path | None) -> None:
    """Serve the sandbox until interrupted."""
    try:
        parsed = [parse_fault_spec(spec) for spec in faults]
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--fault") from error
    sandbox = Sandbox(users=users, seed=seed, host=host, port=port, cdn_host=cdn_host, cdn_port=cdn_port).start()
    stopped = threading.Event()
    previous_sigterm = signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        for fault in parsed:
            sandbox.set_fault(fault.kind, fault.endpoint, fault.count, **fault.params)
        target = cookies_file or Path(tempfile.gettempdir()) / f"storysync-sandbox-{sandbox.state.dataset.seed}-" \
                                                             f"{sandbox.base_url.rsplit(':', 1)[1]}-cookies.txt"
        sandbox.write_cookies_file(target)
        click.echo(f"Site:     {sandbox.base_url}")
        click.echo(f"CDN:      {sandbox.cdn_url}")
        click.echo(f"Viewer:   {sandbox.dataset.viewer.username} (password: sandbox)")
        click.echo(f"Cookies:  {target}")
        click.echo(f"Control:  {sandbox.base_url}/__sandbox__/state")
        click.echo("Press Ctrl-C to stop.")
        try:
            stopped.wait()
        except KeyboardInterrupt:
            pass
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
        sandbox.stop()
        click.echo("Sandbox stopped.")


@hookimpl
def storysync_cli_commands(cli: click.Group) -> None:
    cli.add_command(sandbox_group)
