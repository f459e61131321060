"""One exception tree for everything storysync raises (SPEC §4).

Adapters map their libraries' exceptions onto these classes, so callers never see an httpx,
Selenium or Playwright exception. Messages never contain cookie values, CSRF tokens or session
ids: adapters build them from status, endpoint and a scrubbed body snippet only.
"""

from __future__ import annotations

from .reasons import Reason


class StorySyncError(Exception):
    """Root of every error storysync raises on purpose."""

    reason: Reason | None = None


class ConfigError(StorySyncError):
    """Settings, a config file or a plugin selection is invalid; the message names the key and file."""


class SessionError(StorySyncError):
    """The account's cookies are missing, unreadable, in a wrong format, expired or lack ``sessionid``."""

    reason = Reason.LOGIN_REQUIRED


class InstagramError(StorySyncError):
    """A request to Instagram failed; ``status`` and ``snippet`` describe the response when there was one."""

    reason = Reason.TRANSIENT_NETWORK_ERROR
    #: Whether the next source of a fallback chain may try (SPEC §5 "Fallback policy").
    falls_through = True

    def __init__(self, message: str = "", *, status: int | None = None, snippet: str = "", endpoint: str = "") -> None:
        super().__init__(message or self.__class__.__name__)
        self.status = status
        self.snippet = snippet
        self.endpoint = endpoint

    @property
    def error_class(self) -> str:
        return self.__class__.__name__


class Transient(InstagramError):
    """5xx, connection error, timeout or a body cut short: worth retrying."""

    reason = Reason.TRANSIENT_NETWORK_ERROR


class NotJson(InstagramError):
    """A complete body that is not a JSON object (HTML, garbage, empty)."""

    reason = Reason.NOT_JSON


class UserAgentMismatch(InstagramError):
    """Instagram rejected the request's client signature ("useragent mismatch")."""

    reason = Reason.USERAGENT_MISMATCH


class AccountError(InstagramError):
    """A refusal that concerns the account itself: another source with the same account must not try."""

    falls_through = False


class RateLimited(AccountError):
    """HTTP 429 or "Please wait a few minutes"; ``retry_after`` is in seconds when Instagram said."""

    reason = Reason.RATE_LIMITED

    def __init__(self, message: str = "", *, retry_after: float | None = None, long_block: bool = False, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after
        #: "401 Please wait a few minutes" earns a long cooldown (SPEC §5).
        self.long_block = long_block


class LoginRequired(AccountError):
    """The session is logged out or invalid: the user must import fresh cookies."""

    reason = Reason.LOGIN_REQUIRED


class CheckpointRequired(AccountError):
    """Instagram wants the account holder to pass a challenge at ``url`` in a browser."""

    reason = Reason.CHECKPOINT_REQUIRED

    def __init__(self, message: str = "", *, url: str | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.url = url


class FeedbackRequired(AccountError):
    """An action block (``feedback_required`` / ``spam``): stop writing, e.g. replies."""

    reason = Reason.FEEDBACK_REQUIRED


class NotFound(InstagramError):
    """The user or object does not exist (404, "User not found", ``data.user: null``)."""

    reason = Reason.NOT_FOUND
    falls_through = False


class BadRequest(InstagramError):
    """Instagram refused the request itself (a 4xx JSON answer such as 400 "Too many reels requested",
    or a ``status: fail`` reply) for no reason that concerns the account.

    It does not fall through: another source would send the same request and be refused the
    same way; the caller changes the request instead (e.g. halves a reels batch). SPEC §8 has
    no code for "refused", and its codes are user-visible, so none is invented: like
    ``PayloadError`` (the other "JSON, but not the answer we asked for" class) the reason is
    ``not_json``; callers that know the context set a better one on the instance (a refused
    story reply carries ``reply_unavailable``).
    """

    reason = Reason.NOT_JSON
    falls_through = False


class PayloadError(InstagramError):
    """A JSON body that does not have the shape we need; ``path`` is where it went wrong."""

    reason = Reason.NOT_JSON

    def __init__(self, message: str, *, path: str = "$", **kw) -> None:
        super().__init__(f"{message} (at {path})", **kw)
        self.path = path


class LocalRateLimitPause(StorySyncError):
    """A cooldown recorded in the rate-limit ledger is still active for this account and endpoint."""

    reason = Reason.LOCAL_RATE_LIMIT_PAUSE

    def __init__(self, endpoint_family: str, until: float) -> None:
        super().__init__(f"{endpoint_family}: cooling down until {until:.0f} (unix seconds)")
        self.endpoint_family = endpoint_family
        self.until = until


class MediaError(StorySyncError):
    """A media download was refused or failed; nothing half-written is left behind."""

    reason = Reason.MEDIA_DOWNLOAD_FAILED


class MediaHostNotAllowed(MediaError):
    reason = Reason.MEDIA_HOST_NOT_ALLOWED


class MediaTooLarge(MediaError):
    reason = Reason.MEDIA_TOO_LARGE


class MediaTypeMismatch(MediaError):
    reason = Reason.MEDIA_TYPE_MISMATCH


class BrowserError(StorySyncError):
    """The browser could not be started, or a page action failed outside any story's own reasons."""
