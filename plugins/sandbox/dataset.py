"""The sandbox's world: a viewer account, the users it may follow, their stories and media.

Everything is derived from ``(seed, index)`` on demand, so a 5000-user data set costs nothing
until asked for and the same seed always gives the same ids, usernames, stories and bytes.
Ids are built so they can be read back (user id -> index, story pk -> owner index and slot),
which is what lets the server answer any request without a global index.

Times are relative to ``anchor`` (the clock's time when the data set was made): stories were
taken in the 24 hours before it and expire 24 hours after they were taken.

Users can also post stories while the sandbox runs (``post_story``). Those are the one part of
the data set that is state rather than derivation: they are kept in memory, numbered in posting
order above every generated id, and otherwise built exactly like generated stories.

The first users are a fixed showcase, so that even a small data set has every case a client
must handle (see ``SHOWCASE``); the rest are drawn at random from the seed.
"""

from __future__ import annotations

import functools
import hashlib
import random
import threading
from dataclasses import dataclass
from importlib import resources
from typing import Literal, cast, get_args
from urllib.parse import quote

from .cdn_urls import CdnRef, CdnUrls
from .imaging import flat_png

DAY = 86_400
STORY_IMAGE_SIZES = ((1080, 1920), (720, 1280), (480, 854))
STORY_VIDEO_SIZES = ((720, 1280), (480, 854))
PROFILE_PIC_SIZE = 150
PROFILE_PIC_HD_SIZE = 320
CDN_URL_LIFETIME = 4 * DAY

_USER_ID_BASE = 20_000_000_000
_USER_ID_STRIDE = 7_919
_STORY_PK_BASE = 3_900_000_000_000_000_000
_SLOTS_PER_USER = 1_000  # story pk = base + seed part + index * 10_000 + slot * 10 + child
# Above every generated pk (their seed part stays under 10**17 and index * 10_000 under 10**11 for
# fewer than ten million users), so posted stories sort after generated ones, as Instagram's
# time-ordered ids do; same digit count, so they sort after them as strings too.
_POSTED_STORY_PK_BASE = 4_000_000_000_000_000_000
_PALETTE = (
    (58, 110, 165), (214, 93, 14), (46, 139, 87), (186, 85, 211),
    (220, 20, 60), (255, 193, 7), (0, 150, 136), (96, 125, 139),
)
_FIRST_NAMES = (
    "marisol", "dana", "yusuf", "felix", "teo", "ines", "rhea", "bruno", "priya", "hana",
    "zoe", "ellis", "amara", "jonas", "leila", "mateo", "nora", "oskar", "sana", "tobias",
)
_LAST_NAMES = (
    "ferrante", "okafor", "arslan", "nakamura", "marin", "barros", "sol", "castellanos",
    "venkatraman", "kowalczyk", "lindqvist", "holloway", "reyes", "novak", "haddad", "berg",
)
INBOX_THREADS = 45  # several inbox pages at the web client's page size of 20
_MESSAGES = (
    "are you going on saturday?", "haha yes", "send me that recipe pls", "see you there!",
    "that light though", "ok deal", "congrats!!", "where was this?",
)
_LINK_SITES = ("example.com", "example.org", "shop.example.net", "blog.example.com")

MediaType = Literal["image", "video", "carousel"]
Kind = Literal["image", "video"]


def stable_hash(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:8], "big")


@dataclass(frozen=True, slots=True)
class User:
    index: int  # -1 for the viewer
    id: str
    username: str
    full_name: str
    followed: bool
    is_verified: bool
    profile_pic_url: str

    @property
    def short_name(self) -> str:
        return self.full_name.split(" ")[0]


@dataclass(frozen=True, slots=True)
class Rendition:
    width: int
    height: int
    url: str


@dataclass(frozen=True, slots=True)
class Visual:
    """One picture or clip: a story's own media, or one carousel child."""

    pk: str
    kind: Kind
    images: tuple[Rendition, ...]  # largest first; for a video, its cover
    videos: tuple[Rendition, ...]  # largest first; empty for images

    @property
    def best(self) -> Rendition:
        return self.videos[0] if self.videos else self.images[0]


