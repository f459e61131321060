"""Story replies against the sandbox over real HTTP; the sandbox's own record of the replies it
received is the judge. The app is wired exactly as the CLI wires it (``bootstrap`` from a TOML
config), so the built-in reply sinks, the store and the transport are the real ones.

Browser tests drive real headless Chromium through both engines and fail without it.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import pytest
import stamina

from storysync.adapters.browser.playwright_session import PlaywrightSession
from storysync.adapters.browser.reply import UiReplySink
from storysync.adapters.browser.selenium_session import SeleniumSession
from storysync.adapters.store.sqlite import SqliteStore
from storysync.core.models import Attribution, ReplyRequest, StoryItem
from storysync.core.reasons import EXTERNAL_ATTRIBUTION_REASONS
from storysync.core.settings import Settings
from storysync.plugins.bootstrap import App, bootstrap
from storysync.plugins.builtin.sqlite import sqlite_path
from storysync.plugins.config import load_settings
from storysync.plugins.sandbox import Sandbox
from storysync.plugins.sandbox.wiring import import_sandbox_session, sandbox_settings_toml

REEL_SHARE = "direct_v2/threads/broadcast/reel_share"
RETRY_ATTEMPTS = 3
#: The ``storysync`` command, run by this interpreter.
CLI = [sys.executable, "-m", "storysync.cli"]
ENGINES = {"playwright": PlaywrightSession, "selenium": SeleniumSession}


# -- wiring -------------------------------------------------------------------------------------


def write_config(directory: Path, sandbox: Sandbox, *, sinks: tuple[str, ...] = ("api",),
                 engine: str = "playwright") -> Path:
    """A config for the sandbox with fast HTTP; a Retry-After over a second is not waited out."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "storysync.toml"
    config.write_text(sandbox_settings_toml(
        sandbox, directory / "data", fast_http=True, reply_sinks=list(sinks),
        http={"retry_attempts": RETRY_ATTEMPTS, "retry_after_cap_seconds": 1.0}, browser={"engine": engine},
    ))
    return config


def settings_of(config: Path) -> Settings:
    return load_settings(config, environ={}).settings


@pytest.fixture(autouse=True)
def no_backoff_sleeps() -> Iterator[None]:
    with stamina.set_testing(True, attempts=RETRY_ATTEMPTS):
        yield


@pytest.fixture
def make_app(tmp_path: Path, ig_sandbox: Sandbox) -> Iterator[Callable[..., App]]:
    apps: list[App] = []

    def make(*, sinks: tuple[str, ...] = ("api",), engine: str = "playwright", directory: Path | None = None) -> App:
        config = write_config(directory or tmp_path / "app", ig_sandbox, sinks=sinks, engine=engine)
        import_sandbox_session(ig_sandbox, settings_of(config))
        app = bootstrap(settings_of(config), environ={"STORYSYNC_DISABLE_PLUGIN_AUTOLOAD": "1"})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


def decoded(app: App, sandbox_story) -> StoryItem:
    """The story as storysync decodes it from the sandbox's reels, stored like a sync stores it."""
    reel = app.source.reels([sandbox_story.owner_id])[sandbox_story.owner_id]
    app.store.upsert_stories(reel.items, now=time.time())
    return next(item for item in reel.items if item.story_id == sandbox_story.story_id)


def sandbox_stories(sandbox: Sandbox, accept: Callable) -> list:
    now = sandbox.clock.now()
    return [story for user in sandbox.dataset.users for story in sandbox.dataset.stories(user.id, now) if accept(story)]


def plain(story) -> bool:
    """A story anyone may reply to: replies on, no reshared post, no mentions."""
    return story.can_reply is True and story.reshared_post is None and not story.mentions


def replies_to(sandbox: Sandbox, story_id: str) -> list:
    return [reply for reply in sandbox.replies() if reply.story_id == story_id]


def direct_requests(sandbox: Sandbox) -> list:
    return [record for record in sandbox.requests() if record.endpoint.startswith("direct_v2/")]


