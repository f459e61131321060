"""``UiReplySink``: a story reply typed into the story viewer's reply box (SPEC §6 "Reply" step 4).

Written once over any ``BrowserSession``. Finding the box, the Send button and the delivery
notice happens in the page (``reply_box.js``, ``reply_send_button.js``, ``reply_delivery.js``),
which tags what it found with a data attribute so the session's own click and type methods
reach it by CSS selector.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from storysync.core.errors import BrowserError
from storysync.core.models import ReplyOutcome, ReplyRequest
from storysync.core.ports import BrowserSession
from storysync.core.reasons import Reason

from .scripting import load_script

BOX_ATTRIBUTE = "data-storysync-reply-box"
SEND_ATTRIBUTE = "data-storysync-reply-send"
#: Why the page could not take a reply, as ``reply_box.js`` reports it.
PAGE_REASONS = {
    "replies_not_allowed": Reason.REPLIES_NOT_ALLOWED,
    "page_unavailable": Reason.STORY_PAGE_UNAVAILABLE,
    "gate_not_cleared": Reason.STORY_VIEW_GATE_NOT_CLEARED,
    "no_box": Reason.REPLY_BOX_NOT_FOUND,
}


class UiReplySink:
    """The ``ReplySink`` port through the story page of a logged-in browser.

    The page sends the reply with a ``client_context`` of its own, so Instagram cannot tell a
    resend from a new reply: ``send`` is therefore called only by the reply service, after the
    API sink failed for a transport reason. ``find_sent`` always answers ``None``: the viewer
    page cannot read the direct thread back; the API sink's ``find_sent`` recognises a reply
    sent from this page by its story and text.
    """

    name = "ui"

    def __init__(
        self,
        session: BrowserSession,
        *,
        base_url: str,
        cookies: Sequence[Mapping[str, Any]] = (),
        page_wait: float = 8.0,
        delivery_wait: float = 8.0,
    ) -> None:
        """``page_wait`` and ``delivery_wait`` (seconds) must stay below the session's script timeout."""
        self._session = session
        self._base = base_url.rstrip("/")
        self._cookies = list(cookies)
        self._cookies_given = False
        self._page_wait_ms = int(page_wait * 1000)
        self._delivery_wait_ms = int(delivery_wait * 1000)

    def send(self, request: ReplyRequest) -> ReplyOutcome:
        self._open_story(request)
        page = self._session.evaluate(load_script("story_page.js", "reply_box.js"), BOX_ATTRIBUTE, self._page_wait_ms)
        if page["state"] != "ready":
            return self._failed(PAGE_REASONS.get(page["state"], Reason.REPLY_BOX_NOT_FOUND))
        box = f"[{BOX_ATTRIBUTE}]"
        if not self._session.type_text(box, request.text):
            return self._failed(Reason.REPLY_BOX_NOT_FOUND)
        try:
            self._press_send(box)
        except BrowserError:
            # The click may have gone through before the browser failed: delivery is unknown.
            return ReplyOutcome(state="unknown", method=self.name, reason=Reason.REPLY_UNAVAILABLE.value)
        return self._delivery()

    def find_sent(self, request: ReplyRequest) -> ReplyOutcome | None:
        """Always ``None``: the story page shows no thread to look in (see the class docstring)."""
        return None

    def _open_story(self, request: ReplyRequest) -> None:
        if not self._cookies_given:
            if self._cookies:
                self._session.set_cookies(self._cookies, self._base + "/")
            self._cookies_given = True
        # Both parts are validated digits and a normalised username; quoting keeps the path a path.
        self._session.navigate(
            f"{self._base}/stories/{quote(request.owner_username, safe='')}/{quote(request.story_id, safe='')}/"
        )

    def _press_send(self, box: str) -> None:
        has_button = self._session.evaluate(load_script("reply_send_button.js"), BOX_ATTRIBUTE, SEND_ATTRIBUTE)
        if not (has_button and self._session.click(f"[{SEND_ATTRIBUTE}]")):
            self._session.press("Enter")

    def _delivery(self) -> ReplyOutcome:
        try:
            notice = self._session.evaluate(load_script("reply_delivery.js"), self._delivery_wait_ms)
        except BrowserError:
            return ReplyOutcome(state="sent_unconfirmed", method=self.name)
        if notice["state"] == "sent":
            return ReplyOutcome(state="sent", method=self.name)
        if notice["state"] == "failed":
            return self._failed(Reason.REPLY_UNAVAILABLE)
        return ReplyOutcome(state="sent_unconfirmed", method=self.name)

    def _failed(self, reason: Reason) -> ReplyOutcome:
        return ReplyOutcome(state="failed", method=self.name, reason=reason.value)
