"""A faithful local Instagram (site + CDN) for tests, demos and cassettes; see docs/sandbox.md.

    from storysync.plugins.sandbox import Sandbox
    with Sandbox(users=50, seed=1) as sandbox:
        sandbox.base_url, sandbox.cdn_url, sandbox.cookies, sandbox.dataset
"""

from .clock import Clock, ManualClock, SystemClock
from .dataset import Dataset, MediaFile, Story, TrayReel, User
from .direct import Reply
from .faults import FAULT_KINDS, Fault
from .sandbox import Sandbox
from .state import VARIANTS, RequestRecord

__all__ = [
    "FAULT_KINDS",
    "VARIANTS",
    "Clock",
    "Dataset",
    "Fault",
    "ManualClock",
    "MediaFile",
    "Reply",
    "RequestRecord",
    "Sandbox",
    "Story",
    "SystemClock",
    "TrayReel",
    "User",
]