# -- delivery through the API --------------------------------------------------------------------


def test_a_reply_arrives_once_with_the_story_thread_and_text(make_app, ig_sandbox: Sandbox) -> None:
    app = make_app()
    target = sandbox_stories(ig_sandbox, plain)[0]
    story = decoded(app, target)

    outcome = app.replier().reply(story, '"Great shot!",')

    assert (outcome.state, outcome.method) == ("sent", "api")
    [received] = ig_sandbox.replies()
    assert received.media_id == f"{target.story_id}_{target.owner_id}"
    assert received.owner_id == target.owner_id  # the sandbox refuses a reel_id that is not the owner
    assert received.text == "Great shot!"
    assert received.thread_id == outcome.thread_id == app.store.cached_thread_id(target.owner_id)
    assert received.item_id == outcome.item_id
    [row] = app.store.list_replies(target.story_id)
    assert (row["state"], row["method"], row["client_context"]) == ("sent", "api", received.client_context)
    [event] = app.store.list_events("story_reply_sent")
    assert event.fields["method"] == "api" and event.fields["story_id"] == target.story_id


def test_the_thread_is_created_once_per_owner(make_app, ig_sandbox: Sandbox) -> None:
    app = make_app()
    owner_id = sandbox_stories(ig_sandbox, plain)[0].owner_id
    stories = sandbox_stories(ig_sandbox, lambda s: plain(s) and s.owner_id == owner_id)
    assert len(stories) >= 2, "the data set should give some owner two plain stories"

    for target in stories[:2]:
        assert app.replier().reply(decoded(app, target), "hi").state == "sent"

    assert ig_sandbox.request_counts()["direct_v2/create_group_thread"] == 1
    assert len({reply.thread_id for reply in ig_sandbox.replies()}) == 1


def test_stories_that_must_not_be_answered_send_nothing(make_app, ig_sandbox: Sandbox) -> None:
    app = make_app()
    closed = decoded(app, sandbox_stories(ig_sandbox, lambda s: s.can_reply is False)[0])
    reshare = decoded(app, sandbox_stories(ig_sandbox, lambda s: s.can_reply and s.reshared_post is not None)[0])
    mention = decoded(app, sandbox_stories(ig_sandbox, lambda s: s.can_reply and s.mentions
                                           and s.reshared_post is None)[0])
    base = decoded(app, sandbox_stories(ig_sandbox, plain)[0])
    expected = {
        closed: "api_can_reply_false",
        reshare: "story_feed_media_external",
        mention: "reel_mentions_external",
    }
    # Signals the sandbox's data set does not produce, on an otherwise plain story.
    for reason in EXTERNAL_ATTRIBUTION_REASONS:
        attribution = Attribution(flag=True, reason=reason.value, reasons=(reason.value,), targets=("1",))
        expected[msgspec.structs.replace(base, attribution=attribution)] = reason.value

    replier = app.replier()
    outcomes = {story: replier.reply(story, "hi") for story in expected}

    assert {story: (o.state, o.reason) for story, o in outcomes.items()} == {
        story: ("skipped", reason) for story, reason in expected.items()
    }
    assert ig_sandbox.replies() == [] and direct_requests(ig_sandbox) == []
    assert app.store.list_replies() == []
    assert len(app.store.list_events("story_reply_skipped")) == len(expected)


def test_a_story_already_replied_to_gets_no_second_reply(make_app, ig_sandbox: Sandbox) -> None:
    app = make_app()
    story = decoded(app, sandbox_stories(ig_sandbox, plain)[0])
    replier = app.replier()

    first, second = replier.reply(story, "one"), replier.reply(story, "two")

    assert first.state == "sent"
    assert (second.state, second.reason) == ("skipped", "duplicate_story_already_replied")
    assert [reply.text for reply in ig_sandbox.replies()] == ["one"]


