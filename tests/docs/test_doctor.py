"""``storysync doctor`` on a fresh install and on the demo setup, run as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Loads the doctor command whether or not ``cli.commands`` imports it yet.
CLI = "import storysync.cli.commands.doctor_cmd; from storysync.cli.app import main; main()"


def storysync(*args: str, home: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
                   "XDG_CONFIG_HOME": str(home / "config"), "STORYSYNC_DISABLE_PLUGIN_AUTOLOAD": "1"}
    return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True, env=environment, cwd=home)


def findings(done: subprocess.CompletedProcess) -> dict[str, dict]:
    return {finding["check"]: finding for finding in json.loads(done.stdout)["findings"]}


def test_on_a_fresh_install_it_says_the_session_is_missing_and_how_to_import_one(tmp_path: Path) -> None:
    done = storysync("doctor", home=tmp_path)

    assert done.returncode == 3, done.stderr
    session_dir = tmp_path / "data" / "storysync" / "sessions"
    assert f"[FAIL] session: no session for account 'default' (expected {session_dir / 'default.json'})" in done.stdout
    assert "run 'storysync session import <file>'" in done.stdout
    assert "1 problem(s) block a sync." in done.stdout
    report = findings(storysync("doctor", "--json", home=tmp_path))
    assert {check for check, finding in report.items() if finding["status"] != "ok"} == {"session"}
    assert "does not exist yet" in report["media"]["message"]


def test_on_the_demo_setup_every_check_is_green(tmp_path: Path) -> None:
    demo = storysync("demo", "--dir", str(tmp_path / "demo"), "--users", "1", home=tmp_path)
    assert demo.returncode == 0, demo.stderr

    done = storysync("--config", str(tmp_path / "demo" / "storysync.toml"), "doctor", "--json", home=tmp_path)

    assert done.returncode == 0, done.stdout + done.stderr
    report = findings(done)
    assert {check: finding["status"] for check, finding in report.items()} == {
        "config": "ok", "plugins": "ok", "session": "ok", "store": "ok", "media": "ok",
        "browser:playwright": "ok", "cooldowns": "ok",
    }


def test_a_config_error_is_reported_with_exit_code_2(tmp_path: Path) -> None:
    config = tmp_path / "storysync.toml"
    config.write_text('sourcez = ["http"]\n')

    done = storysync("--config", str(config), "doctor", home=tmp_path)

    assert done.returncode == 2
    assert "[FAIL] config:" in done.stdout and "unknown key sourcez" in done.stdout


def test_an_unknown_source_is_reported_as_a_plugin_problem(tmp_path: Path) -> None:
    config = tmp_path / "storysync.toml"
    config.write_text('sources = ["archive", "http"]\n')

    report = findings(storysync("--config", str(config), "doctor", "--json", home=tmp_path))

    assert report["plugins"]["status"] == "fail"
    assert "unknown source 'archive'" in report["plugins"]["message"]
