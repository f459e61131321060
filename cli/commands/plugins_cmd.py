"""``storysync plugins list``: each plugin, where it came from and what it registers."""

from __future__ import annotations

import json

import click

from storysync.plugins.bootstrap import collect_registry
from storysync.plugins.manager import build_plugin_manager, describe_plugins

from ..app import cli


@cli.group("plugins")
def plugins_group() -> None:
    """Inspect the loaded plugins."""


@plugins_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def plugins_list(state, as_json: bool) -> None:
    """List plugins, their origin, hooks and the adapters they register."""
    pm = build_plugin_manager(state.settings)
    registry = collect_registry(pm)
    rows = []
    for info in describe_plugins(pm):
        registers = [f"{r.kind}:{r.name}" for r in registry if r.plugin == info.name]
        rows.append({"name": info.name, "origin": info.origin, "module": info.module, "hooks": list(info.hooks), "registers": registers})
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(f"{row['name']}  [{row['origin']}]  {row['module']}")
        if row["registers"]:
            click.echo(f"    registers: {', '.join(row['registers'])}")
        click.echo(f"    hooks: {', '.join(row['hooks'])}")