@pytest.mark.parametrize(
    ("fault", "reason"),
    [("feedback_required", "feedback_required"), ("checkpoint", "checkpoint_required"),
     ("challenge_redirect", "checkpoint_required")],
)
def test_a_refusal_fails_the_reply_without_trying_the_page(make_app, ig_sandbox: Sandbox, fault: str,
                                                           reason: str) -> None:
    launches = PlaywrightSession.launch_count
    app = make_app(sinks=("api", "ui"))
    story = decoded(app, sandbox_stories(ig_sandbox, plain)[0])
    ig_sandbox.set_fault(fault, endpoint=REEL_SHARE)

    outcome = app.replier().reply(story, "hi")

    assert (outcome.state, outcome.reason) == ("failed", reason)
    assert ig_sandbox.replies() == []
    assert ig_sandbox.requests("page/story") == [] and PlaywrightSession.launch_count == launches
    [row] = app.store.list_replies(story.story_id)
    assert (row["state"], row["reason"]) == ("failed", reason)
    [event] = app.store.list_events("story_reply_failed")
    assert (event.fields["method"], event.fields["reason"]) == ("api", reason)


def test_server_errors_without_a_ui_sink_fail_the_reply(make_app, ig_sandbox: Sandbox) -> None:
    app = make_app()
    story = decoded(app, sandbox_stories(ig_sandbox, plain)[0])
    ig_sandbox.set_fault("server_error", endpoint=REEL_SHARE)

    outcome = app.replier().reply(story, "hi")

    assert (outcome.state, outcome.reason, outcome.http_status) == ("failed", "transient_network_error", 500)
    assert ig_sandbox.replies() == []
    ig_sandbox.clear_faults()
    assert app.replier().reply(story, "hi").state == "sent"
    assert len(replies_to(ig_sandbox, story.story_id)) == 1


@pytest.mark.parametrize("fault", ["drop_after_accept", "truncated"])
def test_a_reply_accepted_without_a_full_answer_is_unknown_until_found_in_the_thread(make_app, ig_sandbox: Sandbox,
                                                                                     fault: str) -> None:
    app = make_app(sinks=("api", "ui"))
    story = decoded(app, sandbox_stories(ig_sandbox, plain)[0])
    ig_sandbox.set_fault(fault, endpoint=REEL_SHARE)

    first = app.replier().reply(story, "hi")

    assert first.state == "unknown"
    assert len(replies_to(ig_sandbox, story.story_id)) == 1  # it did arrive
    assert ig_sandbox.requests("page/story") == []  # and the page was not asked to send it again
    posts = len(ig_sandbox.requests(REEL_SHARE))
    ig_sandbox.clear_faults()

    second = app.replier().reply(story, "hi")

    assert (second.state, second.item_id) == ("sent", replies_to(ig_sandbox, story.story_id)[0].item_id)
    assert len(ig_sandbox.requests(REEL_SHARE)) == posts
    assert len(replies_to(ig_sandbox, story.story_id)) == 1
    assert [row["state"] for row in app.store.list_replies(story.story_id)] == ["sent"]


def test_a_reset_connection_is_unknown_and_resent_with_the_same_client_context(make_app, ig_sandbox: Sandbox) -> None:
    app = make_app()
    story = decoded(app, sandbox_stories(ig_sandbox, plain)[0])
    ig_sandbox.set_fault("reset", endpoint=REEL_SHARE)

    assert app.replier().reply(story, "hi").state == "unknown"
    assert replies_to(ig_sandbox, story.story_id) == []
    ig_sandbox.clear_faults()

    assert app.replier().reply(story, "hi").state == "sent"
    [received] = replies_to(ig_sandbox, story.story_id)
    [row] = app.store.list_replies(story.story_id)
    assert received.client_context == row["client_context"]


