"""A real third-party package with a ``storysync`` entry point: discovered, listed, ordered by config."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PLUGIN_MODULE = '''
from storysync.core.errors import Transient
from storysync.core.models import InboxPage, Profile
from storysync.plugins import hookimpl


class LetterSource:
    def __init__(self, name, failing):
        self.name = name
        self.failing = failing

    def profile(self, username):
        if self.failing:
            raise Transient(f"{self.name} is down")
        return Profile(user_id="42", username=username, full_name=f"from {self.name}")

    def reels(self, user_ids):
        return {}

    def tray(self):
        return []

    def inbox(self, cursor=None, limit=20):
        return InboxPage()


def _failing(name):
    import os
    return name in os.environ.get("LETTERS_FAILING", "").split(",")


@hookimpl
def storysync_register_adapters(registry):
    registry.add_source("alpha", lambda ctx: LetterSource("alpha", _failing("alpha")))
    registry.add_source("beta", lambda ctx: LetterSource("beta", _failing("beta")))
'''

PYPROJECT = '''
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "storysync-letters"
version = "1.2.3"

[project.entry-points.storysync]
letters = "storysync_letters"
'''

PROBE = '''
import json, sys
from storysync.plugins.bootstrap import bootstrap
from storysync.plugins.config import load_settings
with bootstrap(load_settings(sys.argv[1]).settings) as app:
    try:
        result = app.source.profile("someone").full_name
    except Exception as error:
        result = f"error: {type(error).__name__}"
    attempts = [[a.name, a.ok] for a in app.source.take_attempts()]
print(json.dumps({"result": result, "attempts": attempts}))
'''


@pytest.fixture(scope="module")
def installed_plugin(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("letters-src")
    (source / "pyproject.toml").write_text(textwrap.dedent(PYPROJECT))
    (source / "storysync_letters.py").write_text(textwrap.dedent(PLUGIN_MODULE))
    target = tmp_path_factory.mktemp("letters-site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target", str(target), str(source)],
        check=True,
        capture_output=True,
    )
    return target


def _run(args, site: Path, tmp_path: Path, **env):
    inherited = {k: v for k, v in os.environ.items() if k != "STORYSYNC_DISABLE_PLUGIN_AUTOLOAD"}
    environment = {**inherited, "PYTHONPATH": str(site), "XDG_DATA_HOME": str(tmp_path / "data"), **env}
    return subprocess.run(args, capture_output=True, text=True, env=environment, cwd=tmp_path)


def _config(tmp_path: Path, sources: list[str]) -> Path:
    path = tmp_path / f"{'-'.join(sources)}.toml"
    path.write_text(f"sources = {json.dumps(sources)}\n")
    return path


def _probe(site, tmp_path, sources, failing=""):
    done = _run([sys.executable, "-c", PROBE, str(_config(tmp_path, sources))], site, tmp_path, LETTERS_FAILING=failing)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_configured_order_decides_which_source_is_tried_first(installed_plugin, tmp_path):
    assert _probe(installed_plugin, tmp_path, ["alpha", "beta"]) == {"result": "from alpha", "attempts": [["alpha", True]]}
    assert _probe(installed_plugin, tmp_path, ["beta", "alpha"]) == {"result": "from beta", "attempts": [["beta", True]]}


def test_a_failing_first_source_falls_through_with_both_attempts_recorded(installed_plugin, tmp_path):
    outcome = _probe(installed_plugin, tmp_path, ["alpha", "beta"], failing="alpha")
    assert outcome == {"result": "from beta", "attempts": [["alpha", False], ["beta", True]]}


def test_plugins_list_shows_the_plugin_and_what_it_registers(installed_plugin, tmp_path):
    done = _run([sys.executable, "-m", "storysync.cli", "plugins", "list", "--json"], installed_plugin, tmp_path)
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    letters = rows["letters"]
    assert letters["origin"] == "entry point (storysync-letters 1.2.3)"
    assert sorted(letters["registers"]) == ["source:alpha", "source:beta"]
    assert rows["http"]["origin"] == "built-in"


def test_an_unknown_source_name_lists_the_known_ones(installed_plugin, tmp_path):
    done = _run([sys.executable, "-c", PROBE, str(_config(tmp_path, ["gamma"]))], installed_plugin, tmp_path)
    assert done.returncode != 0
    assert "unknown source 'gamma'" in done.stderr and "alpha" in done.stderr and "http" in done.stderr


def test_the_autoload_switch_keeps_entry_points_out(installed_plugin, tmp_path):
    done = _run([sys.executable, "-m", "storysync.cli", "plugins", "list", "--json"], installed_plugin, tmp_path,
                STORYSYNC_DISABLE_PLUGIN_AUTOLOAD="1")
    assert "letters" not in {row["name"] for row in json.loads(done.stdout)}


def test_the_disable_list_blocks_a_plugin(installed_plugin, tmp_path):
    config = tmp_path / "disabled.toml"
    config.write_text('[plugins]\ndisable = ["letters"]\n')
    done = _run([sys.executable, "-m", "storysync.cli", "--config", str(config), "plugins", "list", "--json"],
                installed_plugin, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "letters" not in {row["name"] for row in json.loads(done.stdout)}
