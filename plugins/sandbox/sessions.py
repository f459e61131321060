"""Login sessions: the cookies the sandbox issues and the check that a request carries one.

Values look like Instagram's (``sessionid`` = ``<user id>%3A<random>%3A<n>%3A<random>``) and are
random, so a client cannot forge a session and tests must use what the sandbox issued.
"""

from __future__ import annotations

import secrets
import string
import threading
from dataclasses import dataclass

from .dataset import User

COOKIE_MAX_AGE = 365 * 86_400
_ALPHABET = string.ascii_letters + string.digits


def _token(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


@dataclass(frozen=True, slots=True)
class SessionCookies:
    sessionid: str
    csrftoken: str
    ds_user_id: str
    mid: str

    def as_dict(self) -> dict[str, str]:
        return {"sessionid": self.sessionid, "csrftoken": self.csrftoken, "ds_user_id": self.ds_user_id,
                "mid": self.mid}

    def set_cookie_headers(self) -> list[tuple[str, str]]:
        """Set-Cookie headers; host-only (no Domain), so the site's host keeps them to itself."""
        tail = f"Path=/; Max-Age={COOKIE_MAX_AGE}; SameSite=Lax"
        return [
            ("Set-Cookie", f"csrftoken={self.csrftoken}; {tail}"),
            ("Set-Cookie", f"mid={self.mid}; {tail}"),
            ("Set-Cookie", f"ds_user_id={self.ds_user_id}; {tail}"),
            ("Set-Cookie", f"sessionid={self.sessionid}; HttpOnly; {tail}"),
        ]


class Sessions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users: dict[str, User] = {}

    def issue(self, user: User) -> SessionCookies:
        cookies = SessionCookies(
            sessionid=f"{user.id}%3A{_token(14)}%3A{secrets.randbelow(28) + 1}%3A{_token(43)}",
            csrftoken=_token(32),
            ds_user_id=user.id,
            mid=_token(28),
        )
        with self._lock:
            self._users[cookies.sessionid] = user
        return cookies

    def user(self, sessionid: str | None) -> User | None:
        if not sessionid:
            return None
        with self._lock:
            return self._users.get(sessionid)