def test_a_dry_run_sends_and_records_nothing(make_app, ig_sandbox: Sandbox) -> None:
    app = make_app()
    story = decoded(app, sandbox_stories(ig_sandbox, plain)[0])
    before = len(ig_sandbox.requests())

    outcome = app.replier().reply(story, "hi", dry_run=True)

    assert (outcome.state, outcome.method) == ("pending", "api")
    assert len(ig_sandbox.requests()) == before and ig_sandbox.replies() == []
    assert app.store.list_replies() == [] and app.store.list_events("story_reply_sent") == []


# -- processes killed mid-reply, and randomised trials --------------------------------------------


def run_cli(config: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "--config", str(config), *args],
                          capture_output=True, text=True, env=env, timeout=60, check=False)


def cli_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(tmp_path), "STORYSYNC_DISABLE_PLUGIN_AUTOLOAD": "1"}


def reply_and_kill(config: Path, story: StoryItem, text: str, env: dict[str, str], *, after: float) -> None:
    """Run ``storysync reply`` in a process and kill it ``after`` seconds past its recorded intent."""
    settings = settings_of(config)
    store = SqliteStore(sqlite_path(settings, settings.store))
    process = subprocess.Popen([*CLI, "--config", str(config), "reply",
                                story.owner_username, story.story_id, text],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.monotonic() + 30
        while not store.list_replies(story.story_id):
            assert process.poll() is None, "the reply process ended before recording its intent"
            assert time.monotonic() < deadline, "no intent was recorded"
            time.sleep(0.005)
        time.sleep(after)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=10)
        store.close()


def test_a_process_killed_after_recording_its_intent_sends_exactly_once(make_app, ig_sandbox: Sandbox,
                                                                        tmp_path: Path) -> None:
    app = make_app()
    story = decoded(app, sandbox_stories(ig_sandbox, plain)[0])
    config = tmp_path / "app" / "storysync.toml"
    ig_sandbox.set_fault("slow", endpoint=REEL_SHARE, count=1, seconds=1.5)

    reply_and_kill(config, story, "hi", cli_env(tmp_path), after=0.0)
    [row] = app.store.list_replies(story.story_id)
    assert row["state"] == "pending"

    assert app.replier().reply(story, "hi").state == "sent"
    time.sleep(1.6)  # let the slowed request, if it got through, finish inside the sandbox
    [received] = replies_to(ig_sandbox, story.story_id)
    assert received.client_context == row["client_context"]


FAULTS = ("none", "server_error", "drop_after_accept", "reset", "slow+kill")
TRIALS = 50
TRIAL_SEED = 20260819


def test_randomised_faults_and_kills_never_duplicate_a_reply(ig_sandbox_factory, tmp_path: Path) -> None:
    """Each trial replies to a new story under a random fault, then recovers; the sandbox must hold
    exactly one reply per story at the end, and never two at any point."""
    sandbox = ig_sandbox_factory(users=140, seed=3)
    config = write_config(tmp_path / "trials", sandbox)
    import_sandbox_session(sandbox, settings_of(config))
    env = cli_env(tmp_path)
    rng = random.Random(TRIAL_SEED)
    started = time.monotonic()
    with bootstrap(settings_of(config), environ={"STORYSYNC_DISABLE_PLUGIN_AUTOLOAD": "1"}) as app:
        targets = sandbox_stories(sandbox, plain)
        assert len(targets) >= TRIALS
        rng.shuffle(targets)
        tally: dict[str, int] = {}
        for target in targets[:TRIALS]:
            fault = rng.choice(FAULTS)
            tally[fault] = tally.get(fault, 0) + 1
            story = decoded(app, target)
            if fault == "slow+kill":
                sandbox.set_fault("slow", endpoint=REEL_SHARE, count=1, seconds=0.6)
                reply_and_kill(config, story, "trial", env, after=rng.uniform(0.0, 0.4))
            elif fault != "none":
                sandbox.set_fault(fault, endpoint=REEL_SHARE, count=rng.randint(1, RETRY_ATTEMPTS + 1))
                app.replier().reply(story, "trial")
            sandbox.clear_faults()
            for _ in range(3):  # recovery: rerun until the reply settles
                outcome = app.replier().reply(story, "trial")
                assert len(replies_to(sandbox, story.story_id)) <= 1, f"duplicate after {fault}"
                if outcome.state == "sent" or outcome.reason == "duplicate_story_already_replied":
                    break
            if fault == "slow+kill":
                time.sleep(0.65)  # a slowed request still in the sandbox lands now, if at all
            assert len(replies_to(sandbox, story.story_id)) == 1, f"{fault}: not exactly one reply"
            assert [r["state"] for r in app.store.list_replies(story.story_id)].count("sent") == 1
    assert set(tally) == set(FAULTS), tally
    assert time.monotonic() - started < 90


