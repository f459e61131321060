"""JSON bodies in the shapes of shared/fixtures/instagram, built from the data set.

The shapes vary the way Instagram's do (SPEC §9), deterministically from the seed so a test sees
the same variant every run:

* ``legacy_ids(user)``: about one user in four is sent app-style: ``pk`` as a string, no
  ``pk_id``/``id`` on the user, string ids on the reel (fixture reels_media_list_only).
* ``reels_shape(reel_ids)``: a reels_media answer carries both ``reels`` (dict) and
  ``reels_media`` (list), or only one of them, chosen from the requested ids.
* ``tray_shape``: the tray is a list, or ``{"items": [...]}``, chosen from the seed.
* Optional item fields are left out where the data set says so (``can_reply``/``can_reshare``,
  ``expiring_at``, stickers).
"""

from __future__ import annotations

import base64
from typing import Any, Literal

from .dataset import DAY, Dataset, Story, TrayReel, User, Visual, stable_hash
from .direct import DirectItem, Thread

ReelsShape = Literal["both", "reels", "reels_media"]
TrayShape = Literal["list", "items"]
TRAY_ENTRIES_WITH_ITEMS = 3  # the web tray prefetches the items of the first few reels only
_MEDIA_TYPE_CODES = {"image": 1, "video": 2, "carousel": 8}
_SHORTCODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


