"""SPEC §3 Reels and Story item rules with minimal hand-written payloads."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storysync.core.errors import LoginRequired, NotJson, PayloadError
from storysync.core.instagram import decode_reels
from storysync.core.models import StoryItem

OWNER = "100"
OWNER_NAME = "owner.name"
CDN = "https://scontent.cdninstagram.com/v/"


def image(url: str = CDN + "a.jpg", width: int = 1080, height: int = 1920) -> dict[str, Any]:
    return {"url": url, "width": width, "height": height}


def item(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "pk": 555,
        "taken_at": 1_000_000,
        "media_type": 1,
        "user": {"pk": int(OWNER), "username": OWNER_NAME},
        "image_versions2": {"candidates": [image()]},
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not ...}


def reel(*items: dict[str, Any], owner: str = OWNER, username: str = OWNER_NAME) -> dict[str, Any]:
    return {"id": int(owner), "user": {"pk": int(owner), "username": username}, "items": list(items)}


def body(**top: Any) -> bytes:
    return json.dumps({"status": "ok", **top}).encode()


def one_story(raw_item: dict[str, Any], *, requested_username: str | None = OWNER_NAME) -> StoryItem:
    names = {OWNER: requested_username} if requested_username else None
    page = decode_reels(body(reels={OWNER: reel(raw_item)}), [OWNER], requested_usernames=names)
    (story,) = page.reels[OWNER].items
    return story


# --- reels shapes and lookup ------------------------------------------------------------------


def test_both_shapes_and_no_double_count() -> None:
    payload = body(reels={OWNER: reel(item())}, reels_media=[reel(item())])
    page = decode_reels(payload, [OWNER])
    assert list(page.reels) == [OWNER]
    assert [s.story_id for s in page.reels[OWNER].items] == ["555"]


def test_reels_present_but_empty_does_not_hide_reels_media() -> None:
    page = decode_reels(body(reels={}, reels_media=[reel(item())]), [OWNER])
    assert [s.story_id for s in page.reels[OWNER].items] == ["555"]


@pytest.mark.parametrize(
    "raw_reel",
    [
        {"user": {"pk": 100}, "items": [item()]},
        {"user": {"pk": "100"}, "items": [item()]},
        {"user": {"id": "100"}, "items": [item()]},
        {"owner": {"pk": 100}, "items": [item()]},
        {"owner": {"id": "100"}, "items": [item()]},
        {"id": 100, "items": [item()]},
        {"pk": "100", "items": [item()]},
    ],
    ids=["user.pk", "user.pk-str", "user.id", "owner.pk", "owner.id", "reel.id", "reel.pk"],
)
@pytest.mark.parametrize("shape", ["reels", "reels_media"])
def test_lookup_by_each_owner_id(raw_reel: dict[str, Any], shape: str) -> None:
    payload = body(reels={"some-other-key": raw_reel}) if shape == "reels" else body(reels_media=[raw_reel])
    page = decode_reels(payload, [OWNER])
    assert [s.story_id for s in page.reels[OWNER].items] == ["555"]


def test_exact_key_wins_and_other_owners_never_leak() -> None:
    other = reel(item(pk=777, user={"pk": 200, "username": "other"}), owner="200", username="other")
    payload = body(reels={"200": other, OWNER: reel(item())}, reels_media=[other])
    page = decode_reels(payload, [OWNER])
    assert list(page.reels) == [OWNER]
    assert [s.story_id for s in page.reels[OWNER].items] == ["555"]
    both = decode_reels(payload, [OWNER, "200", "300"])
    assert sorted(both.reels) == ["100", "200"]  # 300 has no reel: absent, not an error


def test_reel_with_no_items_is_found_but_empty() -> None:
    page = decode_reels(body(reels={OWNER: reel()}), [OWNER])
    assert page.reels[OWNER].items == ()


def test_logged_out_200_is_login_required() -> None:
    with pytest.raises(LoginRequired):
        decode_reels(b'{"status": "ok"}', [OWNER])
    with pytest.raises(PayloadError):
        decode_reels(b'{"status": "fail"}', [OWNER])


def test_null_reels_is_no_reels_not_logout() -> None:
    assert decode_reels(body(reels=None, reels_media=None), [OWNER]).reels == {}


def test_keep_raw_items() -> None:
    payload = body(reels={OWNER: reel(item(), item(pk=556))})
    page = decode_reels(payload, [OWNER], keep_raw=True)
    assert set(page.raw_items) == {"555", "556"}
    assert json.loads(page.raw_items["556"])["pk"] == 556
    assert decode_reels(payload, [OWNER]).raw_items == {}


def test_reel_metadata() -> None:
    raw = reel(item()) | {"latest_reel_media": 1_000_500_000_000, "seen": 0}
    raw["user"]["full_name"] = "Owner Name"
    got = decode_reels(body(reels={OWNER: raw}), [OWNER]).reels[OWNER]
    assert (got.owner_username, got.owner_full_name, got.latest_reel_media, got.seen) == (
        OWNER_NAME, "Owner Name", 1_000_500_000, 0)


# --- story item fields --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"pk": 555}, "555"),
        ({"pk": "555"}, "555"),
        ({"pk": ..., "id": "556_100"}, "556"),
        ({"pk": ..., "id": 557}, "557"),
    ],
)
def test_story_id(fields: dict[str, Any], expected: str) -> None:
    story = one_story(item(**fields))
    assert story.story_id == expected
    assert story.media_id == f"{expected}_{OWNER}"
    assert story.permalink == f"https://www.instagram.com/stories/{OWNER_NAME}/{expected}/"


@pytest.mark.parametrize("fields", [{"pk": "abc"}, {"pk": ..., "id": "x_1"}, {"pk": ...}, {"pk": -5}])
def test_story_id_must_be_digits(fields: dict[str, Any]) -> None:
    with pytest.raises(PayloadError) as caught:
        one_story(item(**fields))
    assert caught.value.path == f"$.reels['{OWNER}'].items[0].pk"


@pytest.mark.parametrize(
    ("user", "expected_id", "expected_name"),
    [
        ({"pk": 100, "username": OWNER_NAME}, "100", OWNER_NAME),
        ({"pk_id": "100"}, "100", OWNER_NAME),
        ({"id": "100", "username": ""}, "100", OWNER_NAME),
        (None, OWNER, OWNER_NAME),
    ],
)
def test_owner_from_item_user_else_reel(user, expected_id, expected_name) -> None:
    story = one_story(item(user=user))
    assert (story.owner_id, story.owner_username) == (expected_id, expected_name)


@pytest.mark.parametrize(("raw", "expected"), [(1, "image"), (2, "video"), (8, "carousel"), (11, 11)])
def test_media_type(raw: int, expected) -> None:
    assert one_story(item(media_type=raw)).media_type == expected


@pytest.mark.parametrize(
    ("fields", "taken_at", "expiring_at"),
    [
        ({"taken_at": 1_000_000, "expiring_at": 1_050_000}, 1_000_000, 1_050_000),
        ({"taken_at": 1_000_000}, 1_000_000, 1_086_400),  # missing expiring_at: +24 h
        ({"taken_at": 1_700_000_000_123, "expiring_at": 1_700_086_400_999}, 1_700_000_000, 1_700_086_400),
        ({"taken_at": ..., "taken_at_timestamp": 1_000_000, "expiring_at_timestamp": 1_000_100}, 1_000_000, 1_000_100),
        ({"taken_at": 1_000_000.7}, 1_000_000, 1_086_400),
    ],
    ids=["seconds", "missing-expiry", "milliseconds", "older-names", "float"],
)
def test_timestamps(fields, taken_at: int, expiring_at: int) -> None:
    story = one_story(item(**fields))
    assert (story.taken_at, story.expiring_at) == (taken_at, expiring_at)
    assert story.is_expired(expiring_at) and not story.is_expired(expiring_at - 1)


def test_missing_taken_at_is_payload_error() -> None:
    with pytest.raises(PayloadError, match="taken_at"):
        one_story(item(taken_at=...))


@pytest.mark.parametrize(
    ("fields", "can_reply", "can_reshare"),
    [
        ({"can_reply": True, "can_reshare": False}, True, False),
        ({"can_reply": False, "can_reshare": True}, False, True),
        ({"can_reply": None, "can_reshare": None}, None, None),
        ({}, None, None),
    ],
)
def test_can_reply_is_tri_state_and_not_inherited(fields, can_reply, can_reshare) -> None:
    raw = reel(item(**fields)) | {"can_reply": True, "can_reshare": True}
    (story,) = decode_reels(body(reels={OWNER: raw}), [OWNER]).reels[OWNER].items
    assert (story.can_reply, story.can_reshare) == (can_reply, can_reshare)


def test_best_candidates_and_cover() -> None:
    story = one_story(
        item(
            media_type=2,
            video_versions=[
                {"url": CDN + "360.mp4", "width": 360, "height": 640, "type": 103},
                {"url": CDN + "1080.mp4", "width": 1080, "height": 1920, "type": 101},
                {"url": CDN + "1080b.mp4", "width": 1080, "height": 1920, "type": 102},
            ],
            image_versions2={
                "candidates": [image(CDN + "small.jpg", 640, 1137), image(CDN + "big.jpg", 1080, 1920)],
                "additional_candidates": {"first_frame": image(CDN + "frame.jpg", 4000, 4000)},
            },
            video_dash_manifest="<MPD><Representation width='4000' height='4000'/></MPD>",
            original_width=1080,
            original_height=1920,
        )
    )
    assert story.video_url == story.media_url == CDN + "1080.mp4"  # tie: the first wins
    assert story.image_url == CDN + "big.jpg"
    assert (story.width, story.height, story.candidates_seen) == (1080, 1920, 3)
    assert (story.original_width, story.original_height) == (1080, 1920)


def test_image_has_no_video_url() -> None:
    story = one_story(item())
    assert story.video_url is None and story.media_url == story.image_url == CDN + "a.jpg"


def test_urls_unescaped_and_only_absolute_http() -> None:
    story = one_story(
        item(
            image_versions2={
                "candidates": [
                    image("javascript:alert(1)", 4000, 4000),
                    image("/relative/huge.jpg", 3000, 3000),
                    image("data:image/png;base64,AAAA", 2000, 2000),
                    image(CDN + "a.jpg?x=1&amp;y=2", 1080, 1920),
                ]
            }
        )
    )
    assert story.image_url == CDN + "a.jpg?x=1&y=2"
    assert one_story(item(image_versions2={"candidates": [image("ftp://x/a.jpg")]})).image_url is None


def test_null_lists_are_empty() -> None:
    story = one_story(
        item(
            image_versions2={"candidates": None},
            video_versions=None,
            sponsor_tags=None,
            reel_mentions=None,
            story_link_stickers=None,
            story_feed_media=None,
            story_bloks_stickers=None,
            carousel_media=None,
        )
    )
    assert story.media_url is None and story.sponsor_usernames == () and not story.attribution.flag


def test_caption() -> None:
    assert one_story(item(caption={"text": "hello"})).caption == "hello"
    assert one_story(item(caption=None)).caption is None


def test_carousel_media_from_first_child_every_child_a_variant() -> None:
    story = one_story(
        item(
            media_type=8,
            image_versions2=None,
            carousel_media=[
                {"pk": 901, "media_type": 1, "image_versions2": {"candidates": [image(CDN + "c1.jpg")]}},
                {
                    "id": "902_100",
                    "media_type": 2,
                    "video_versions": [{"url": CDN + "c2.mp4", "width": 720, "height": 1280}],
                    "image_versions2": {"candidates": [image(CDN + "c2.jpg")]},
                },
            ],
        )
    )
    assert story.media_type == "carousel"
    assert (story.media_url, story.width, story.height) == (CDN + "c1.jpg", 1080, 1920)
    assert [(v.variant_id, v.media_type, v.media_url) for v in story.variants] == [
        ("901", "image", CDN + "c1.jpg"),
        ("902", "video", CDN + "c2.mp4"),
    ]


def test_recorded_signals() -> None:
    story = one_story(
        item(
            is_paid_partnership=True,
            sponsor_tags=[{"sponsor": {"username": "brand.co", "pk": 300}}, {"sponsor": None}],
            story_link_stickers=[
                {"story_link": {"url": "https://l.instagram.com/?u=https%3A%2F%2Fshop.example%2Fa%3Fb%3D1&e=AT0"}},
                {"story_link": {"url": "https://plain.example/x"}},
            ],
            story_app_attribution={"name": "CapCut", "content_url": "https://capcut.example/t"},
        )
    )
    assert story.is_paid_partnership and story.sponsor_usernames == ("brand.co",)
    assert story.link_urls[0].startswith("https://l.instagram.com/")
    assert story.link_targets == ("https://shop.example/a?b=1", "https://plain.example/x")
    assert (story.app_attribution.name, story.app_attribution.content_url) == ("CapCut", "https://capcut.example/t")
    assert not story.attribution.flag  # none of these is external attribution


# --- external attribution -------------------------------------------------------------------------


def other(pk: int = 200, username: str = "other.acct") -> dict[str, Any]:
    return {"pk": pk, "username": username}


SIGNALS: dict[str, dict[str, Any]] = {
    "owner_id_mismatch": {"user": {"pk": 200}},
    "story_feed_media_external": {"story_feed_media": [{"media_compound_str": "999_200", "media_id": "999"}]},
    "media_attributions_external": {"media_attributions_data": [{"a": {"user": {"pk": 200, "username": "other.acct"}}}]},
    "reshared_story_author_external": {"reshared_story_media_author": other()},
    "reel_mentions_external": {"reel_mentions": [{"user": other()}]},
    "reshare_of_text_post": {"is_reshare_of_text_post_app_media_in_ig": True},
    "owner_username_mismatch": {"user": {"pk": 100, "username": "renamed.owner"}},
}


@pytest.mark.parametrize("reason", list(SIGNALS))
def test_each_signal_alone(reason: str) -> None:
    attribution = one_story(item(**SIGNALS[reason])).attribution
    assert attribution.flag and attribution.reason == reason and attribution.reasons == (reason,)
    if reason == "reshare_of_text_post":
        assert attribution.targets == ()
    elif reason == "owner_username_mismatch":
        assert attribution.targets == () and attribution.target_usernames == ("renamed.owner",)
    else:
        assert attribution.targets == ("200",)


def test_signals_in_order_and_targets_unique() -> None:
    fields: dict[str, Any] = {}
    for signal in reversed(list(SIGNALS)):
        fields.update(SIGNALS[signal])
    fields["user"] = other()  # owner id and username mismatch together
    attribution = one_story(item(**fields)).attribution
    assert attribution.reasons == tuple(SIGNALS)
    assert attribution.reason == "owner_id_mismatch"
    assert attribution.targets == ("200",)
    assert attribution.target_usernames == ("other.acct",)


def test_targets_capped_at_12() -> None:
    mentions = [{"user": other(200 + n, f"acct{n}")} for n in range(20)]
    attribution = one_story(item(reel_mentions=mentions)).attribution
    assert attribution.targets == tuple(str(200 + n) for n in range(12))
    assert len(attribution.target_usernames) == 12


@pytest.mark.parametrize(
    "fields",
    [
        {"story_feed_media": [{"media_compound_str": "999_100"}]},  # resharing one's own post
        {"reel_mentions": [{"user": {"pk": 100, "username": OWNER_NAME}}]},  # self-mention
        {"reel_mentions": [{"user": {"username": "@Owner.Name"}}]},  # self-mention by name only
        {"reshared_story_media_author": {"pk": 100}},
        {"media_attributions_data": [{"media": {"pk": 424242, "id": "424242_100"}}]},  # media ids are not users
        {"is_reshare_of_text_post_app_media_in_ig": False},
    ],
)
def test_self_references_are_not_external(fields) -> None:
    assert not one_story(item(**fields)).attribution.flag


def test_feed_media_owner_from_embedded_user() -> None:
    attribution = one_story(item(story_feed_media=[{"media": {"user": other(300, "poster")}}])).attribution
    assert attribution.reason == "story_feed_media_external" and attribution.targets == ("300",)
    assert attribution.target_usernames == ("poster",)


def test_mention_repeated_in_bloks_sticker_is_one_target() -> None:
    attribution = one_story(
        item(
            reel_mentions=[{"user": other()}],
            story_bloks_stickers=[
                {"bloks_sticker": {"sticker_data": {"ig_mention": {"account_id": "200", "username": "other.acct"}}}},
                {"bloks_sticker": {"sticker_data": {"ig_mention": {"account_id": "201", "username": "third"}}}},
            ],
        )
    ).attribution
    assert attribution.reasons == ("reel_mentions_external",)
    assert attribution.targets == ("200", "201")


def test_mention_usernames_include_self_mentions() -> None:
    story = one_story(item(reel_mentions=[{"user": {"pk": 100, "username": OWNER_NAME}}, {"user": other()}]))
    assert story.mention_usernames == (OWNER_NAME, "other.acct")


def test_username_mismatch_needs_a_requested_username() -> None:
    assert not one_story(item(user={"pk": 100, "username": "x.y"}), requested_username=None).attribution.flag


def test_media_attributions_walk_is_deep_and_iterative() -> None:
    nested: Any = {"owner_username": "deep.acct"}
    for _ in range(400):
        nested = [nested]
    attribution = one_story(item(media_attributions_data=nested)).attribution
    assert attribution.reason == "media_attributions_external" and attribution.target_usernames == ("deep.acct",)


# --- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        # msgspec does not name dict keys in paths: "[...]" stands for the owner key
        (body(reels={OWNER: reel(item(taken_at="soon"))}), "$.reels[...].items[0].taken_at"),
        (body(reels={OWNER: {"items": "nope"}}), "$.reels[...].items"),
        (body(reels_media=[{"user": {"pk": True}}]), "$.reels_media[0].user.pk"),
        (body(reels=[1, 2]), "$.reels"),
    ],
)
def test_wrong_types_are_payload_errors_with_path(payload: bytes, path: str) -> None:
    with pytest.raises(PayloadError) as caught:
        decode_reels(payload, [OWNER])
    assert caught.value.path == path


def test_wrong_type_inside_raw_item_has_full_path() -> None:
    with pytest.raises(PayloadError) as caught:
        decode_reels(body(reels_media=[reel(item(), item(media_type="x"))]), [OWNER], keep_raw=True)
    assert caught.value.path == "$.reels_media[0].items[1].media_type"


def test_not_json() -> None:
    with pytest.raises(NotJson):
        decode_reels(b"<html>", [OWNER])