# -- the page as fallback (both engines) ---------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_server_errors_on_the_api_let_the_page_send_the_reply_once(make_app, ig_sandbox: Sandbox,
                                                                   engine: str) -> None:
    app = make_app(sinks=("api", "ui"), engine=engine)
    story = decoded(app, sandbox_stories(ig_sandbox, plain)[0])
    # One 500: the transport does not repeat a POST that reached Instagram, so the page's own
    # reel_share is the next request to arrive.
    ig_sandbox.set_fault("server_error", endpoint=REEL_SHARE, count=1)

    outcome = app.replier().reply(story, "Lovely light")

    assert (outcome.state, outcome.method) == ("sent", "ui")
    [received] = ig_sandbox.replies()
    assert received.browser and received.text == "Lovely light"
    assert received.media_id == story.media_id and received.owner_id == story.owner_id
    [row] = app.store.list_replies(story.story_id)
    assert (row["state"], row["method"]) == ("sent", "ui")
    [event] = app.store.list_events("story_reply_sent")
    assert [a["sink"] for a in event.fields["attempts"]] == ["api", "ui"]
    # The API recognises the page's reply (its own client_context) by story and text.
    request = ReplyRequest(story_id=story.story_id, owner_id=story.owner_id, owner_username=story.owner_username,
                           text="Lovely light", client_context=row["client_context"])
    api_sink = dict(app.reply_sinks)["api"]
    assert api_sink.find_sent(request).item_id == received.item_id


@pytest.fixture(scope="module", params=sorted(ENGINES))
def browser(request):
    session = ENGINES[request.param]()
    yield session
    session.close()


def ui_sink(browser, sandbox: Sandbox) -> UiReplySink:
    cookies = [{"name": name, "value": value, "path": "/"} for name, value in sandbox.cookies.items()]
    return UiReplySink(browser, base_url=sandbox.base_url, cookies=cookies, page_wait=3.0, delivery_wait=5.0)


def ui_request(story) -> ReplyRequest:
    return ReplyRequest(story_id=story.story_id, owner_id=story.owner_id, owner_username=story.owner_username,
                        text="hello from the page", client_context="1787140800000123456")


@pytest.mark.browser
def test_the_page_reports_replies_turned_off(browser, ig_sandbox: Sandbox) -> None:
    closed = sandbox_stories(ig_sandbox, lambda s: s.can_reply is False)[0]
    outcome = ui_sink(browser, ig_sandbox).send(ui_request(closed))
    assert (outcome.state, outcome.reason) == ("failed", "replies_not_allowed")
    assert ig_sandbox.replies() == []


@pytest.mark.browser
def test_a_view_gate_that_never_clears_is_reported(browser, ig_sandbox: Sandbox) -> None:
    ig_sandbox.set_variant("gate_stuck")
    outcome = ui_sink(browser, ig_sandbox).send(ui_request(sandbox_stories(ig_sandbox, plain)[0]))
    assert (outcome.state, outcome.reason) == ("failed", "story_view_gate_not_cleared")
    assert ig_sandbox.replies() == []