class Payloads:
    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.tray_shape: TrayShape = "items" if dataset.seed % 2 else "list"

    # -- variation -------------------------------------------------------------------------

    def legacy_ids(self, user: User) -> bool:
        return stable_hash(self.dataset.seed, "legacy", user.id) % 4 == 0

    def reels_shape(self, reel_ids: list[str]) -> ReelsShape:
        shapes: tuple[ReelsShape, ...] = ("both", "reels", "reels_media")
        return shapes[stable_hash(self.dataset.seed, "reels-shape", *reel_ids) % 3]

    def _id(self, user: User, value: str) -> int | str:
        return value if self.legacy_ids(user) else int(value)

    # -- users -----------------------------------------------------------------------------

    def user(self, user: User) -> dict[str, Any]:
        if self.legacy_ids(user):
            return {
                "pk": user.id,
                "username": user.username,
                "full_name": user.full_name,
                "is_private": False,
                "is_verified": user.is_verified,
                "profile_pic_url": user.profile_pic_url,
            }
        return {
            "strong_id__": user.id,
            "pk": int(user.id),
            "pk_id": user.id,
            "id": user.id,
            "username": user.username,
            "full_name": user.full_name,
            "is_private": False,
            "is_verified": user.is_verified,
            "profile_pic_id": f"{3_300_000_000_000_000_000 + int(user.id)}_{user.id}",
            "profile_pic_url": user.profile_pic_url,
            "friendship_status": self._friendship(user),
        }

    def _friendship(self, user: User) -> dict[str, bool]:
        return {
            "following": user.followed, "followed_by": False, "blocking": False, "muting": False,
            "is_private": False, "incoming_request": False, "outgoing_request": False, "is_bestie": False,
            "is_restricted": False, "is_feed_favorite": False,
        }

    def direct_user(self, user: User) -> dict[str, Any]:
        return {
            "pk": int(user.id),
            "pk_id": user.id,
            "id": user.id,
            "full_name": user.full_name,
            "username": user.username,
            "short_name": user.short_name,
            "profile_pic_url": user.profile_pic_url,
            "is_verified": user.is_verified,
            "has_anonymous_profile_picture": False,
            "is_private": False,
            "has_ig_profile": True,
            "friendship_status": self._friendship(user),
        }

    def profile(self, user: User) -> dict[str, Any]:
        followers = 50 + stable_hash(user.id, "followers") % 20_000
        return {
            "data": {
                "user": {
                    "biography": f"stories from {user.full_name.split(' ')[0]} \u00b7 sandbox",
                    "bio_links": [],
                    "blocked_by_viewer": False,
                    "edge_followed_by": {"count": followers},
                    "edge_follow": {"count": 100 + followers % 900},
                    "eimu_id": str(100_000_000_000_000 + int(user.id)),
                    "fbid": str(17_841_400_000_000_000 + int(user.id)),
                    "followed_by_viewer": user.followed,
                    "follows_viewer": False,
                    "full_name": user.full_name,
                    "has_clips": True,
                    "highlight_reel_count": stable_hash(user.id, "highlights") % 8,
                    "id": user.id,
                    "is_business_account": False,
                    "is_private": False,
                    "is_verified": user.is_verified,
                    "profile_pic_url": user.profile_pic_url,
                    "profile_pic_url_hd": self.dataset.profile_pic_hd_url(user),
                    "requested_by_viewer": False,
                    "username": user.username,
                    "edge_owner_to_timeline_media": {
                        "count": stable_hash(user.id, "posts") % 500,
                        "page_info": {"has_next_page": False, "end_cursor": None},
                        "edges": [],
                    },
                }
            },
            "status": "ok",
        }

    # -- stories ---------------------------------------------------------------------------

    def _candidates(self, visual: Visual) -> dict[str, Any]:
        return {
            "candidates": [
                {"width": r.width, "height": r.height, "url": r.url, "scans_profile": "e35",
                 "estimated_scans_sizes": [r.width * 7, r.width * 21, r.width * 35]}
                for r in visual.images
            ]
        }

    def _video_versions(self, visual: Visual) -> list[dict[str, Any]]:
        return [
            {"type": 101 + n, "width": r.width, "height": r.height, "url": r.url, "id": f"{visual.pk[-16:]}{n}v",
             "bandwidth": r.width * 1400}
            for n, r in enumerate(visual.videos)
        ]

    def _visual_fields(self, visual: Visual) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "media_type": _MEDIA_TYPE_CODES[visual.kind],
            "original_width": visual.images[0].width,
            "original_height": visual.images[0].height,
            "image_versions2": self._candidates(visual),
        }
        if visual.videos:
            fields.update(video_versions=self._video_versions(visual), video_duration=1.0, has_audio=False,
                          number_of_qualities=len(visual.videos))
        return fields

    def item(self, story: Story) -> dict[str, Any]:
        owner = story.owner
        item: dict[str, Any] = {
            "pk": self._id(owner, story.story_id),
            "id": story.media_id,
            "strong_id__": story.media_id,
            "taken_at": story.taken_at,
            "device_timestamp": story.taken_at * 1_000_000 + int(story.story_id[-6:]),
            "client_cache_key": base64.b64encode(story.story_id.encode()).decode() + ".3",
            "code": _shortcode(story.story_id),
            "caption": None,
            "product_type": "story",
            "is_reel_media": True,
            "user": self.user(owner),
            "is_paid_partnership": story.is_paid_partnership,
            "media_attributions_data": [],
            "is_reshare_of_text_post_app_media_in_ig": False,
        }
        if not story.omits_expiring_at:
            item["expiring_at"] = story.expiring_at
        if story.media_type == "carousel":
            item.update(
                media_type=8,
                carousel_media_count=len(story.children),
                carousel_media=[
                    {"pk": self._id(owner, child.pk), "id": f"{child.pk}_{owner.id}",
                     "carousel_parent_id": story.media_id, **self._visual_fields(child)}
                    for child in story.children
                ],
            )
        else:
            item.update(self._visual_fields(story.visual))
        if story.can_reply is not None:
            item["can_reply"] = story.can_reply
        if story.can_reshare is not None:
            item["can_reshare"] = story.can_reshare
        if story.sponsors:
            item["sponsor_tags"] = [
                {"sponsor": self.user(s), "permission": True, "sponsor_id": s.id} for s in story.sponsors
            ]
        if story.mentions:
            item["reel_mentions"] = [
                {**_sticker_box(), "user": self.user(u), "display_type": "mention_username"} for u in story.mentions
            ]
        if story.link_targets:
            item["story_link_stickers"] = [
                {**_sticker_box(), "story_link": {"link_type": "web", "url": url, "link_title": "",
                                                  "display_url": target.split("://", 1)[1]}}
                for url, target in zip(story.link_urls, story.link_targets)
            ]
        if story.reshared_post is not None:
            post = story.reshared_post
            item["story_feed_media"] = [
                {**_sticker_box(), "media_id": post.post_pk, "media_compound_str": post.compound,
                 "product_type": "feed", "media_code": _shortcode(post.post_pk)}
            ]
        return item

    def reel_stories(self, user: User, now: float) -> list[Story] | None:
        """The items of a user's reel at ``now``: the active stories plus those expired in the last day.

        None when the user has no active story (Instagram then sends no reel for them at all).
        """
        if user.index < 0:
            return None
        stories = [s for s in self.dataset.all_stories(user.index) if s.expiring_at > now - DAY]
        return stories if any(not s.is_expired(now) for s in stories) else None

    def reel(self, user: User, stories: list[Story], seen: int) -> dict[str, Any]:
        latest = max(s.taken_at for s in stories)
        replies = {s.can_reply for s in stories}
        reel: dict[str, Any] = {
            "id": self._id(user, user.id),
            "strong_id__": user.id,
            "latest_reel_media": latest,
            "expiring_at": latest + DAY,
            "seen": seen,
            "can_gif_quick_reply": True,
            "reel_type": "user_reel",
            "prefetch_count": 0,
            "user": self.user(user),
            "media_count": len(stories),
            "media_ids": [s.story_id for s in stories],
            "has_besties_media": False,
            "latest_besties_reel_media": 0,
            "disabled_reply_types": ["story_remix_reply", "story_selfie_reply"],
            "items": [self.item(s) for s in stories],
        }
        if None not in replies:  # a reel whose items leave can_reply out leaves it out too
            reel["can_reply"] = True in replies
            reel["can_reshare"] = True
        return reel

    def reels_media(self, reels: list[dict[str, Any]], shape: ReelsShape) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if shape in ("both", "reels"):
            body["reels"] = {str(reel["strong_id__"]): reel for reel in reels}
        if shape in ("both", "reels_media"):
            body["reels_media"] = reels
        body["status"] = "ok"
        return body

    def tray_entry(self, reel: TrayReel, seen: int, items: list[Story] | None) -> dict[str, Any]:
        """A tray entry; ``items`` only for the first few entries, as the web tray sends them."""
        user = reel.user
        entry: dict[str, Any] = {
            "id": self._id(user, user.id),
            "strong_id__": user.id,
            "latest_reel_media": reel.latest_reel_media,
            "expiring_at": reel.latest_reel_media + DAY,
            "seen": seen,
            "can_reply": True,
            "can_reshare": True,
            "reel_type": "user_reel",
            "user": self.user(user),
            "media_count": len(reel.story_ids),
            "media_ids": list(reel.story_ids),
            "has_video": reel.has_video,
            "has_besties_media": False,
            "latest_besties_reel_media": 0,
        }
        if items is not None:
            entry["items"] = [self.item(s) for s in items]
        return entry

    def tray(self, entries: list[dict[str, Any]], now: float) -> dict[str, Any]:
        for position, entry in enumerate(entries, start=1):
            entry.update(ranked_position=position, seen_ranked_position=position, muted=False,
                         prefetch_count=len(entry.get("items", [])))
        return {
            "tray": entries if self.tray_shape == "list" else {"items": entries},
            "story_ranking_token": f"{stable_hash(self.dataset.seed, 'ranking', int(now)) % 16**32:032x}",
            "broadcasts": [],
            "refresh_window_ms": 1_800_000,
            "response_timestamp": int(now),
            "sticker_version": 13,
            "face_filter_nux_version": 4,
            "has_new_nux_story": False,
            "status": "ok",
        }

    # -- direct ----------------------------------------------------------------------------

    def direct_item(self, item: DirectItem) -> dict[str, Any]:
        body: dict[str, Any] = {
            "item_id": item.item_id,
            "user_id": int(item.user_id),
            "timestamp": item.timestamp,
            "item_type": item.item_type,
            "client_context": item.client_context,
            "show_forward_attribution": False,
            "is_sent_by_viewer": item.user_id == self.dataset.viewer.id,
            "uq_seq_id": item.seq,
            "text": item.text,
        }
        if item.story is not None:
            story = item.story
            body["reel_share"] = {
                "text": item.text,
                "type": "reply",
                "reel_owner_id": int(story.owner_id),
                "is_reel_persisted": True,
                "reel_type": "user_reel",
                "media": {"id": story.media_id, "pk": int(story.story_id), "media_type": _MEDIA_TYPE_CODES[
                    story.media_type], "user": self.user(story.owner)},
            }
        return body

    def thread(self, thread: Thread, items: list[DirectItem]) -> dict[str, Any]:
        users = [u for u in (self.dataset.user_by_id(uid) for uid in thread.user_ids) if u is not None]
        last = thread.items[-1] if thread.items else None
        return {
            "has_older": False,
            "has_newer": False,
            "pending": False,
            "items": [self.direct_item(i) for i in reversed(items)],
            "canonical": True,
            "thread_id": thread.thread_id,
            "thread_v2_id": thread.thread_v2_id,
            "users": [self.direct_user(u) for u in users],
            "viewer_id": int(self.dataset.viewer.id),
            "last_activity_at": thread.last_activity_at,
            "muted": False,
            "admin_user_ids": [],
            "approval_required_for_new_members": False,
            "archived": False,
            "pending_user_ids": [],
            "last_permanent_item": self.direct_item(last) if last else None,
            "named": False,
            "next_cursor": None,
            "newest_cursor": last.item_id if last else None,
            "left_users": [],
            "spam": False,
            "oldest_cursor": None,
            "prev_cursor": "MINCURSOR",
            "last_seen_at": {},
            "inviter": self.direct_user(self.dataset.viewer),
            "is_group": thread.is_group,
            "thread_type": "private",
            "thread_title": ", ".join(u.username for u in users),
            "folder": 0,
            "read_state": 0,
            "is_pin": False,
            "is_spam": False,
        }

    def inbox(self, threads: list[Thread], has_older: bool, oldest_cursor: str, now: float) -> dict[str, Any]:
        newest = threads[0].last_activity_at // 1_000_000 if threads else int(now)
        oldest = threads[-1].last_activity_at // 1_000_000 if threads else int(now)
        return {
            "viewer": self.direct_user(self.dataset.viewer),
            "inbox": {
                "threads": [self.thread(t, t.items[-1:]) for t in threads],
                "has_older": has_older,
                "unseen_count": 0,
                "unseen_count_ts": int(now * 1_000_000),
                "oldest_cursor": oldest_cursor,
                "prev_cursor": {"cursor_timestamp_seconds": newest,
                                "cursor_thread_v2_id": int(threads[0].thread_v2_id) if threads else 0},
                "next_cursor": {"cursor_timestamp_seconds": oldest,
                                "cursor_thread_v2_id": int(threads[-1].thread_v2_id) if threads else 0},
                "blended_inbox_enabled": False,
            },
            "seq_id": 81_234,
            "snapshot_at_ms": int(now * 1000),
            "pending_requests_total": 0,
            "has_pending_top_requests": False,
            "status": "ok",
        }

    def reel_share_ack(self, item: DirectItem, thread: Thread) -> dict[str, Any]:
        metadata = {
            "client_context": item.client_context,
            "item_id": item.item_id,
            "timestamp": str(item.timestamp),
            "thread_id": thread.thread_id,
        }
        return {
            "action": "item_ack",
            "status_code": "200",
            "payload": metadata,
            "message_metadata": [{**metadata, "participant_ids": list(thread.user_ids)}],
            "status": "ok",
        }


def _sticker_box() -> dict[str, Any]:
    return {"x": 0.5, "y": 0.5, "z": 0, "width": 0.6, "height": 0.1, "rotation": 0.0, "is_pinned": 0,
            "is_hidden": 0, "is_sticker": 1, "is_fb_sticker": 0, "start_time_ms": 0.0, "end_time_ms": 0.0}


def _shortcode(pk: str) -> str:
    number, code = int(pk), ""
    while number:
        number, digit = divmod(number, 64)
        code = _SHORTCODE_ALPHABET[digit] + code
    return code[-11:]
