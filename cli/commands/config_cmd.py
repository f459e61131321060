"""``storysync config show``: the effective settings and where each came from."""

from __future__ import annotations

import json

import click

from storysync.core.settings import masked

from ..app import cli


@cli.group("config")
def config_group() -> None:
    """Inspect settings."""


def _flatten(data: dict, prefix: str = "") -> list[tuple[str, object]]:
    rows = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            rows.extend(_flatten(value, f"{path}."))
        else:
            rows.append((path, value))
    return rows


@config_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def config_show(state, as_json: bool) -> None:
    """Show effective settings with their origin (defaults, file, environment, flags); secrets masked."""
    loaded = state.loaded()
    rows = [(key, value, loaded.origins.get(key, "defaults")) for key, value in _flatten(masked(loaded.settings))]
    if as_json:
        click.echo(json.dumps({"config_file": str(loaded.config_path) if loaded.config_path else None,
                               "settings": {k: {"value": v, "origin": o} for k, v, o in rows}}, indent=2))
        return
    click.echo(f"# config file: {loaded.config_path or '(none)'}")
    for key, value, origin in rows:
        click.echo(f"{key} = {json.dumps(value)}    # {origin}")
