"""``ApiReplySink``: a story reply through Instagram's direct API (SPEC §1, §3 "Replies", §6 "Reply").

The thread with the story's owner is created once and cached per owner in the store; the reply
is a ``reel_share`` carrying the intent's own ``client_context``, so a resend of the same intent
is one message to Instagram, not two.
"""

from __future__ import annotations

from typing import Protocol

from storysync.core.errors import Transient
from storysync.core.models import BroadcastAck, DirectThread, ReplyOutcome, ReplyRequest, ThreadItem
from storysync.core.reasons import Reason

from .source import INSTAGRAM_BASE_URL

SERVER_ERROR = 500


class DirectApi(Protocol):
    """The direct-message calls of ``ApiStorySource`` this sink needs."""

    def create_thread(self, owner_id: str) -> DirectThread: ...

    def share_reply(
        self, thread_id: str, story_id: str, owner_id: str, text: str, client_context: str, *, referer: str
    ) -> BroadcastAck: ...

    def thread(self, thread_id: str) -> DirectThread: ...


class ThreadCache(Protocol):
    """The store's per-owner reply threads."""

    def cached_thread_id(self, owner_id: str) -> str | None: ...
    def cache_thread_id(self, owner_id: str, thread_id: str) -> None: ...


class ApiReplySink:
    """The ``ReplySink`` port over the web API.

    Instagram's refusals (``FeedbackRequired``, ``CheckpointRequired``, a ``BadRequest`` such as
    "Replies aren't available") and transport failures before the reply went out propagate, so
    the reply service decides whether another sink may try. A ``reel_share`` that got no answer
    at all (connection dropped, timeout), or an answer cut short, may have been delivered: that
    is an ``unknown`` outcome, never an error another sink would act on. A 5xx answer is an
    error: Instagram said the reply failed.
    """

    name = "api"

    def __init__(self, api: DirectApi, *, store: ThreadCache, base_url: str = INSTAGRAM_BASE_URL) -> None:
        self._api = api
        self._store = store
        self._base = base_url.rstrip("/")

    def send(self, request: ReplyRequest) -> ReplyOutcome:
        thread_id = self._thread_id(request)
        try:
            ack = self._api.share_reply(
                thread_id,
                request.story_id,
                request.owner_id,
                request.text,
                request.client_context,
                referer=f"{self._base}/stories/{request.owner_username}/{request.story_id}/",
            )
        except Transient as error:
            if error.status is not None and error.status >= SERVER_ERROR:
                raise  # Instagram answered that it failed: the reply was not taken
            # No answer at all, or an answer cut short: the reply may have been taken.
            return ReplyOutcome(state="unknown", method=self.name, reason=Reason.TRANSIENT_NETWORK_ERROR.value,
                                http_status=error.status, thread_id=thread_id)
        return ReplyOutcome(state="sent", method=self.name, http_status=200, thread_id=ack.thread_id or thread_id,
                            item_id=ack.item_id)

    def find_sent(self, request: ReplyRequest) -> ReplyOutcome | None:
        """Our item in the owner's thread, by ``client_context``, else a ``reel_share`` of this story with this text.

        No thread known for the owner means nothing was sent through it: the thread is cached
        before any ``reel_share``.
        """
        thread_id = request.thread_id or self._store.cached_thread_id(request.owner_id)
        if thread_id is None:
            return None
        thread = self._api.thread(thread_id)
        item = _our_item(thread.items, request)
        if item is None:
            return None
        return ReplyOutcome(state="sent", method=self.name, http_status=200, thread_id=thread.thread_id,
                            item_id=item.item_id)

    def _thread_id(self, request: ReplyRequest) -> str:
        cached = request.thread_id or self._store.cached_thread_id(request.owner_id)
        if cached is not None:
            return cached
        thread_id = self._api.create_thread(request.owner_id).thread_id
        self._store.cache_thread_id(request.owner_id, thread_id)
        return thread_id


def _our_item(items: tuple[ThreadItem, ...], request: ReplyRequest) -> ThreadItem | None:
    by_context = next((item for item in items if item.client_context == request.client_context), None)
    if by_context is not None:
        return by_context
    # A reply sent through the web page carries the page's own client_context; the same text on
    # the same story is that reply. The story check keeps "nice!" on two stories of one owner apart.
    media_id = f"{request.story_id}_{request.owner_id}"
    return next(
        (
            item
            for item in items
            if item.text == request.text and item.media_id in (media_id, request.story_id)
        ),
        None,
    )
