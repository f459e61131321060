"""``ApiStorySource`` over ``HttpxTransport``, replayed from cassettes recorded against the sandbox.

Every answer is checked against the sandbox's data set (rebuilt offline from the same seed), so
a cassette that decodes into the wrong stories fails here, not in production.
"""

from __future__ import annotations

import pytest
import stamina

from storysync.core.errors import (
    CheckpointRequired,
    LoginRequired,
    NotFound,
    NotJson,
    RateLimited,
    Transient,
    UserAgentMismatch,
)
from storysync.plugins.sandbox.payloads import Payloads
from storysync.plugins.sandbox.pytest_plugin import FIXTURE_EPOCH

from cassette_support import BASE_URL, FAKE_COOKIES

pytestmark = [pytest.mark.vcr, pytest.mark.block_network]

# Showcase users of the data set (docs/sandbox.md) and the reels shape the sandbox sends for them.
VIDEO_THEN_IMAGE = 1  # answered as {"reels": {...}}
CAROUSEL_THEN_IMAGE = 2  # answered as {"reels_media": [...]}
THREE_IMAGES = 0  # answered with both keys
RESHARES, MENTIONS, NO_REPLY_FLAGS, NO_STORIES = 3, 4, 8, 10
INBOX_THREADS = 45


def expected_reel(dataset, index: int):
    """The stories the sandbox puts in a user's reel now: active ones plus those expired within a day."""
    return Payloads(dataset).reel_stories(dataset.user_at(index), FIXTURE_EPOCH)


def test_profile_gives_the_user_id(source, dataset):
    user = dataset.user_at(THREE_IMAGES)

    profile = source.profile(user.username)

    assert (profile.user_id, profile.username, profile.followed_by_viewer) == (user.id, user.username, True)


@pytest.mark.parametrize(
    ("index", "shape"),
    [(VIDEO_THEN_IMAGE, "reels"), (CAROUSEL_THEN_IMAGE, "reels_media"), (THREE_IMAGES, "both")],
    ids=["reels-object", "reels_media-list", "both-keys"],
)
def test_one_owners_reel_decodes_in_every_shape(source, dataset, index, shape):
    user = dataset.user_at(index)
    assert Payloads(dataset).reels_shape([user.id]) == shape, "the data set no longer sends this shape"

    reels = source.reels([user.id])

    assert list(reels) == [user.id]
    items = reels[user.id].items
    expected = expected_reel(dataset, index)
    assert [i.story_id for i in items] == [s.story_id for s in expected]
    assert [i.media_type for i in items] == [s.media_type for s in expected]
    # The best rendition (largest video, else largest image), not the first candidate.
    assert [i.media_url for i in items] == [s.media_url for s in expected]
    assert [(i.taken_at, i.expiring_at) for i in items] == [(s.taken_at, s.expiring_at) for s in expected]


def test_a_batch_decodes_every_owner_and_leaves_out_owners_without_stories(source, dataset):
    indexes = (RESHARES, MENTIONS, NO_REPLY_FLAGS, NO_STORIES)
    ids = [dataset.user_at(i).id for i in indexes]
    assert Payloads(dataset).reels_shape(ids) == "reels_media", "the data set no longer sends this shape"

    reels = source.reels(ids)

    assert set(reels) == set(ids[:3])
    for index in indexes[:3]:
        user = dataset.user_at(index)
        assert reels[user.id].owner_username == user.username
        assert [i.story_id for i in reels[user.id].items] == [s.story_id for s in expected_reel(dataset, index)]
    reshare, self_reshare = reels[dataset.user_at(RESHARES).id].items
    assert (reshare.attribution.reason, self_reshare.attribution.flag) == ("story_feed_media_external", False)
    mention, self_mention = reels[dataset.user_at(MENTIONS).id].items
    assert (mention.attribution.reason, self_mention.attribution.flag) == ("reel_mentions_external", False)
    (unknown_flags,) = reels[dataset.user_at(NO_REPLY_FLAGS).id].items
    assert (unknown_flags.can_reply, unknown_flags.can_reshare) == (None, None)
    assert unknown_flags.expiring_at == unknown_flags.taken_at + 86_400


