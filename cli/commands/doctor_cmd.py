"""``storysync doctor``: check everything a sync needs and say how to fix what is missing.

Nothing here talks to Instagram (``storysync session check`` does that); every check is local,
so doctor answers on a machine that is offline, rate limited or not set up yet.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import click

from storysync.core.errors import ConfigError, SessionError, StorySyncError
from storysync.core.settings import Settings
from storysync.plugins.config import LoadedSettings

from ..app import EXIT_AUTH, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, cli

Status = Literal["ok", "warn", "fail"]

#: The endpoint families the built-in sources and reply sinks call: the keys of the store's ledger.
ENDPOINT_FAMILIES = (
    "feed/reels_tray",
    "users/web_profile_info",
    "feed/reels_media",
    "direct_v2/inbox",
    "direct_v2/threads",
    "direct_v2/create_group_thread",
    "direct_v2/threads/broadcast/reel_share",
)
SESSION_FILE_MODE = 0o600
SESSION_EXPIRY_WARNING_SECONDS = 7 * 86_400
VERSION_TIMEOUT_SECONDS = 30
MAJOR_VERSION = re.compile(r"(\d+)\.\d+")
IMPORT_SESSION_FIX = (
    "log in to instagram.com in your browser, export its cookies (cookies.txt or JSON) and run "
    "'storysync session import <file>'"
)


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    message: str
    fix: str = ""


def _day(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def check_config(load: Callable[[], LoadedSettings]) -> tuple[Finding, Settings | None]:
    try:
        loaded = load()
    except ConfigError as error:
        return Finding("config", "fail", str(error), "correct the key or value named above; "
                       "'storysync config show' prints the effective settings"), None
    where = f"{loaded.config_path} loads" if loaded.config_path else "no config file; defaults and environment apply"
    settings = loaded.settings
    return Finding("config", "ok", f"{where} (account '{settings.account}', data dir {settings.data_dir})"), settings


def check_plugins(settings: Settings):
    """The plugin manager and registry as ``bootstrap`` builds them, and every configured name known."""
    from storysync.plugins.bootstrap import collect_registry
    from storysync.plugins.manager import build_plugin_manager, describe_plugins

    try:
        pm = build_plugin_manager(settings)
        registry = collect_registry(pm)
        for kind, names in (("source", settings.sources), ("media_fallback", settings.media_fallbacks),
                            ("reply_sink", settings.reply_sinks)):
            for name in names:
                registry.get(kind, name)
        registry.get("store", settings.store.split(":", 1)[0])
    except ConfigError as error:
        return Finding("plugins", "fail", str(error),
                       "install the missing plugin, fix the name in the config, or block one with plugins.disable"), None
    names = ", ".join(info.name for info in describe_plugins(pm))
    return Finding("plugins", "ok", f"{len(pm.get_plugins())} loaded without clashes: {names}"), registry


def check_session(settings: Settings, now: float) -> Finding:
    from storysync.adapters.session import SESSION_COOKIE, load_cookies
    from storysync.plugins.config import session_path

    try:
        path = session_path(settings)
    except ConfigError as error:
        return Finding("session", "fail", str(error), "choose another name with --account or 'account ='")
    if not path.is_file():
        return Finding("session", "fail", f"no session for account '{settings.account}' (expected {path})",
                       IMPORT_SESSION_FIX)
    mode = path.stat().st_mode & 0o777
    if mode != SESSION_FILE_MODE:
        return Finding("session", "fail", f"{path} is readable by others (mode {mode:04o}); it holds your login",
                       f"chmod 600 {path}")
    try:
        cookies = load_cookies(path, now=now)
    except SessionError as error:
        return Finding("session", "fail", str(error), IMPORT_SESSION_FIX)
    expiries = [c["expires"] for c in cookies.cookies if c["name"] == SESSION_COOKIE and c["expires"] is not None]
    if not expiries:
        return Finding("session", "ok", f"{path}: '{SESSION_COOKIE}' present (a browser-session cookie, no expiry)")
    expires = max(expiries)
    if expires - now < SESSION_EXPIRY_WARNING_SECONDS:
        return Finding("session", "warn", f"{path}: '{SESSION_COOKIE}' expires soon, {_day(expires)}",
                       IMPORT_SESSION_FIX)
    return Finding("session", "ok", f"{path}: '{SESSION_COOKIE}' present, expires {_day(expires)}, mode 0600")


def check_store(settings: Settings, registry) -> tuple[Finding, object | None]:
    from storysync.adapters.store.migrations import load_migrations
    from storysync.adapters.store.sqlite import SqliteStore

    if registry is None:
        return Finding("store", "warn", "not checked: the plugins did not load", "fix the plugins first"), None
    try:
        store = registry.get("store", settings.store.split(":", 1)[0]).factory(settings, settings.store)
    except StorySyncError as error:
        return Finding("store", "fail", f"{settings.store} does not open: {error}",
                       "check that data_dir (or the store URL) points to a writable place"), None
    if not isinstance(store, SqliteStore):
        return Finding("store", "ok", f"{settings.store} opens"), store
    latest = len(load_migrations())
    version = store.schema_version()
    if version > latest:
        return Finding("store", "fail", f"{store.path} has schema {version}, newer than this storysync knows ({latest})",
                       "upgrade storysync, or point data_dir at another store"), store
    try:
        store.check_writable()
    except StorySyncError as error:
        return Finding("store", "fail", f"{store.path} is not writable: {error}",
                       "give your user write access to the file and its directory, or stop the process holding it"), store
    return Finding("store", "ok", f"{store.path} opens, schema {version} is current, writable"), store


def check_media_dir(settings: Settings) -> Finding:
    media_dir = Path(settings.media_dir)
    if media_dir.exists():
        if media_dir.is_dir() and os.access(media_dir, os.W_OK | os.X_OK):
            return Finding("media", "ok", f"{media_dir} exists and is writable")
        return Finding("media", "fail", f"{media_dir} is not a writable directory",
                       f"make it one ('mkdir -p {media_dir}', 'chmod u+w {media_dir}') or set media_dir")
    existing = next(parent for parent in media_dir.parents if parent.exists())
    if os.access(existing, os.W_OK | os.X_OK):
        return Finding("media", "ok", f"{media_dir} does not exist yet; the first download creates it")
    return Finding("media", "fail", f"{media_dir} cannot be created: {existing} is not writable",
                   "set media_dir to a directory you can write")


def _major_version(executable: str) -> int | None:
    try:
        done = subprocess.run([executable, "--version"], capture_output=True, text=True, timeout=VERSION_TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = MAJOR_VERSION.search(done.stdout)
    return int(match[1]) if match else None


def check_browsers(settings: Settings, registry) -> list[Finding]:
    """Each engine the settings use: the configured one, and any browser named as a source.

    A browser problem blocks a sync only when a browser is a source; otherwise it only takes
    away the media fallbacks and the reply box.
    """
    browser = settings.browser
    known = set(registry.names("browser")) if registry is not None else set()
    engines = dict.fromkeys([browser.engine, *(name for name in settings.sources if name in known)])
    findings = []
    for engine in engines:
        severity: Status = "fail" if engine in settings.sources else "warn"
        binaries = {"chromium": browser.chromium_path}
        if engine == "selenium":
            binaries["chromedriver"] = browser.chromedriver_path
        versions = {}
        for what, path in binaries.items():
            if not (os.path.isfile(path) and os.access(path, os.X_OK)):
                findings.append(Finding(f"browser:{engine}", severity, f"{what} not found or not executable at {path}",
                                        f"install it with 'apt-get install chromium chromium-driver' or set "
                                        f"browser.{what}_path"))
                continue
            versions[what] = _major_version(path)
            if versions[what] is None:
                findings.append(Finding(f"browser:{engine}", severity, f"'{path} --version' did not print a version",
                                        f"run '{path} --version' to see why it fails"))
        if len(versions) != len(binaries) or None in versions.values():
            continue
        if len(set(versions.values())) > 1:
            findings.append(Finding(f"browser:{engine}", severity,
                                    f"chromium {versions['chromium']} and chromedriver {versions['chromedriver']} "
                                    "differ in major version", "install matching packages (Debian ships them together)"))
            continue
        found = ", ".join(f"{what} {versions[what]} at {path}" for what, path in binaries.items())
        findings.append(Finding(f"browser:{engine}", "ok", found))
    return findings


def check_cooldowns(settings: Settings, store, now: float) -> Finding:
    if store is None:
        return Finding("cooldowns", "warn", "not checked: the store did not open", "fix the store first")
    active = {family: until for family in ENDPOINT_FAMILIES
              if (until := store.cooldown_until(settings.account, family)) is not None and until > now}
    if not active:
        return Finding("cooldowns", "ok", f"no rate-limit cooldown is active for account '{settings.account}'")
    listed = ", ".join(f"{family} until {_day(until)}" for family, until in active.items())
    return Finding("cooldowns", "fail", f"Instagram rate limited account '{settings.account}': {listed}",
                   "wait until then; requests sent earlier only extend the block")


def run_checks(load: Callable[[], LoadedSettings], now: float) -> list[Finding]:
    config, settings = check_config(load)
    if settings is None:
        return [config]
    plugins, registry = check_plugins(settings)
    findings = [config, plugins, check_session(settings, now)]
    store_finding, store = check_store(settings, registry)
    try:
        findings += [store_finding, check_media_dir(settings), *check_browsers(settings, registry),
                     check_cooldowns(settings, store, now)]
    finally:
        if store is not None:
            store.close()
    return findings


def exit_code(findings: list[Finding]) -> int:
    failed = {finding.check for finding in findings if finding.status == "fail"}
    if failed & {"config", "plugins"}:
        return EXIT_USAGE
    if "session" in failed:
        return EXIT_AUTH
    return EXIT_PARTIAL if failed else EXIT_OK


@cli.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_obj
def doctor(state, as_json: bool) -> None:
    """Check config, session, store, media dir, browsers, plugins and cooldowns; say how to fix each problem."""
    findings = run_checks(state.loaded, time.time())
    code = exit_code(findings)
    if as_json:
        click.echo(json.dumps({"exit_code": code, "findings": [asdict(f) for f in findings]}, indent=2))
    else:
        for finding in findings:
            click.echo(f"[{finding.status.upper():<4}] {finding.check}: {finding.message}")
            if finding.fix and finding.status != "ok":
                click.echo(f"       fix: {finding.fix}")
        problems = sum(finding.status == "fail" for finding in findings)
        warnings = sum(finding.status == "warn" for finding in findings)
        summary = f"{problems} problem(s) block a sync." if problems else "Nothing blocks a sync."
        click.echo(summary + (f" {warnings} warning(s)." if warnings else ""))
    raise click.exceptions.Exit(code)