@dataclass(frozen=True, slots=True)
class ResharedPost:
    post_pk: str
    owner_id: str

    @property
    def compound(self) -> str:
        return f"{self.post_pk}_{self.owner_id}"


@dataclass(frozen=True, slots=True)
class Story:
    """A story as a correct client should see it (the fields SPEC §3 decodes)."""

    story_id: str
    owner: User
    media_type: MediaType
    taken_at: int
    expiring_at: int
    can_reply: bool | None  # None: the key is absent from the payload
    can_reshare: bool | None
    visual: Visual  # the story's own media (for a carousel, its first child)
    children: tuple[Visual, ...]  # carousel children, else empty
    reshared_post: ResharedPost | None
    mentions: tuple[User, ...]
    link_targets: tuple[str, ...]
    sponsors: tuple[User, ...]
    omits_expiring_at: bool  # the payload leaves expiring_at out (it is taken_at + 24 h)

    @property
    def owner_id(self) -> str:
        return self.owner.id

    @property
    def owner_username(self) -> str:
        return self.owner.username

    @property
    def media_id(self) -> str:
        return f"{self.story_id}_{self.owner.id}"

    @property
    def permalink(self) -> str:
        return f"https://www.instagram.com/stories/{self.owner.username}/{self.story_id}/"

    @property
    def image_url(self) -> str:
        return self.visual.images[0].url

    @property
    def video_url(self) -> str | None:
        return self.visual.videos[0].url if self.visual.videos else None

    @property
    def media_url(self) -> str:
        return self.visual.best.url

    @property
    def width(self) -> int:
        return self.visual.best.width

    @property
    def height(self) -> int:
        return self.visual.best.height

    @property
    def media_urls(self) -> tuple[str, ...]:
        """Every CDN URL this story's payload advertises."""
        visuals = (self.visual, *self.children)
        return tuple(dict.fromkeys(r.url for v in visuals for r in (*v.images, *v.videos)))

    @property
    def is_paid_partnership(self) -> bool:
        return bool(self.sponsors)

    @property
    def sponsor_usernames(self) -> tuple[str, ...]:
        return tuple(u.username for u in self.sponsors)

    @property
    def mention_usernames(self) -> tuple[str, ...]:
        return tuple(u.username for u in self.mentions)

    @property
    def link_urls(self) -> tuple[str, ...]:
        """The sticker URLs as sent: wrapped in Instagram's ``l.instagram.com/?u=`` shim."""
        return tuple(
            f"https://l.instagram.com/?u={quote(t, safe='')}&e=AT{stable_hash(t) % 10**12}" for t in self.link_targets
        )

    def is_expired(self, now: float) -> bool:
        return self.expiring_at <= now


@dataclass(frozen=True, slots=True)
class TrayReel:
    """One tray entry: a followed user with active stories (ids oldest first)."""

    user: User
    story_ids: tuple[str, ...]
    latest_reel_media: int
    has_video: bool


@dataclass(frozen=True, slots=True)
class ThreadSeed:
    """A direct thread the viewer already has when the sandbox starts."""

    thread_id: str
    thread_v2_id: str
    user_ids: tuple[str, ...]
    last_activity_at: int  # microseconds, as Instagram sends it
    last_text: str
    last_sender_id: str


@dataclass(frozen=True, slots=True)
class MediaFile:
    content: bytes
    content_type: str
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True, slots=True)
class _StoryPlan:
    """How one story of a user is drawn, before ids and URLs are attached."""

    media_type: MediaType
    age: int  # seconds before the anchor
    can_reply: bool | None = True
    child_kinds: tuple[Kind, ...] = ()
    reshare_owner: int | None = None  # user index; the owner's own index for a self-reshare
    mentions: tuple[int, ...] = ()
    links: int = 0
    sponsors: tuple[int, ...] = ()
    omits_expiring_at: bool = False


