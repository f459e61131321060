"""Keeps cookie values, CSRF tokens and session ids out of error messages, snippets and events."""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[redacted]"
# Values this short cannot be secrets (flags such as ``ig_nrcb=1``), and replacing them would
# mangle every digit of a snippet; the named secrets are scrubbed by pattern whatever their length.
MIN_SCRUBBED_VALUE_LENGTH = 4
SECRET_NAME_PATTERN = re.compile(
    r"""(?P<name>sessionid|csrftoken|csrf_token|ds_user_id|x-csrftoken)(?P<sep>["']?\s*[:=]\s*["']?)[^"'\s;&,}]+""",
    re.IGNORECASE,
)


class SecretScrubber:
    """Replaces every known secret value, and any ``sessionid=…``-shaped pair, with a marker."""

    def __init__(self, secret_values: Iterable[str]) -> None:
        self._secrets = sorted(
            {value for value in secret_values if len(value) >= MIN_SCRUBBED_VALUE_LENGTH}, key=len, reverse=True
        )

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return SECRET_NAME_PATTERN.sub(lambda match: f"{match['name']}{match['sep']}{REDACTED}", text)
