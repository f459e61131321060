"""Each hook fires, with the documented arguments, during a real run against the sandbox.

One ``test_hook_<name>`` per hookspec; ``test_every_hook_has_a_test`` fails when a hook has none.
The plugins are small real objects registered on the app's plugin manager (hooks are looked up
when they fire), or modules loaded the way a user loads them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from storysync.cli.commands.replies_cmd import reply_to_synced_stories
from storysync.core.models import Event, ReplyOutcome, ReplyRequest, StoryItem
from storysync.plugins import hookimpl, hookspecs
from storysync.plugins.registry import Registry

HOOKSPECS = sorted(name for name in dir(hookspecs) if name.startswith("storysync_"))
SKIP_REASON = "probe_skip"
REPLY_TEXT = "Lovely story!"


def synced_username(sandbox) -> str:
    """A user whose active stories include one anyone may reply to (replies on, no reshare or mention)."""
    now = sandbox.clock.now()
    for entry in sandbox.dataset.tray(now):
        stories = sandbox.dataset.stories(entry.user.id, now)
        if any(s.can_reply is True and s.reshared_post is None and not s.mentions for s in stories):
            return entry.user.username
    raise AssertionError("the sandbox data set should have a story open to replies")


class SyncProbe:
    """Skips the oldest story of each reel it is shown, and records what the sync tells it."""

    def __init__(self) -> None:
        self.saved: list[tuple[StoryItem, bool, str]] = []
        self.failed: list[tuple[Event, str]] = []
        self.skipped: list[str] = []

    @hookimpl
    def storysync_should_skip_story(self, story: StoryItem) -> str | None:
        if not self.skipped:
            self.skipped.append(story.story_id)
            return SKIP_REASON
        return None

    @hookimpl
    def storysync_story_saved(self, story: StoryItem, is_new: bool, run_id: str) -> None:
        self.saved.append((story, is_new, run_id))

    @hookimpl
    def storysync_sync_failed(self, event: Event, run_id: str) -> None:
        self.failed.append((event, run_id))


class ReplyProbe:
    def __init__(self) -> None:
        self.asked: list[StoryItem] = []
        self.sent: list[tuple[ReplyRequest, ReplyOutcome]] = []

    @hookimpl
    def storysync_reply_text(self, story: StoryItem) -> str | None:
        self.asked.append(story)
        return REPLY_TEXT

    @hookimpl
    def storysync_reply_sent(self, request: ReplyRequest, outcome: ReplyOutcome) -> None:
        self.sent.append((request, outcome))


@pytest.fixture
def synced(storysync_app, ig_sandbox):
    probe = SyncProbe()
    storysync_app.pm.register(probe)
    report = storysync_app.profile_sync().run([synced_username(ig_sandbox)])
    return storysync_app, probe, report


@pytest.fixture
def replied(storysync_app_factory, ig_sandbox):
    """A user synced and replied to as ``sync profile`` does without ``--reply-text``: the
    registered ``ReplyProbe`` chooses the text and sees what was sent."""
    app = storysync_app_factory(reply_sinks=["api"], sync={"download_media": False})
    probe = ReplyProbe()
    app.pm.register(probe)
    username = synced_username(ig_sandbox)
    app.profile_sync().run([username])
    reply_to_synced_stories(app, [username], None, quiet=True)
    return app, probe, username


def test_every_hook_has_a_test() -> None:
    missing = [hook for hook in HOOKSPECS if f"test_hook_{hook}" not in globals()]
    assert not missing, f"write test_hook_<name> in {Path(__file__).name} for: {', '.join(missing)}"


def test_hook_storysync_register_adapters(storysync_app_factory, tmp_path, monkeypatch) -> None:
    (tmp_path / "probe_adapters.py").write_text(textwrap.dedent('''
        from storysync.plugins import hookimpl

        received = []


        @hookimpl
        def storysync_register_adapters(registry):
            received.append(registry)
            registry.add_source("probe", lambda ctx: ctx)
    '''))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "probe_adapters", raising=False)

    app = storysync_app_factory(plugins={"load": ["probe_adapters"]}, sources=["probe", "http"])

    received = sys.modules["probe_adapters"].received
    assert len(received) == 1 and isinstance(received[0], Registry)
    assert app.registry.get("source", "probe").plugin == "probe_adapters"
    assert app.source.names == ["probe", "http"]


def test_hook_storysync_cli_commands(tmp_path) -> None:
    # An entry point, as pip would install it, so the real ``storysync`` start-up finds it.
    (tmp_path / "probe_commands.py").write_text(textwrap.dedent('''
        import click
        from storysync.plugins import hookimpl


        @hookimpl
        def storysync_cli_commands(cli):
            @cli.command("probe-hello")
            def hello():
                click.echo(f"hello from a {type(cli).__name__}")
    '''))
    dist_info = tmp_path / "probe_commands-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: probe-commands\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text("[storysync]\nprobe_commands = probe_commands\n")
    environment = {**os.environ, "PYTHONPATH": str(tmp_path), "HOME": str(tmp_path)}
    environment.pop("STORYSYNC_DISABLE_PLUGIN_AUTOLOAD", None)

    done = subprocess.run([sys.executable, "-m", "storysync.cli", "probe-hello"], capture_output=True, text=True,
                          env=environment, cwd=tmp_path)

    assert (done.returncode, done.stdout) == (0, "hello from a Group\n"), done.stderr


def test_hook_storysync_story_saved(synced) -> None:
    app, probe, report = synced

    assert report.stories_new == len(probe.saved) > 0
    assert {story.story_id for story, _, _ in probe.saved} == {story.story_id for story in app.store.list_stories()}
    assert all(is_new and run_id == report.run_id for _, is_new, run_id in probe.saved)


def test_hook_storysync_should_skip_story(synced) -> None:
    app, probe, report = synced

    [skipped] = probe.skipped
    assert app.store.get_story(skipped) is None
    assert skipped not in {story.story_id for story, _, _ in probe.saved}
    [event] = app.store.list_events("story_skipped")
    assert (event.fields["story_id"], event.fields["reason"]) == (skipped, SKIP_REASON)


def test_hook_storysync_sync_failed(synced) -> None:
    _, probe, report = synced

    [(event, run_id)] = probe.failed
    assert (event.kind, event.fields["reason"], run_id) == ("story_skipped", SKIP_REASON, report.run_id)


def test_hook_storysync_reply_text(replied, ig_sandbox) -> None:
    app, probe, username = replied

    assert {story.story_id for story in probe.asked} == {story.story_id for story in app.store.list_stories(username)}
    assert ig_sandbox.replies() and {reply.text for reply in ig_sandbox.replies()} == {REPLY_TEXT}


def test_hook_storysync_reply_sent(replied, ig_sandbox) -> None:
    _, probe, _ = replied

    delivered = ig_sandbox.replies()
    assert len(probe.sent) == len(delivered) > 0
    assert all(request.text == REPLY_TEXT and outcome.state == "sent" for request, outcome in probe.sent)
    assert {request.story_id for request, _ in probe.sent} == {reply.story_id for reply in delivered}
