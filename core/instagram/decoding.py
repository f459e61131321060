"""Running a typed decoder and turning its failures into storysync errors.

Every decoder of this package goes through :func:`decode_body`, so no msgspec exception (nor a
``RecursionError`` from absurdly nested input) ever leaves the package.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from ..errors import NotJson, PayloadError

SNIPPET_CHARS = 300
_PATH_IN_MESSAGE = re.compile(r" - at `(\$[^`]*)`$")
# Session material that an HTML page or an echoing error body might carry.
_SECRET = re.compile(
    r"""(?i)(["']?(?:csrf_?token|sessionid|ds_user_id|x-csrftoken|fb_dtsg|lsd)["']?\s*[:=]\s*)"""
    r"""(["']?)[^"'&\s,;}]+"""
)


def snippet_of(body: bytes | str) -> str:
    """The first 300 characters of ``body``, with anything that looks like a session secret masked."""
    text = body[: SNIPPET_CHARS * 4].decode("utf-8", "replace") if isinstance(body, bytes) else body
    return _SECRET.sub(r"\1\2<redacted>", text[:SNIPPET_CHARS])


def decode_body(decoder: msgspec.json.Decoder, body: bytes, *, what: str, at: str = "$") -> Any:
    """Decode ``body`` with ``decoder``; ``at`` prefixes error paths when ``body`` is part of a larger one.

    A wrong shape is ``PayloadError`` naming the JSON path; bytes that are not JSON at all
    are ``NotJson``.
    """
    try:
        return decoder.decode(body)
    except msgspec.ValidationError as error:
        message = str(error)
        match = _PATH_IN_MESSAGE.search(message)
        inner = match.group(1) if match else "$"
        detail = message[: match.start()] if match else message
        raise PayloadError(f"{what}: {detail}", path=at + inner[1:], snippet=snippet_of(body)) from None
    except (msgspec.DecodeError, RecursionError) as error:
        raise NotJson(f"{what}: body is not JSON ({error})", snippet=snippet_of(body)) from None


def payload_error(what: str, problem: str, *, path: str) -> PayloadError:
    """A ``PayloadError`` for a value that decoded but cannot be used."""
    return PayloadError(f"{what}: {problem}", path=path)
