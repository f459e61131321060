"""The main job's commands run as a user runs them: ``storysync`` in a subprocess, against the sandbox."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sandbox_app import NO_PLUGIN_AUTOLOAD
from storysync.plugins.sandbox import SystemClock
from storysync.plugins.sandbox.wiring import sandbox_settings_toml


def storysync(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, **NO_PLUGIN_AUTOLOAD, "HOME": str(cwd), "XDG_DATA_HOME": str(cwd / "xdg-data"),
                   "XDG_CONFIG_HOME": str(cwd / "xdg-config"), **(env or {})}
    return subprocess.run([sys.executable, "-m", "storysync.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env=environment, timeout=120)


@pytest.fixture(scope="module")
def live_sandbox(tmp_path_factory):
    """Wall-clock time, so the CLI's own clock and the sandbox agree on which stories are active."""
    from storysync.plugins.sandbox import Sandbox

    with Sandbox(users=30, seed=3, clock=SystemClock()) as sandbox:
        yield sandbox


@pytest.fixture
def workdir(tmp_path, live_sandbox) -> Path:
    (tmp_path / "storysync.toml").write_text(sandbox_settings_toml(live_sandbox, tmp_path / "data", fast_http=True))
    return tmp_path


def imported(workdir: Path, sandbox) -> Path:
    cookies = sandbox.write_cookies_file(workdir / "cookies.txt")
    done = storysync("session", "import", str(cookies), cwd=workdir)
    assert done.returncode == 0, done.stderr
    return workdir / "data" / "sessions" / "default.json"


def test_session_import_keeps_a_private_copy_and_prints_no_secret(workdir, live_sandbox):
    copy = imported(workdir, live_sandbox)
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    done = storysync("session", "check", cwd=workdir)
    assert done.returncode == 0, done.stderr
    assert "works" in done.stdout
    for value in live_sandbox.cookies.values():
        assert value not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found"),
        ("this is not a cookie file\n", "format"),
        ('[{"name": "csrftoken", "value": "abc", "domain": ".instagram.com"}]', "sessionid"),
        ("# Netscape HTTP Cookie File\n.instagram.com\tTRUE\t/\tTRUE\t1000\tsessionid\t1%3Aab%3A1\n", "expired"),
    ],
)
def test_session_import_errors_are_clear_and_exit_3(workdir, content, message):
    path = workdir / "cookies.txt"
    if content is not None:
        path.write_text(content)
    done = storysync("session", "import", str(path), cwd=workdir)
    assert done.returncode == 3
    assert message in done.stderr.lower()
    assert "Traceback" not in done.stderr
    assert not (workdir / "data" / "sessions" / "default.json").exists()


def test_sync_then_browse_the_archive(workdir, live_sandbox):
    imported(workdir, live_sandbox)
    usernames = [entry.user.username for entry in live_sandbox.dataset.tray()][:4]
    synced = storysync("sync", "profile", *usernames, "--json", cwd=workdir)
    assert synced.returncode == 0, synced.stderr
    report = json.loads(synced.stdout)
    expected = {story.story_id for entry in live_sandbox.dataset.tray()[:4]
                for story in live_sandbox.dataset.stories(entry.user.id)}
    assert report["stories_new"] == len(expected) and report["media_downloaded"] == len(expected)

    listed = storysync("stories", "list", usernames[0], cwd=workdir)
    assert listed.returncode == 0 and f"@{usernames[0]}" in listed.stdout
    story_id = listed.stdout.split()[0]
    shown = json.loads(storysync("stories", "show", story_id, cwd=workdir).stdout)
    assert shown["story_id"] == story_id and shown["media_file"]["sha256"]
    exported = storysync("stories", "export", "--format", "jsonl", cwd=workdir).stdout.splitlines()
    assert {json.loads(line)["story_id"] for line in exported} == expected
    runs = json.loads(storysync("runs", "--json", cwd=workdir).stdout)
    assert runs[0]["run_id"] == report["run_id"]
    missing = storysync("stories", "show", "123", cwd=workdir)
    assert missing.returncode == 1 and "no stored story 123" in missing.stderr


def test_plain_summary_when_not_a_terminal(workdir, live_sandbox):
    imported(workdir, live_sandbox)
    username = live_sandbox.dataset.tray()[0].user.username
    done = storysync("sync", "profile", username, cwd=workdir)
    assert done.returncode == 0, done.stderr
    assert "stories:" in done.stdout and "requests:" in done.stdout
    assert "\r" not in done.stderr


def test_a_sync_without_a_session_says_how_to_get_one(workdir):
    done = storysync("sync", "profile", "someone", cwd=workdir)
    assert done.returncode == 3
    assert "storysync session import" in done.stderr


def test_config_show_names_where_each_value_came_from(workdir):
    done = storysync("config", "show", cwd=workdir, env={"STORYSYNC_SYNC__REELS_BATCH_SIZE": "5"})
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(" = ", 1) for line in done.stdout.splitlines() if " = " in line)
    assert lines["instagram.base_url"].endswith(f"# file {workdir / 'storysync.toml'}")
    assert lines["sync.reels_batch_size"].startswith("5") and lines["sync.reels_batch_size"].endswith("# environment")


def test_bad_config_is_exit_2_with_one_clear_line(workdir):
    (workdir / "storysync.toml").write_text("[sync]\nreels_batch_sise = 3\n")
    done = storysync("sync", "profile", "someone", cwd=workdir)
    assert done.returncode == 2
    assert "unknown key sync.reels_batch_sise" in done.stderr
    assert "Traceback" not in done.stderr
    debug = storysync("--debug", "sync", "profile", "someone", cwd=workdir)
    assert "Traceback" in debug.stderr


def test_version_and_usage_errors(workdir):
    assert storysync("--version", cwd=workdir).stdout.startswith("storysync, version ")
    assert storysync("no-such-command", cwd=workdir).returncode == 2
