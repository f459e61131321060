"""Instagram payload decoding: raw JSON bodies to domain models, and responses to error classes.

Pure functions over bytes (no I/O): adapters fetch, these decide what the bytes mean.
"""

from .classify import classify, parse_retry_after
from .direct import decode_broadcast, decode_create_thread, decode_thread
from .inbox import decode_inbox
from .media import Rendition, best_candidate
from .profile import decode_profile
from .stories import ReelsPage, decode_reels
from .tray import decode_tray

__all__ = [
    "ReelsPage",
    "Rendition",
    "best_candidate",
    "classify",
    "decode_broadcast",
    "decode_create_thread",
    "decode_inbox",
    "decode_profile",
    "decode_reels",
    "decode_thread",
    "decode_tray",
    "parse_retry_after",
]