@pytest.mark.browser
@pytest.mark.parametrize("variant", ["default", "classes"])
def test_the_page_sends_and_confirms_a_reply(browser, ig_sandbox: Sandbox, variant: str) -> None:
    ig_sandbox.set_variant(variant)
    story = sandbox_stories(ig_sandbox, plain)[0]

    outcome = ui_sink(browser, ig_sandbox).send(ui_request(story))

    assert (outcome.state, outcome.method) == ("sent", "ui")
    [received] = ig_sandbox.replies()
    assert (received.story_id, received.text, received.browser) == (story.story_id, "hello from the page", True)


# -- the CLI against the sandbox -----------------------------------------------------------------


@pytest.fixture
def cli_config(tmp_path: Path, ig_sandbox: Sandbox) -> tuple[Path, dict[str, str]]:
    config = write_config(tmp_path / "cli", ig_sandbox)
    env = cli_env(tmp_path)
    cookies = ig_sandbox.write_cookies_file(tmp_path / "cookies.txt")
    imported = run_cli(config, "session", "import", str(cookies), env=env)
    assert imported.returncode == 0, imported.stderr
    return config, env


def test_tray_lists_the_sandbox_tray_newest_first_with_unseen_marked(cli_config, ig_sandbox: Sandbox) -> None:
    config, env = cli_config
    result = run_cli(config, "tray", "--json", env=env)
    assert result.returncode == 0, result.stderr
    listed = msgspec.json.decode(result.stdout)

    now = ig_sandbox.clock.now()
    expected = sorted(ig_sandbox.dataset.tray(now), key=lambda reel: reel.latest_reel_media, reverse=True)
    assert [entry["username"] for entry in listed] == [reel.user.username for reel in expected]
    assert [entry["unseen"] for entry in listed] == [
        ig_sandbox.state.seen_at(reel.user, reel.latest_reel_media) < reel.latest_reel_media for reel in expected
    ]
    text = run_cli(config, "tray", env=env)
    assert text.returncode == 0 and text.stdout.count("unseen") == sum(entry["unseen"] for entry in listed)


def inbox_usernames(sandbox: Sandbox) -> list[str]:
    threads, _, _ = sandbox.state.direct.inbox_page(None, 10_000)
    names: dict[str, None] = {}
    for thread in threads:
        for user_id in thread.user_ids:
            names.setdefault(sandbox.dataset.user_by_id(user_id).username)
    return list(names)


def test_inbox_lists_the_users_of_every_page(cli_config, ig_sandbox: Sandbox) -> None:
    config, env = cli_config
    result = run_cli(config, "inbox", "--json", env=env)
    assert result.returncode == 0, result.stderr
    listed = msgspec.json.decode(result.stdout)

    assert [user["username"] for user in listed["users"]] == inbox_usernames(ig_sandbox)
    assert listed["pages"] >= 3 and listed["exhausted"] and listed["error"] is None
    assert len(ig_sandbox.requests("direct_v2/inbox")) == listed["pages"]


def test_inbox_keeps_the_pages_it_read_when_a_later_one_fails(cli_config, ig_sandbox: Sandbox) -> None:
    config, env = cli_config
    ig_sandbox.set_rate_limit(1, 3600, endpoint="direct_v2/inbox")

    result = run_cli(config, "inbox", "--limit", "500", env=env)

    first_page = inbox_usernames(ig_sandbox)[: len(result.stdout.splitlines())]
    assert result.stdout.splitlines() == [f"@{name}" + f"  {ig_sandbox.dataset.user(name).full_name}"
                                          for name in first_page]
    assert len(first_page) > 0
    assert "inbox page 2 failed: rate_limited" in result.stderr


