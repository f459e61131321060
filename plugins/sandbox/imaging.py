"""Real PNG files of any size, written with the standard library only.

A story image is a single flat colour, stored as a 1-bit palette PNG: one bit per pixel keeps a
1080x1920 image at a few kilobytes and makes it cheap to produce on demand. A ``tEXt`` chunk
names the media, so every rendition of every story has its own bytes (and sha256) while the
compressed pixel data is shared between images of the same size and colour.
"""

from __future__ import annotations

import functools
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@functools.lru_cache(maxsize=256)
def _flat_pixels(width: int, height: int) -> bytes:
    """The compressed IDAT payload of a 1-bit image whose pixels all use palette entry 0."""
    row = b"\x00" + bytes((width + 7) // 8)  # filter byte "None", then the packed bits
    return zlib.compress(row * height, 9)


def flat_png(width: int, height: int, rgb: tuple[int, int, int], label: str) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 1, 3, 0, 0, 0)  # 1-bit, palette colour
    return b"".join(
        (
            PNG_SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", bytes(rgb)),
            _chunk(b"tEXt", b"Comment\x00" + label.encode("ascii")),
            _chunk(b"IDAT", _flat_pixels(width, height)),
            _chunk(b"IEND", b""),
        )
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    if not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height
