"""External attribution of a story item (SPEC §3): does it show or credit another account?

Each signal yields the other accounts it points at (an account is "other" when its id differs
from the reel owner's id or, when it has no id, its username differs from the owner's); a signal
fires when it yields anything. Signals run in the order of ``EXTERNAL_ATTRIBUTION_REASONS``; the
first that fires is the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from ..models import Attribution
from ..reasons import Reason
from .shapes import RawStoryItem, RawUser
from .values import as_id, first_id, normalize_username

MAX_TARGETS = 12

# Keys of ``media_attributions_data`` that name an account. ``pk``/``id`` are ids of *media*
# objects as often as of users (the origin mistook them), so they count only inside a dict
# that also carries a username, i.e. a user object.
_ID_KEYS = ("user_id", "owner_id", "mentioned_user_id")
_USER_OBJECT_ID_KEYS = ("pk", "pk_id", "id")
_USERNAME_KEYS = ("username", "owner_username", "mentioned_username")


class Account(NamedTuple):
    user_id: str | None
    username: str | None


class Owner(NamedTuple):
    """Who the reel belongs to, as far as the caller knows."""

    user_id: str
    usernames: frozenset[str]
    requested_username: str | None

    @classmethod
    def of(cls, user_id: str, username: str | None, requested_username: str | None = None) -> Owner:
        """The owner ``user_id``, known by the reel's ``username`` and the one the caller asked for."""
        names = frozenset(n for n in map(normalize_username, (username, requested_username)) if n)
        return cls(user_id=user_id, usernames=names, requested_username=requested_username)

    def is_other(self, account: Account) -> bool:
        if account.user_id is not None:
            return account.user_id != self.user_id
        return account.username is not None and account.username not in self.usernames


def account_of(user: RawUser | None) -> Account | None:
    if user is None:
        return None
    account = Account(first_id(user.pk, user.pk_id, user.id, user.strong_id__), normalize_username(user.username))
    return account if account.user_id or account.username else None


def _owner_id_mismatch(item: RawStoryItem, owner: Owner) -> Iterator[Account]:
    account = account_of(item.user)
    if account is not None and account.user_id is not None and owner.is_other(account):
        yield account


def _story_feed_media(item: RawStoryItem, owner: Owner) -> Iterator[Account]:
    for entry in item.story_feed_media or ():
        embedded = account_of(entry.user) or account_of(entry.media.user if entry.media else None)
        compound_owner = None
        if entry.media_compound_str and "_" in entry.media_compound_str:
            compound_owner = as_id(entry.media_compound_str.split("_", 1)[1])
        account = Account(compound_owner or (embedded.user_id if embedded else None), embedded.username if embedded else None)
        if owner.is_other(account):
            yield account


def _media_attributions(item: RawStoryItem, owner: Owner) -> Iterator[Account]:
    # Iterative walk: the data is free-form and may be nested deeper than Python's recursion limit.
    stack: list[Any] = [item.media_attributions_data]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, dict):
            username = next((u for key in _USERNAME_KEYS if (u := normalize_username(node.get(key)))), None)
            id_keys = _ID_KEYS + (_USER_OBJECT_ID_KEYS if "username" in node else ())
            account = Account(first_id(*(node.get(key) for key in id_keys)), username)
            if owner.is_other(account):
                yield account
            stack.extend(reversed([value for value in node.values() if isinstance(value, (list, dict))]))


def _reshared_story_author(item: RawStoryItem, owner: Owner) -> Iterator[Account]:
    account = account_of(item.reshared_story_media_author)
    if account is not None and owner.is_other(account):
        yield account


def _reel_mentions(item: RawStoryItem, owner: Owner) -> Iterator[Account]:
    for mention in item.reel_mentions or ():
        account = account_of(mention.user)
        if account is not None and owner.is_other(account):
            yield account
    for sticker in item.story_bloks_stickers or ():
        data = sticker.bloks_sticker.sticker_data if sticker.bloks_sticker else None
        mention = data.ig_mention if data else None
        if mention is not None:
            account = Account(as_id(mention.account_id), normalize_username(mention.username))
            if owner.is_other(account):
                yield account


def _reshare_of_text_post(item: RawStoryItem, owner: Owner) -> Iterator[Account]:
    if item.is_reshare_of_text_post_app_media_in_ig is True:
        yield Account(None, None)  # fires without naming an account


def _owner_username_mismatch(item: RawStoryItem, owner: Owner) -> Iterator[Account]:
    username = normalize_username(item.user.username) if item.user else None
    requested = normalize_username(owner.requested_username)
    if username is not None and requested is not None and username != requested:
        yield Account(None, username)


_SIGNALS = (
    (Reason.OWNER_ID_MISMATCH, _owner_id_mismatch),
    (Reason.STORY_FEED_MEDIA_EXTERNAL, _story_feed_media),
    (Reason.MEDIA_ATTRIBUTIONS_EXTERNAL, _media_attributions),
    (Reason.RESHARED_STORY_AUTHOR_EXTERNAL, _reshared_story_author),
    (Reason.REEL_MENTIONS_EXTERNAL, _reel_mentions),
    (Reason.RESHARE_OF_TEXT_POST, _reshare_of_text_post),
    (Reason.OWNER_USERNAME_MISMATCH, _owner_username_mismatch),
)


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))[:MAX_TARGETS]


def external_attribution(item: RawStoryItem, owner: Owner) -> Attribution:
    """Evaluate every signal of SPEC §3 on ``item``; ``owner`` is the reel's owner."""
    reasons: list[Reason] = []
    accounts: list[Account] = []
    for reason, signal in _SIGNALS:
        found = list(signal(item, owner))
        if found:
            reasons.append(reason)
            accounts.extend(found)
    if not reasons:
        return Attribution()
    return Attribution(
        flag=True,
        reason=reasons[0],
        reasons=tuple(reasons),
        targets=_unique(a.user_id for a in accounts),
        target_usernames=_unique(a.username for a in accounts),
    )