def test_tray_lists_followed_owners_with_stories_newest_first(source, dataset):
    entries = source.tray()

    expected = dataset.tray(FIXTURE_EPOCH)
    assert [(e.user_id, e.username, e.latest_reel_media) for e in entries] == [
        (r.user.id, r.user.username, r.latest_reel_media) for r in expected
    ]


def test_inbox_pages_follow_the_cursor_to_the_oldest_thread(source, dataset):
    pages = [source.inbox(None, 20)]
    while pages[-1].has_older:
        pages.append(source.inbox(pages[-1].next_cursor, 20))

    assert [len(page.threads) for page in pages] == [20, 20, INBOX_THREADS - 40]
    assert all(page.next_cursor for page in pages[:-1]) and pages[-1].next_cursor is None
    assert [t.thread_id for page in pages for t in page.threads] == [t.thread_id for t in dataset.initial_threads()]
    first_thread = dataset.initial_threads()[0]
    assert [u.user_id for u in pages[0].threads[0].users] == list(first_thread.user_ids)


def test_a_5xx_is_retried_and_the_retry_succeeds(cassette_site, source, dataset):
    cassette_site.inject("server_error", "feed/reels_tray", status=503)

    with stamina.set_testing(True, attempts=2):
        entries = source.tray()

    assert len(entries) == len(dataset.tray(FIXTURE_EPOCH))


def test_429_is_rate_limited_with_the_retry_after(cassette_site, source):
    cassette_site.inject("rate_limit", "feed/reels_tray", retry_after=60)

    with pytest.raises(RateLimited) as raised:
        source.tray()

    assert (raised.value.status, raised.value.retry_after, raised.value.long_block) == (429, 60, False)


def test_401_please_wait_is_a_long_rate_limit_block(cassette_site, source, dataset):
    cassette_site.inject("please_wait_401", "feed/reels_media")

    with pytest.raises(RateLimited) as raised:
        source.reels([dataset.user_at(THREE_IMAGES).id])

    assert (raised.value.status, raised.value.long_block) == (401, True)


def test_a_session_the_site_never_issued_is_login_required(make_source):
    with pytest.raises(LoginRequired) as raised:
        make_source(cookies_file=FAKE_COOKIES).tray()

    assert raised.value.status == 403


def test_a_redirect_to_the_login_page_is_login_required(cassette_site, source):
    cassette_site.inject("login_redirect", "feed/reels_tray")

    with pytest.raises(LoginRequired) as raised:
        source.tray()

    assert raised.value.status == 302


def test_the_login_page_served_as_html_is_login_required(cassette_site, source):
    cassette_site.inject("html", "feed/reels_tray")

    with pytest.raises(LoginRequired) as raised:
        source.tray()

    assert raised.value.status == 200


def test_html_that_is_not_the_login_page_is_not_json(make_source):
    # A base URL that points at a page instead of the site root: every "API" answer is that page.
    misconfigured = make_source(base_url=f"{BASE_URL}/stories/nobody.here")

    with pytest.raises(NotJson) as raised:
        misconfigured.tray()

    assert raised.value.status == 200


def test_checkpoint_keeps_the_challenge_url(cassette_site, source):
    cassette_site.inject("checkpoint", "feed/reels_tray")

    with pytest.raises(CheckpointRequired) as raised:
        source.tray()

    assert raised.value.url.startswith(f"{BASE_URL}/challenge/")


def test_useragent_mismatch_is_recognised(cassette_site, source):
    cassette_site.inject("direct_refused", "feed/reels_tray")

    with pytest.raises(UserAgentMismatch):
        source.tray()


@pytest.mark.parametrize("username", ["no.such.user", "ghost.account"], ids=["404-user-not-found", "200-user-null"])
def test_an_unknown_username_is_not_found(source, username):
    with pytest.raises(NotFound):
        source.profile(username)


def test_a_5xx_that_persists_is_transient(cassette_site, source):
    cassette_site.inject("server_error", "feed/reels_tray", status=500)

    with pytest.raises(Transient) as raised:
        source.tray()

    assert raised.value.status == 500
