"""The sandbox CDN's URL scheme: building media URLs shaped like Instagram's and reading them back.

Shapes (host and port are the sandbox CDN origin)::

    story image     /v/t51.2885-15/<media_pk>_<WWWW><HHHH>_<sig>_n.png?stp=dst-png_e35_p<W>x<H>_tt6&...
    story video     /v/t50.2886-16/<media_pk>_<WWWW><HHHH>_<sig>_n.mp4?...
    profile picture /v/t51.2885-19/<user_id>_01500150_<sig>_n.png?stp=dst-png_s150x150_tt6&...

Every story media URL (images, videos, carousel children) carries
``ig_cache_key=<base64(story id)>.3-ccb7-5``, as Instagram's do, so a client can recover the story
id from a media URL alone. ``oe`` (hex Unix seconds) is when the URL stops working and ``oh`` signs
the path together with ``oe``, so each URL can carry its own expiry and none can be extended;
``<sig>`` ties the file name to the data set so made-up names are refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qs, urlsplit

MediaKind = Literal["image", "video", "profile_pic"]

_PATH_PREFIX: dict[MediaKind, str] = {
    "image": "/v/t51.2885-15/",
    "video": "/v/t50.2886-16/",
    "profile_pic": "/v/t51.2885-19/",
}
_EXTENSION: dict[MediaKind, str] = {"image": "png", "video": "mp4", "profile_pic": "png"}
_FILE_NAME = re.compile(r"^(\d+)_(\d{4})(\d{4})_(\d+)_n\.(png|mp4)$")
_EXPIRY = re.compile(r"[0-9A-F]{1,16}")
CACHE_KEY_SUFFIX = ".3-ccb7-5"
_CACHE_KEY_PARAM = re.compile(r"&ig_cache_key=[^&]*")


@dataclass(frozen=True, slots=True)
class CdnRef:
    """What a CDN URL points at: a media (or user, for profile pictures) id and a rendition size."""

    kind: MediaKind
    object_id: str
    width: int
    height: int


def cache_key(story_id: str) -> str:
    return base64.b64encode(story_id.encode("ascii")).decode("ascii") + CACHE_KEY_SUFFIX


def story_id_from_cache_key(value: str) -> str:
    return base64.b64decode(value.split(".", 1)[0]).decode("ascii")


def without_cache_key(url: str) -> str:
    """``url`` with no ``ig_cache_key``; the CDN still serves it, since ``oh`` signs only the path and ``oe``."""
    return _CACHE_KEY_PARAM.sub("", url)


class CdnUrls:
    def __init__(self, origin: str, secret: bytes) -> None:
        self.origin = origin.rstrip("/")
        self.host = urlsplit(self.origin).hostname or ""
        self._secret = secret

    def _digest(self, text: str) -> bytes:
        return hmac.new(self._secret, text.encode("ascii"), hashlib.sha256).digest()

    def _file_signature(self, kind: MediaKind, object_id: str, width: int, height: int) -> str:
        return str(int.from_bytes(self._digest(f"{kind}:{object_id}:{width}x{height}")[:8], "big"))[:17]

    def _path_signature(self, path: str, expiry_hex: str) -> str:
        token = base64.urlsafe_b64encode(self._digest(path + expiry_hex)).decode("ascii")
        return "00_Af" + token[:38]

    def build(self, kind: MediaKind, object_id: str, width: int, height: int, story_id: str | None,
              expires_at: int) -> str:
        signature = self._file_signature(kind, object_id, width, height)
        path = f"{_PATH_PREFIX[kind]}{object_id}_{width:04d}{height:04d}_{signature}_n.{_EXTENSION[kind]}"
        rendition = f"s{width}x{height}" if kind == "profile_pic" else f"e35_p{width}x{height}"
        query = [
            ("stp", f"dst-{_EXTENSION[kind]}_{rendition}_tt6"),
            ("_nc_ht", self.host),
            ("_nc_cat", str(100 + int(signature[-1]))),
            ("_nc_ohc", signature[:12]),
            ("edm", "ANmP7GQBAAAA"),
            ("ccb", "7-5"),
        ]
        if story_id is not None:
            query.append(("ig_cache_key", cache_key(story_id)))
        expiry_hex = format(expires_at, "X")
        query += [("oh", self._path_signature(path, expiry_hex)), ("oe", expiry_hex), ("_nc_sid", signature[-6:])]
        # Every value is made of URL-safe characters except the "=" padding of ig_cache_key.
        return self.origin + path + "?" + "&".join(f"{k}={v.replace('=', '%3D')}" for k, v in query)

    def parse(self, path: str) -> CdnRef | None:
        """The reference in a URL path, or None when the path is not one this CDN issued."""
        for kind, prefix in _PATH_PREFIX.items():
            if path.startswith(prefix):
                match = _FILE_NAME.match(path[len(prefix):])
                break
        else:
            return None
        if match is None or match.group(5) != _EXTENSION[kind]:
            return None
        object_id, width, height = match.group(1), int(match.group(2)), int(match.group(3))
        if not hmac.compare_digest(match.group(4), self._file_signature(kind, object_id, width, height)):
            return None
        return CdnRef(kind, object_id, width, height)

    def check_signature(self, path: str, query: str, now: float) -> str | None:
        """Why the URL's ``oh``/``oe`` are not acceptable at ``now``, or None when they are."""
        params = parse_qs(query)
        expiry_hex = params.get("oe", [""])[0]
        signed = _EXPIRY.fullmatch(expiry_hex) is not None and hmac.compare_digest(
            params.get("oh", [""])[0], self._path_signature(path, expiry_hex)
        )
        if not signed:
            return "URL signature mismatch"
        if now >= int(expiry_hex, 16):
            return "URL signature expired"
        return None