def _showcase_plans() -> dict[int, tuple[bool, tuple[_StoryPlan, ...]]]:
    """The fixed users at the head of every data set: index -> (followed, stories)."""

    def age(index: int, steps_older: int = 0) -> int:
        # The showcase is newest, so it heads the tray in index order.
        return 300 + index * 600 + steps_older * 600

    return {
        0: (True, (_StoryPlan("image", age(0, 2)), _StoryPlan("image", age(0, 1)), _StoryPlan("image", age(0)))),
        1: (True, (_StoryPlan("video", age(1, 1)), _StoryPlan("image", age(1)))),
        2: (True, (_StoryPlan("carousel", age(2, 1), child_kinds=("image", "video", "image")),
                   _StoryPlan("image", age(2)))),
        3: (True, (_StoryPlan("image", age(3, 1), reshare_owner=0), _StoryPlan("image", age(3), reshare_owner=3))),
        4: (True, (_StoryPlan("image", age(4, 1), mentions=(1,)), _StoryPlan("image", age(4), mentions=(4,)))),
        5: (True, (_StoryPlan("image", age(5), links=1),)),
        6: (True, (_StoryPlan("image", age(6), sponsors=(2,)),)),
        7: (True, (_StoryPlan("image", age(7, 1), can_reply=False), _StoryPlan("video", age(7), can_reply=False))),
        8: (True, (_StoryPlan("image", age(8), can_reply=None, omits_expiring_at=True),)),
        9: (True, (_StoryPlan("image", DAY + 1800), _StoryPlan("image", age(9)))),
        10: (True, ()),
        11: (False, (_StoryPlan("image", age(11, 1)), _StoryPlan("image", age(11)))),
    }


_SHOWCASE_PLANS = _showcase_plans()

SHOWCASE = {
    0: "three image stories, replies allowed",
    1: "a video story then an image",
    2: "a carousel (image, video, image) then an image",
    3: "a reshare of user 0's post (external), then a reshare of its own post",
    4: "a mention of user 1, then a self-mention",
    5: "a link sticker",
    6: "a paid partnership with user 2 as sponsor",
    7: "two stories with can_reply false (image, video)",
    8: "can_reply and can_reshare absent; expiring_at absent",
    9: "one expired story (still in the reel payload) and one active",
    10: "followed, no stories",
    11: "not followed, two stories",
}


