"""docs/writing-plugins.md, automated: the example plugin installs with pip, is discovered through
its entry point, and a sync over the sandbox uses its source only where the config puts it first.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import pytest

from storysync.core.models import StoryItem
from storysync.plugins.config import load_settings
from storysync.plugins.sandbox import Sandbox, SystemClock
from storysync.plugins.sandbox.wiring import import_sandbox_session, sandbox_settings_toml

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "storysync-jsonl-feed"
ARCHIVED_STORY_ID = "3999999999999999999"
ARCHIVED_MEDIA_URL = "https://scontent.cdninstagram.com/v/t51.2885-15/3999999999999999999_n.jpg"


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory) -> Path:
    """The example installed with pip into its own site dir (built from a copy: pip builds in place)."""
    source = tmp_path_factory.mktemp("example") / EXAMPLE.name
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    site = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", str(site), str(source)], check=True, capture_output=True)
    return site


def run(args: list[str], site: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(site), "HOME": str(cwd), **env}
    environment.pop("STORYSYNC_DISABLE_PLUGIN_AUTOLOAD", None)
    return subprocess.run(args, capture_output=True, text=True, env=environment, cwd=cwd)


@pytest.fixture
def live_sandbox(ig_sandbox_factory) -> Sandbox:
    # The CLI reads the wall clock, so the sandbox's stories must be live by the wall clock too.
    return ig_sandbox_factory(users=12, seed=3, clock=SystemClock())


def write_setup(tmp_path: Path, sandbox: Sandbox, sources: list[str]) -> Path:
    config = tmp_path / "storysync.toml"
    config.write_text(sandbox_settings_toml(sandbox, tmp_path / "data", fast_http=True, sources=sources))
    import_sandbox_session(sandbox, load_settings(config, environ={}).settings)
    return config


def write_archive(directory: Path, sandbox: Sandbox) -> str:
    """An export holding one story the sandbox does not have, of a user the sandbox does have."""
    user = sandbox.dataset.tray()[0].user
    now = int(time.time())
    story = StoryItem(story_id=ARCHIVED_STORY_ID, owner_id=str(user.id), owner_username=user.username,
                      media_type="image", taken_at=now - 600, expiring_at=now + 86_400,
                      media_url=ARCHIVED_MEDIA_URL, image_url=ARCHIVED_MEDIA_URL)
    directory.mkdir()
    (directory / "export.jsonl").write_bytes(msgspec.json.encode(story) + b"\n")
    return user.username


def sync_with_archive(plugin_site: Path, tmp_path: Path, sandbox: Sandbox, sources: list[str]):
    config = write_setup(tmp_path, sandbox, sources)
    username = write_archive(tmp_path / "archive", sandbox)
    env = {"JSONL_FEED_ARCHIVE": str(tmp_path / "archive"), "JSONL_FEED_FILE": str(tmp_path / "feed.jsonl")}
    synced = run([sys.executable, "-m", "storysync.cli", "--config", str(config), "sync", "profile", username,
                  "--no-media", "--json"], plugin_site, tmp_path, **env)
    assert synced.returncode == 0, synced.stderr
    exported = run([sys.executable, "-m", "storysync.cli", "--config", str(config), "stories", "export"],
                   plugin_site, tmp_path)
    stored = {json.loads(line)["story_id"] for line in exported.stdout.splitlines()}
    feed = [json.loads(line)["story"]["story_id"] for line in (tmp_path / "feed.jsonl").read_text().splitlines()]
    return json.loads(synced.stdout), stored, feed


def test_the_installed_plugin_is_listed_with_what_it_registers(plugin_site, tmp_path) -> None:
    done = run([sys.executable, "-m", "storysync.cli", "plugins", "list", "--json"], plugin_site, tmp_path)

    assert done.returncode == 0, done.stderr
    plugin = {row["name"]: row for row in json.loads(done.stdout)}["jsonl_feed"]
    assert plugin["origin"] == "entry point (storysync-jsonl-feed 1.0.0)"
    assert plugin["registers"] == ["source:archive"]
    assert plugin["hooks"] == ["storysync_register_adapters", "storysync_story_saved"]


def test_its_source_placed_first_answers_without_asking_instagram(plugin_site, tmp_path, live_sandbox) -> None:
    report, stored, feed = sync_with_archive(plugin_site, tmp_path, live_sandbox, ["archive", "http"])

    assert stored == {ARCHIVED_STORY_ID} and feed == [ARCHIVED_STORY_ID]
    assert report["requests_by_endpoint"] == {} and live_sandbox.requests() == []


def test_its_source_placed_last_is_not_used_while_instagram_answers(plugin_site, tmp_path, live_sandbox) -> None:
    report, stored, feed = sync_with_archive(plugin_site, tmp_path, live_sandbox, ["http", "archive"])

    assert ARCHIVED_STORY_ID not in stored and stored and set(feed) == stored
    assert report["requests_by_endpoint"]["feed/reels_media"] >= 1


def test_the_examples_own_tests_pass_against_the_installed_plugin(plugin_site, tmp_path) -> None:
    project = tmp_path / EXAMPLE.name
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))

    done = run([str(Path(sys.executable).with_name("pytest")), "-q", "-p", "no:cacheprovider"], plugin_site, project)

    assert done.returncode == 0, done.stdout + done.stderr
