"""The root command, error rendering and exit codes."""

from __future__ import annotations

import os
import sys
import traceback
from importlib.metadata import PackageNotFoundError, version

import click

from storysync.core.errors import (
    CheckpointRequired,
    ConfigError,
    LoginRequired,
    SessionError,
    StorySyncError,
)

from .context import CliState
from .logs import configure_logging

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_AUTH = 3


def _version() -> str:
    try:
        return version("storysync")
    except PackageNotFoundError:
        return "unknown"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), prog_name="storysync")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="TOML settings file (default: ./storysync.toml, else the user config dir).")
@click.option("--account", default=None, help="Account whose session to use (default: settings 'account').")
@click.option("--data-dir", default=None, type=click.Path(file_okay=False), help="Where the store, sessions and media live.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default=None, help="Log records as text or one JSON object per line.")
@click.option("-v", "--verbose", is_flag=True, help="Log progress and events to stderr.")
@click.option("--debug", is_flag=True, help="Show tracebacks of errors.")
@click.pass_context
def cli(ctx: click.Context, config_path, account, data_dir, log_format, verbose, debug) -> None:
    """Keep Instagram story archives in sync, API-first, and reply to stories."""
    flags = {"account": account, "data_dir": data_dir, "log_format": log_format}
    ctx.obj = CliState(config_path=config_path, flags=flags, debug=debug)
    configure_logging(log_format or "text", verbose=verbose or debug)
    ctx.call_on_close(ctx.obj.close)


def exit_code_for(error: BaseException) -> int:
    if isinstance(error, (ConfigError, click.UsageError)):
        return EXIT_USAGE
    if isinstance(error, (LoginRequired, CheckpointRequired, SessionError)):
        return EXIT_AUTH
    return EXIT_PARTIAL


def advice_for(error: BaseException) -> str:
    if isinstance(error, CheckpointRequired):
        where = f" at {error.url}" if error.url else ""
        return f"Instagram wants you to confirm this account{where}: open it in your browser, pass the check, then export fresh cookies and run 'storysync session import'."
    if isinstance(error, (LoginRequired, SessionError)):
        return "Log in to Instagram in your browser, export its cookies (cookies.txt or JSON) and run 'storysync session import <file>'."
    return ""


def _register_plugin_commands() -> None:
    """Plugins add commands before parsing, so ``--help`` lists them."""
    from storysync.core.settings import Settings
    from storysync.plugins.manager import build_plugin_manager

    pm = build_plugin_manager(Settings(), os.environ)
    pm.hook.storysync_cli_commands(cli=cli)


def main(argv: list[str] | None = None) -> None:
    from . import commands  # noqa: F401  (registers the built-in commands on ``cli``)

    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        _register_plugin_commands()
        # standalone_mode=False returns (not raises) a command's ``ctx.exit`` code.
        sys.exit(cli.main(args=argv, prog_name="storysync", standalone_mode=False) or EXIT_OK)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(EXIT_USAGE if isinstance(error, click.UsageError) else error.exit_code)
    except StorySyncError as error:
        if debug:
            traceback.print_exc()
        click.echo(f"storysync: error: {error}", err=True)
        advice = advice_for(error)
        if advice:
            click.echo(advice, err=True)
        sys.exit(exit_code_for(error))
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as error:
        if debug:
            traceback.print_exc()
        else:
            click.echo(f"storysync: internal error: {type(error).__name__}: {error} (run with --debug for the traceback)", err=True)
        sys.exit(EXIT_PARTIAL)