class Dataset:
    def __init__(self, *, seed: int, users: int, anchor: int, cdn_origin: str) -> None:
        if users < 1:
            raise ValueError("the data set needs at least one user")
        self.seed = seed
        self.user_count = users
        self.anchor = int(anchor)
        self.cdn = CdnUrls(cdn_origin, f"storysync-sandbox:{seed}".encode())
        self._url_expiry = self.anchor + CDN_URL_LIFETIME
        self._user_id_offset = stable_hash(seed, "user-ids") % 10**9
        self._story_pk_offset = (stable_hash(seed, "story-pks") % 10**6) * 10**11
        # Built on first use; concurrent first uses build equal values, so no lock is needed.
        self._users: dict[int, User] = {}
        self._generated_stories: dict[int, tuple[Story, ...]] = {}
        self._story_plans: dict[int, tuple[_StoryPlan, ...]] = {}
        # Posted stories are real state, shared by the server's threads: guarded by the lock.
        self._posted_lock = threading.Lock()
        self._posts_made = 0  # survives forget_posted_stories, so no posted id is ever reused
        self._posted_by_id: dict[str, Story] = {}
        self._posted_by_owner: dict[int, tuple[Story, ...]] = {}
        self.viewer = User(
            index=-1,
            id=str(60_000_000_000 + stable_hash(seed, "viewer") % 10**9),
            username="sandbox.viewer",
            full_name="Sandbox Viewer",
            followed=False,
            is_verified=False,
            profile_pic_url="",
        )
        self.viewer = self._with_profile_pic(self.viewer)

    # -- users ---------------------------------------------------------------------------

    def _with_profile_pic(self, user: User) -> User:
        url = self.cdn.build("profile_pic", user.id, PROFILE_PIC_SIZE, PROFILE_PIC_SIZE, None, self._url_expiry)
        return User(user.index, user.id, user.username, user.full_name, user.followed, user.is_verified, url)

    def user_at(self, index: int) -> User:
        if not 0 <= index < self.user_count:
            raise IndexError(index)
        cached = self._users.get(index)
        if cached is None:
            cached = self._users[index] = self._make_user(index)
        return cached

    def _make_user(self, index: int) -> User:
        rng = random.Random(f"{self.seed}:user:{index}")
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        showcase = _SHOWCASE_PLANS.get(index)
        followed = showcase[0] if showcase else rng.random() < 0.9
        user = User(
            index=index,
            id=str(_USER_ID_BASE + self._user_id_offset + index * _USER_ID_STRIDE),
            username=f"{first}.{last}.{index}",
            full_name=f"{first.title()} {last.title()}",
            followed=followed,
            is_verified=rng.random() < 0.05,
            profile_pic_url="",
        )
        return self._with_profile_pic(user)

    def profile_pic_hd_url(self, user: User) -> str:
        return self.cdn.build("profile_pic", user.id, PROFILE_PIC_HD_SIZE, PROFILE_PIC_HD_SIZE, None,
                              self._url_expiry)

    @property
    def users(self) -> list[User]:
        return [self.user_at(i) for i in range(self.user_count)]

    def user(self, username: str) -> User | None:
        if username == self.viewer.username:
            return self.viewer
        index_text = username.rpartition(".")[2]
        if not index_text.isdigit() or not 0 <= int(index_text) < self.user_count:
            return None
        user = self.user_at(int(index_text))
        return user if user.username == username else None

    def user_by_id(self, user_id: str | int) -> User | None:
        text = str(user_id)
        if text == self.viewer.id:
            return self.viewer
        if not text.isdigit():
            return None
        index, remainder = divmod(int(text) - _USER_ID_BASE - self._user_id_offset, _USER_ID_STRIDE)
        if remainder or not 0 <= index < self.user_count:
            return None
        return self.user_at(index)

    # -- stories ---------------------------------------------------------------------------

    def _plans(self, index: int) -> tuple[_StoryPlan, ...]:
        cached = self._story_plans.get(index)
        if cached is None:
            cached = self._story_plans[index] = self._draw_plans(index)
        return cached

    def _draw_plans(self, index: int) -> tuple[_StoryPlan, ...]:
        showcase = _SHOWCASE_PLANS.get(index)
        if showcase is not None:
            return showcase[1]
        rng = random.Random(f"{self.seed}:stories:{index}")
        count = rng.choices((0, 1, 2, 3, 4, 5), weights=(30, 25, 18, 12, 8, 7))[0]
        age = rng.randint(2 * 3600, 20 * 3600)
        plans: list[_StoryPlan] = []
        for _ in range(count):
            roll = rng.random()
            media_type: MediaType = "video" if roll < 0.15 else "carousel" if roll < 0.22 else "image"
            other = rng.randrange(self.user_count)
            plans.append(
                _StoryPlan(
                    media_type,
                    age,
                    can_reply=rng.choices((True, False, None), weights=(75, 12, 13))[0],
                    child_kinds=tuple(rng.choice(("image", "image", "video")) for _ in range(rng.randint(2, 3)))
                    if media_type == "carousel" else (),
                    reshare_owner=other if rng.random() < 0.1 else None,
                    mentions=(other,) if rng.random() < 0.1 else (),
                    links=1 if rng.random() < 0.08 else 0,
                    sponsors=(other,) if rng.random() < 0.05 else (),
                    omits_expiring_at=rng.random() < 0.1,
                )
            )
            age = min(age + rng.randint(600, 3600), DAY - 600)
        if count and rng.random() < 0.1:
            plans.append(_StoryPlan("image", DAY + rng.randint(600, 7200)))
        return tuple(sorted(plans, key=lambda p: -p.age))  # oldest first, as Instagram sends them

    def _pk(self, index: int, slot: int, child: int = 0) -> str:
        return str(_STORY_PK_BASE + self._story_pk_offset + index * _SLOTS_PER_USER * 10 + slot * 10 + child)

    def _locate_pk(self, pk: str) -> tuple[int, int, int] | None:
        """(owner index, story slot, child number) of a story or carousel child pk."""
        if not pk.isdigit():
            return None
        rest = int(pk) - _STORY_PK_BASE - self._story_pk_offset
        if rest < 0:
            return None
        index, remainder = divmod(rest, _SLOTS_PER_USER * 10)
        slot, child = divmod(remainder, 10)
        return (index, slot, child) if index < self.user_count else None

    def _make_visual(self, pk: str, story_id: str, kind: Kind, url_expiry: int) -> Visual:
        images = tuple(Rendition(w, h, self.cdn.build("image", pk, w, h, story_id, url_expiry))
                       for w, h in STORY_IMAGE_SIZES)
        videos = tuple(Rendition(w, h, self.cdn.build("video", pk, w, h, story_id, url_expiry))
                       for w, h in STORY_VIDEO_SIZES)
        return Visual(pk, kind, images, videos if kind == "video" else ())

    def all_stories(self, index: int) -> tuple[Story, ...]:
        """Every story of user ``index`` in its reel payload, expired ones included, oldest first."""
        generated = self._generated(index)
        with self._posted_lock:
            posted = self._posted_by_owner.get(index, ())
        if not posted:
            return generated
        # Stable, so stories taken at the same second keep generated-then-posted order.
        return tuple(sorted((*generated, *posted), key=lambda story: story.taken_at))

    def _generated(self, index: int) -> tuple[Story, ...]:
        cached = self._generated_stories.get(index)
        if cached is None:
            cached = self._generated_stories[index] = self._make_stories(index)
        return cached

    def _make_stories(self, index: int) -> tuple[Story, ...]:
        owner = self.user_at(index)
        stories = []
        for slot, plan in enumerate(self._plans(index)):
            story_id = self._pk(index, slot)
            children = tuple(
                self._make_visual(self._pk(index, slot, n + 1), story_id, kind, self._url_expiry)
                for n, kind in enumerate(plan.child_kinds)
            )
            visual = children[0] if children else self._make_visual(
                story_id, story_id, plan.media_type, self._url_expiry)  # type: ignore[arg-type]
            taken_at = self.anchor - plan.age
            reshare = None
            if plan.reshare_owner is not None:
                post_owner = self.user_at(plan.reshare_owner % self.user_count)
                reshare = ResharedPost(str(3_800_000_000_000_000_000 + stable_hash(self.seed, story_id) % 10**17),
                                       post_owner.id)
            stories.append(
                Story(
                    story_id=story_id,
                    owner=owner,
                    media_type=plan.media_type,
                    taken_at=taken_at,
                    expiring_at=taken_at + DAY,
                    can_reply=plan.can_reply,
                    can_reshare=None if plan.can_reply is None else True,
                    visual=visual,
                    children=children,
                    reshared_post=reshare,
                    mentions=tuple(self.user_at(i % self.user_count) for i in plan.mentions),
                    link_targets=tuple(
                        f"https://{_LINK_SITES[stable_hash(story_id, n) % len(_LINK_SITES)]}/p/{story_id[-6:]}?ref=story"
                        for n in range(plan.links)
                    ),
                    sponsors=tuple(self.user_at(i % self.user_count) for i in plan.sponsors),
                    omits_expiring_at=plan.omits_expiring_at,
                )
            )
        return tuple(stories)

    def stories(self, user_id: str | int, now: float | None = None) -> list[Story]:
        """The active stories of a user at ``now`` (default: the anchor), oldest first."""
        user = self.user_by_id(user_id)
        if user is None or user.index < 0:
            return []
        moment = self.anchor if now is None else now
        return [s for s in self.all_stories(user.index) if not s.is_expired(moment)]

    def story(self, story_id: str | int) -> Story | None:
        """Any story by id (expired or not)."""
        text = str(story_id)
        with self._posted_lock:
            posted = self._posted_by_id.get(text)
        if posted is not None:
            return posted
        located = self._locate_pk(text)
        if located is None or located[2] != 0:
            return None
        return self._generated_story(located[0], located[1])

    def _generated_story(self, index: int, slot: int) -> Story | None:
        stories = self._generated(index)
        return stories[slot] if slot < len(stories) else None

    def post_story(self, user: User, kind: str, taken_at: int) -> Story:
        """A new image or video story of ``user``, taken at ``taken_at``; the next id in posting order."""
        if kind not in get_args(Kind):
            raise ValueError(f"a story is posted as one of {', '.join(get_args(Kind))}, not {kind!r}")
        if user.index < 0:
            raise ValueError("the viewer cannot post: the sandbox only simulates the accounts it watches")
        media_kind = cast(Kind, kind)
        with self._posted_lock:
            story_id = str(_POSTED_STORY_PK_BASE + self._story_pk_offset + self._posts_made)
            self._posts_made += 1
            story = Story(
                story_id=story_id,
                owner=user,
                media_type=media_kind,
                taken_at=taken_at,
                expiring_at=taken_at + DAY,
                can_reply=True,
                can_reshare=True,
                # Counted from the post, not the anchor: its URLs outlive it as a generated story's do.
                visual=self._make_visual(story_id, story_id, media_kind, taken_at + CDN_URL_LIFETIME),
                children=(),
                reshared_post=None,
                mentions=(),
                link_targets=(),
                sponsors=(),
                omits_expiring_at=False,
            )
            self._posted_by_id[story_id] = story
            self._posted_by_owner[user.index] = (*self._posted_by_owner.get(user.index, ()), story)
        return story

    def forget_posted_stories(self) -> None:
        """Back to the generated stories alone; ids already handed out stay used."""
        with self._posted_lock:
            self._posted_by_id.clear()
            self._posted_by_owner.clear()

    def tray(self, now: float | None = None) -> list[TrayReel]:
        """Followed users with active stories, newest reel first: what the story tray lists.

        Built from the story plans (and posted stories) alone, without generating URLs, so it
        stays cheap for thousands of users.
        """
        moment = self.anchor if now is None else now
        with self._posted_lock:
            posted = dict(self._posted_by_owner)
        reels = []
        for index in range(self.user_count):
            user = self.user_at(index)
            if not user.followed:
                continue
            active: list[tuple[int, str, MediaType]] = [  # (taken_at, story id, media type)
                (self.anchor - plan.age, self._pk(index, slot), plan.media_type)
                for slot, plan in enumerate(self._plans(index)) if self.anchor - plan.age + DAY > moment
            ]
            active += [
                (s.taken_at, s.story_id, s.media_type) for s in posted.get(index, ()) if not s.is_expired(moment)
            ]
            if active:
                active.sort(key=lambda entry: entry[0])
                reels.append(
                    TrayReel(
                        user=user,
                        story_ids=tuple(story_id for _, story_id, _ in active),
                        latest_reel_media=active[-1][0],
                        has_video=any(media_type == "video" for _, _, media_type in active),
                    )
                )
        reels.sort(key=lambda reel: (-reel.latest_reel_media, reel.user.index))
        return reels

    def initially_seen(self, user: User) -> bool:
        """Whether the viewer had already watched this user's stories when the sandbox started."""
        return user.index >= len(SHOWCASE) and stable_hash(self.seed, "seen", user.index) % 4 == 0

    # -- direct threads --------------------------------------------------------------------

    def thread_ids(self, key: str) -> tuple[str, str]:
        """A (thread_id, thread_v2_id) pair, stable for a key, shaped like Instagram's."""
        digest = stable_hash(self.seed, "thread", key)
        return f"340282366841710300949128{digest % 10**15:015d}", f"178{digest % 10**14:014d}"

    def initial_threads(self) -> tuple[ThreadSeed, ...]:
        """The viewer's inbox at start, newest first; every seventh thread is a group of three."""
        rng = random.Random(f"{self.seed}:threads")
        count = min(INBOX_THREADS, self.user_count)
        partners = rng.sample(range(self.user_count), count)
        threads = []
        for n, index in enumerate(partners):
            members = [self.user_at(index).id]
            if n % 7 == 6 and self.user_count >= 3:
                members += [self.user_at((index + k) % self.user_count).id for k in (1, 2)]
            thread_id, thread_v2_id = self.thread_ids(f"seed-{n}")
            last_activity = (self.anchor - 120 - n * 3600 - rng.randint(0, 3000)) * 1_000_000
            threads.append(
                ThreadSeed(thread_id, thread_v2_id, tuple(dict.fromkeys(members)), last_activity,
                           rng.choice(_MESSAGES), rng.choice((members[0], self.viewer.id)))
            )
        return tuple(threads)

    # -- media -----------------------------------------------------------------------------

    def media(self, url_or_path: str) -> MediaFile | None:
        """The exact file the CDN serves for a URL (or URL path), or None when it serves none."""
        path = url_or_path.split("?", 1)[0]
        if "://" in path:
            path = "/" + path.split("://", 1)[1].split("/", 1)[1]
        ref = self.cdn.parse(path)
        return None if ref is None else self._media_file(ref)

    def _media_file(self, ref: CdnRef) -> MediaFile | None:
        if ref.kind == "profile_pic":
            user = self.user_by_id(ref.object_id)
            if user is None or ref.width != ref.height or ref.width not in (PROFILE_PIC_SIZE, PROFILE_PIC_HD_SIZE):
                return None
            colour = _PALETTE[stable_hash(user.id) % len(_PALETTE)]
            return MediaFile(flat_png(ref.width, ref.height, colour, f"profile:{user.id}"), "image/png",
                             ref.width, ref.height)
        visual = self._find_visual(ref.object_id)
        if visual is None:
            return None
        size = (ref.width, ref.height)
        label = f"{ref.object_id}:{ref.width}x{ref.height}"
        if ref.kind == "video":
            if size not in {(r.width, r.height) for r in visual.videos}:
                return None
            return MediaFile(_mp4_with_label(ref.width, ref.height, label), "video/mp4", ref.width, ref.height)
        if size not in {(r.width, r.height) for r in visual.images}:
            return None
        colour = _PALETTE[stable_hash(ref.object_id) % len(_PALETTE)]
        return MediaFile(flat_png(ref.width, ref.height, colour, label), "image/png", ref.width, ref.height)

    def _find_visual(self, pk: str) -> Visual | None:
        """The picture or clip a media pk names: a story's own media or one carousel child."""
        with self._posted_lock:
            posted = self._posted_by_id.get(pk)
        if posted is not None:
            return posted.visual
        located = self._locate_pk(pk)
        story = None if located is None else self._generated_story(located[0], located[1])
        if story is None:
            return None
        return next((v for v in (story.visual, *story.children) if v.pk == pk), None)


@functools.lru_cache(maxsize=None)
def _clip(width: int, height: int) -> bytes:
    return resources.files(__package__).joinpath(f"assets/story_{width}x{height}.mp4").read_bytes()


def _mp4_with_label(width: int, height: int, label: str) -> bytes:
    """The stock clip of that size plus a trailing ``free`` box naming the media.

    Players skip ``free`` boxes, so the file stays valid while each video gets its own bytes.
    """
    payload = label.encode("ascii")
    return _clip(width, height) + (8 + len(payload)).to_bytes(4, "big") + b"free" + payload
