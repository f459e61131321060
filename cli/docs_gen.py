"""Writes docs/configuration.md from ``Settings`` and docs/cli.md from the click app.

Run ``python -m storysync.cli.docs_gen`` after changing a setting or a command; ``--check``
writes nothing and fails while either file is stale, as ``tests/docs/test_generated_docs.py`` does.
The check runs in a fresh interpreter: the click group is module state, and whatever a process
has imported (a test importing a command module) would change the output.
"""

from __future__ import annotations

import argparse
import json
import sys
import types
import typing
from pathlib import Path
from typing import Any

import click
import msgspec

from storysync.core.settings import ENV_PREFIX, Section, Settings

REGENERATE = "python -m storysync.cli.docs_gen"
HELP_WIDTH = 100
#: Defaults that are computed when settings load, where the struct holds an empty placeholder.
COMPUTED_DEFAULTS = {
    "data_dir": "`$XDG_DATA_HOME/storysync` (else `~/.local/share/storysync`)",
    "media_dir": "`<data_dir>/media`",
}


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return " \\| ".join(json.dumps(value) for value in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return " \\| ".join(_type_name(arg) for arg in typing.get_args(annotation))
    if origin is not None:
        return f"{origin.__name__}[{', '.join(_type_name(arg) for arg in typing.get_args(annotation))}]"
    return annotation.__name__


def _default(field: msgspec.structs.FieldInfo) -> Any:
    if field.default is not msgspec.NODEFAULT:
        return field.default
    return field.default_factory()


def _row(key: str, env: str, field: msgspec.structs.FieldInfo) -> str:
    default = COMPUTED_DEFAULTS.get(key) or f"`{json.dumps(_default(field))}`"
    return f"| `{key}` | {_type_name(field.type)} | {default} | `{env}` |"


def configuration_markdown() -> str:
    header = "| Key | Type | Default | Environment variable |\n|---|---|---|---|"
    top, sections = [], []
    for field in msgspec.structs.fields(Settings):
        if isinstance(field.type, type) and issubclass(field.type, Section):
            rows = [_row(f"{field.name}.{sub.name}", f"{ENV_PREFIX}{field.name.upper()}__{sub.name.upper()}", sub)
                    for sub in msgspec.structs.fields(field.type)]
            sections.append(f"## `[{field.name}]`\n\n{header}\n" + "\n".join(rows))
        else:
            top.append(_row(field.name, f"{ENV_PREFIX}{field.name.upper()}", field))
    return "\n".join([
        "# Configuration",
        "",
        f"<!-- Generated from storysync.core.settings.Settings by `{REGENERATE}`; do not edit. -->",
        "",
        "Settings come from four layers; a later one wins: the defaults below, a TOML file",
        "(`--config`, else `./storysync.toml`, else `$XDG_CONFIG_HOME/storysync/config.toml`),",
        "`STORYSYNC_*` environment variables, and command-line flags. An unknown key is an error that",
        "names the key and the layer. In the environment, lists are comma-separated and booleans",
        "are `1/0`, `true/false`, `yes/no` or `on/off`. `storysync config show` prints the effective",
        "value of every key and where it came from.",
        "",
        "## Top-level keys",
        "",
        header,
        *top,
        "",
        "\n\n".join(sections),
        "",
    ])


def _commands(group: click.Group, ctx: click.Context) -> list[tuple[click.Command, click.Context]]:
    found = []
    for name in sorted(group.list_commands(ctx)):
        command = group.get_command(ctx, name)
        sub = click.Context(command, info_name=name, parent=ctx, terminal_width=HELP_WIDTH, max_content_width=HELP_WIDTH)
        found.append((command, sub))
        if isinstance(command, click.Group):
            found.extend(_commands(command, sub))
    return found


def cli_markdown() -> str:
    from storysync.plugins.manager import AUTOLOAD_SWITCH, build_plugin_manager

    from . import commands  # noqa: F401  (registers the built-in commands on ``cli``)
    from .app import cli

    # Built-in plugins only: an installed third-party plugin must not change the reference.
    build_plugin_manager(Settings(), {AUTOLOAD_SWITCH: "1"}).hook.storysync_cli_commands(cli=cli)
    root = click.Context(cli, info_name="storysync", terminal_width=HELP_WIDTH, max_content_width=HELP_WIDTH)
    parts = [
        "# Command line",
        "",
        f"<!-- Generated from the click application by `{REGENERATE}`; do not edit. -->",
        "",
        "Exit codes: 0 success, 1 partial failure (some owners, media or replies failed), 2 usage or",
        "configuration error, 3 the session needs attention (log in, checkpoint), 130 interrupted.",
        "",
        "## `storysync`",
        "",
        "```text",
        cli.get_help(root),
        "```",
    ]
    for command, ctx in _commands(cli, root):
        parts += ["", f"## `{ctx.command_path}`", "", "```text", command.get_help(ctx), "```"]
    return "\n".join(parts) + "\n"


def generated_docs() -> dict[str, str]:
    """File name under ``docs/`` -> its content."""
    return {"configuration.md": configuration_markdown(), "cli.md": cli_markdown()}


def stale_files(docs_dir: Path) -> list[str]:
    """The generated files under ``docs_dir`` whose content differs from a fresh generation."""
    return [name for name, content in generated_docs().items()
            if not (docs_dir / name).is_file() or (docs_dir / name).read_text() != content]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m storysync.cli.docs_gen", description=__doc__.splitlines()[0])
    parser.add_argument("docs_dir", nargs="?", type=Path, default=Path(__file__).resolve().parent.parent / "docs")
    parser.add_argument("--check", action="store_true", help="Write nothing; exit 1 when a file is stale.")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.docs_dir)
        for name in stale:
            print(f"{args.docs_dir / name} is stale: regenerate it with `{REGENERATE}`", file=sys.stderr)
        sys.exit(1 if stale else 0)
    for name, content in generated_docs().items():
        (args.docs_dir / name).write_text(content)
        print(f"wrote {args.docs_dir / name}")


if __name__ == "__main__":
    main()
