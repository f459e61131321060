"""The plugin against storysync's sandbox, with the fixtures storysync ships for plugin authors."""

from __future__ import annotations

import json

import msgspec

from storysync_jsonl_feed import ARCHIVE_ENV, FEED_ENV


def _username_with_stories(sandbox) -> str:
    return sandbox.dataset.tray()[0].user.username


def test_every_saved_story_is_appended_to_the_feed(storysync_app, ig_sandbox, tmp_path, monkeypatch):
    feed = tmp_path / "feed.jsonl"
    monkeypatch.setenv(FEED_ENV, str(feed))

    report = storysync_app.profile_sync().run([_username_with_stories(ig_sandbox)])

    lines = [json.loads(line) for line in feed.read_text().splitlines()]
    assert len(lines) == report.stories_new > 0
    assert {line["run_id"] for line in lines} == {report.run_id}
    assert all(line["is_new"] for line in lines)
    assert {line["story"]["story_id"] for line in lines} == {s.story_id for s in storysync_app.store.list_stories()}


def test_the_archive_source_replays_an_export_without_asking_instagram(
    storysync_app_factory, ig_sandbox, tmp_path, monkeypatch
):
    username = _username_with_stories(ig_sandbox)
    online = storysync_app_factory(sync={"download_media": False})
    online.profile_sync().run([username])
    archive = tmp_path / "archive"
    archive.mkdir()
    exported = online.store.list_stories()
    (archive / "export.jsonl").write_bytes(b"".join(msgspec.json.encode(story) + b"\n" for story in exported))
    monkeypatch.setenv(ARCHIVE_ENV, str(archive))
    requests_before = len(ig_sandbox.requests())

    offline = storysync_app_factory(sources=["archive", "http"], sync={"download_media": False})
    report = offline.profile_sync().run([username])

    assert report.stories_new == len(exported) > 0
    assert offline.store.list_stories() == exported
    assert len(ig_sandbox.requests()) == requests_before
