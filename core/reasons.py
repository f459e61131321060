"""The user-visible reason codes of skips and failures (SPEC §8).

Extend only with care: these strings appear in events, the store, run summaries and scripts
that users write against ``--json`` output.
"""

from enum import StrEnum


class Reason(StrEnum):
    API_STORY_MEDIA_UNAVAILABLE = "api_story_media_unavailable"
    STORY_CONTEXT_MISSING = "story_context_missing"
    STORY_CONTEXT_MISSING_AFTER_VIEW_GATE = "story_context_missing_after_view_gate"
    STORY_VIEW_GATE_NOT_CLEARED = "story_view_gate_not_cleared"
    STORY_PAGE_UNAVAILABLE = "story_page_unavailable"
    STORY_ID_UNRESOLVED = "story_id_unresolved"
    NEXT_NAVIGATION_FAILED = "next_navigation_failed"
    API_CAN_REPLY_FALSE = "api_can_reply_false"
    API_CAN_REPLY_MISSING = "api_can_reply_missing"
    DUPLICATE_STORY_ALREADY_REPLIED = "duplicate_story_already_replied"
    REPLIES_NOT_ALLOWED = "replies_not_allowed"
    REPLY_BOX_NOT_FOUND = "reply_box_not_found"
    REPLY_UNAVAILABLE = "reply_unavailable"
    BLANK_COMMENT_TEXT = "blank_comment_text"
    MISSING_STORY_ID = "missing_story_id"
    MISSING_THREAD_ID = "missing_thread_id"
    OWNER_ID_MISMATCH = "owner_id_mismatch"
    STORY_FEED_MEDIA_EXTERNAL = "story_feed_media_external"
    MEDIA_ATTRIBUTIONS_EXTERNAL = "media_attributions_external"
    RESHARED_STORY_AUTHOR_EXTERNAL = "reshared_story_author_external"
    REEL_MENTIONS_EXTERNAL = "reel_mentions_external"
    RESHARE_OF_TEXT_POST = "reshare_of_text_post"
    OWNER_USERNAME_MISMATCH = "owner_username_mismatch"
    LOCAL_RATE_LIMIT_PAUSE = "local_rate_limit_pause"
    RATE_LIMITED = "rate_limited"
    LOGIN_REQUIRED = "login_required"
    CHECKPOINT_REQUIRED = "checkpoint_required"
    FEEDBACK_REQUIRED = "feedback_required"
    USERAGENT_MISMATCH = "useragent_mismatch"
    NOT_JSON = "not_json"
    NOT_FOUND = "not_found"
    TRANSIENT_NETWORK_ERROR = "transient_network_error"
    MEDIA_HOST_NOT_ALLOWED = "media_host_not_allowed"
    MEDIA_TOO_LARGE = "media_too_large"
    MEDIA_TYPE_MISMATCH = "media_type_mismatch"
    MEDIA_DOWNLOAD_FAILED = "media_download_failed"
    TRAY_UNCHANGED = "tray_unchanged"
    TRAY_ABSENT = "tray_absent"


EXTERNAL_ATTRIBUTION_REASONS: tuple[Reason, ...] = (
    Reason.OWNER_ID_MISMATCH,
    Reason.STORY_FEED_MEDIA_EXTERNAL,
    Reason.MEDIA_ATTRIBUTIONS_EXTERNAL,
    Reason.RESHARED_STORY_AUTHOR_EXTERNAL,
    Reason.REEL_MENTIONS_EXTERNAL,
    Reason.RESHARE_OF_TEXT_POST,
    Reason.OWNER_USERNAME_MISMATCH,
)
"""The external-attribution signals in the order SPEC §3 evaluates them."""