def test_reply_command_fetches_the_story_and_replies(cli_config, ig_sandbox: Sandbox) -> None:
    config, env = cli_config
    target = sandbox_stories(ig_sandbox, plain)[0]

    dry = run_cli(config, "reply", target.owner_username, target.story_id, "hi there", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert f"Would reply 'hi there' to @{target.owner_username}'s story {target.story_id}" in dry.stdout
    assert ig_sandbox.replies() == []

    sent = run_cli(config, "reply", target.owner_username, target.story_id, "hi there", env=env)
    assert sent.returncode == 0, sent.stderr
    assert "Replied to" in sent.stdout
    again = run_cli(config, "reply", target.owner_username, target.story_id, "hi there", env=env)
    assert "Not replying" in again.stdout and "duplicate_story_already_replied" in again.stdout
    assert len(ig_sandbox.replies()) == 1

    listed = run_cli(config, "replies", "list", "--state", "sent", env=env)
    assert listed.returncode == 0 and target.story_id in listed.stdout and "'hi there'" in listed.stdout


def test_commands_that_could_not_finish_their_job_exit_with_1(cli_config, ig_sandbox: Sandbox) -> None:
    config, env = cli_config
    closed = sandbox_stories(ig_sandbox, lambda s: s.can_reply is False)[0]
    skipped = run_cli(config, "reply", closed.owner_username, closed.story_id, "hi", env=env)
    ig_sandbox.set_rate_limit(1, 3600, endpoint="direct_v2/inbox")
    partial_inbox = run_cli(config, "inbox", env=env)

    assert "api_can_reply_false" in skipped.stdout and "rate_limited" in partial_inbox.stderr
    assert (skipped.returncode, partial_inbox.returncode) == (1, 1)


REPLY_TEXT_PLUGIN = '''
from storysync.plugins import hookimpl


@hookimpl
def storysync_reply_text(story):
    return f"plugin says hi to {story.owner_username}"
'''


@pytest.fixture
def live_sandbox(ig_sandbox_factory) -> Sandbox:
    """A sandbox on wall-clock time, so a CLI sync in another process sees its stories as active."""
    from storysync.plugins.sandbox import SystemClock

    return ig_sandbox_factory(clock=SystemClock())


def sync_with_replies(tmp_path: Path, sandbox: Sandbox, *extra: str, plugin: bool = False):
    config = write_config(tmp_path / "sync", sandbox)
    env = cli_env(tmp_path)
    if plugin:
        (tmp_path / "reply_text_plugin.py").write_text(REPLY_TEXT_PLUGIN)
        config.write_text(config.read_text() + '\n[plugins]\nload = ["reply_text_plugin"]\n')
        env["PYTHONPATH"] = str(tmp_path)
    imported = run_cli(config, "session", "import", str(sandbox.write_cookies_file(tmp_path / "c.txt")), env=env)
    assert imported.returncode == 0, imported.stderr
    owner = next(story.owner for story in sandbox_stories(sandbox, plain))
    expected = {s.story_id for s in sandbox_stories(sandbox, lambda s: plain(s) and s.owner_id == owner.id)}
    return run_cli(config, "sync", "profile", owner.username, "--no-media", *extra, env=env), owner, expected


def test_sync_replies_to_the_synced_stories_with_the_given_text(tmp_path: Path, live_sandbox: Sandbox) -> None:
    result, owner, expected = sync_with_replies(tmp_path, live_sandbox, "--reply-text", "Nice!")

    assert result.stdout.count("Replied to") == len(expected), result.stdout + result.stderr
    received = [reply for reply in live_sandbox.replies() if reply.owner_id == owner.id]
    assert {reply.story_id for reply in received} == expected
    assert {reply.text for reply in received} == {"Nice!"}


def test_without_reply_text_a_plugin_chooses_the_text(tmp_path: Path, live_sandbox: Sandbox) -> None:
    result, owner, expected = sync_with_replies(tmp_path, live_sandbox, plugin=True)

    assert result.stdout.count("Replied to") == len(expected), result.stdout + result.stderr
    assert {reply.text for reply in live_sandbox.replies()} == {f"plugin says hi to {owner.username}"}


def test_without_reply_text_or_a_plugin_a_sync_sends_no_reply(tmp_path: Path, live_sandbox: Sandbox) -> None:
    result, _, _ = sync_with_replies(tmp_path, live_sandbox)

    assert "Replied" not in result.stdout and live_sandbox.replies() == []
