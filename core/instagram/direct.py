"""Direct-message bodies: thread creation, thread read-back and ``reel_share`` replies (SPEC §3 Replies)."""

from __future__ import annotations

from ..errors import BadRequest, InstagramError
from ..models import BroadcastAck, DirectThread, ThreadItem
from ..reasons import Reason
from .classify import refusal_in_body
from .decoding import decode_body, payload_error, snippet_of
from .shapes import BROADCAST_DECODER, ERROR_BODY_DECODER, THREAD_DECODER, RawThread, RawThreadItem
from .values import first_id, text_or_none


def _id_text(value: object) -> str | None:
    """Ids and microsecond timestamps as the strings Instagram sent (ints made strings)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    return text_or_none(value)


def _thread_item(item: RawThreadItem) -> ThreadItem | None:
    item_id = _id_text(item.item_id)
    if item_id is None:
        return None
    media = item.reel_share.media if item.reel_share else None
    return ThreadItem(
        item_id=item_id,
        item_type=item.item_type or "",
        client_context=_id_text(item.client_context),
        text=item.text if item.text is not None else (item.reel_share.text if item.reel_share else None),
        timestamp_us=_id_text(item.timestamp),
        media_id=(_id_text(media.id) or _id_text(media.pk)) if media else None,
    )


def _direct_thread(body: bytes, what: str) -> DirectThread:
    """Thread id from top-level ``thread_id``, else ``thread.thread_id``, else ``thread.id``."""
    response = decode_body(THREAD_DECODER, body, what=what)
    nested = response.thread or RawThread()
    thread_id = first_id(response.thread_id, nested.thread_id, nested.id)
    if thread_id is None:
        error = payload_error(what, "missing_thread_id: no thread_id, thread.thread_id or thread.id", path="$.thread_id")
        error.reason = Reason.MISSING_THREAD_ID
        raise error
    # Fields belong to whichever object carried the id: the top level, or ``thread``.
    source = response if first_id(response.thread_id) else nested
    recipients = dict.fromkeys(
        user_id for user in source.users or () if (user_id := first_id(user.pk, user.pk_id, user.id))
    )
    return DirectThread(
        thread_id=thread_id,
        thread_v2_id=first_id(source.thread_v2_id),
        recipient_user_ids=tuple(recipients),
        items=tuple(item for raw in source.items or () if (item := _thread_item(raw)) is not None),
    )


def decode_create_thread(body: bytes) -> DirectThread:
    """The thread ``direct_v2/create_group_thread/`` created or found; ``PayloadError`` (``missing_thread_id``) without one."""
    return _direct_thread(body, "create_group_thread")


def decode_thread(body: bytes) -> DirectThread:
    """A thread read back with ``GET direct_v2/threads/<id>/``, with its items, to confirm a reply."""
    return _direct_thread(body, "direct thread")


def decode_broadcast(body: bytes) -> BroadcastAck:
    """Instagram's answer to a ``reel_share`` reply: ``status: ok`` is an acknowledgement.

    An ok answer is a success even when ids are missing: calling it a failure could make the
    caller send the reply twice. Anything else raises with the SPEC's reason as the message:
    ``message``, else ``payload.message``, else ``error_type``, else ``api_status_<status>``.
    Account-level refusals keep their class (``feedback_required``/``spam`` is
    ``FeedbackRequired``); any other refusal is ``BadRequest`` with reason ``reply_unavailable``.
    """
    response = decode_body(BROADCAST_DECODER, body, what="reel_share")
    payload = response.payload
    if response.status == "ok":
        metadata = (response.message_metadata or [None])[0]
        sources = [s for s in (payload, metadata) if s is not None]

        def first(field: str) -> str | None:
            return next((v for s in sources if (v := _id_text(getattr(s, field))) is not None), None)

        return BroadcastAck(
            thread_id=first("thread_id") or "",
            item_id=first("item_id"),
            client_context=first("client_context"),
            timestamp_us=first("timestamp"),
            action=response.action,
        )
    reason = (
        text_or_none(response.message)
        or (text_or_none(payload.message) if payload else None)
        or text_or_none(response.error_type)
        or f"api_status_{text_or_none(response.status) or 'unknown'}"
    )
    fields = decode_body(ERROR_BODY_DECODER, body, what="reel_share")
    error: InstagramError | None = refusal_in_body(fields, body, status=200, message=reason)
    if error is None:
        error = BadRequest(reason, status=200, snippet=snippet_of(body))
        error.reason = Reason.REPLY_UNAVAILABLE
    raise error

