"""The binary frame message of the live page: a 16-byte header (little-endian float64 frame
id, float64 capture time in ms on the page's clock) followed by a JPEG.

The JPEG's size is read from its header before anything is decoded, so a small file that claims
a huge image is refused cheaply.
"""

from __future__ import annotations

import struct

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["FRAME_HEADER", "FrameError", "decode_frame", "jpeg_size"]

#: The header in front of every frame's JPEG: frame id, capture time (ms), both float64.
FRAME_HEADER = struct.Struct("<dd")


class FrameError(ValueError):
    """A binary message that is not a header plus a decodable JPEG."""


_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7,
                          0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


def jpeg_size(data: bytes | memoryview, offset: int = 0) -> tuple[int, int]:
    """(width, height) in pixels from the frame header (SOF) of the JPEG in
    ``data[offset:]``, read without decoding. Raises :class:`FrameError` when the bytes are
    not a JPEG or end before its frame header."""
    buf = memoryview(data)[offset:]
    n = len(buf)
    if n < 4 or buf[0] != 0xFF or buf[1] != 0xD8:
        raise FrameError("frame is not a JPEG image")
    i = 2
    while i + 4 <= n:
        if buf[i] != 0xFF:
            raise FrameError("damaged JPEG header")
        marker = buf[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:  # markers without a length
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image / start of scan before any frame header
            break
        length = (buf[i + 2] << 8) | buf[i + 3]
        if length < 2:
            raise FrameError("damaged JPEG header")
        if marker in _SOF_MARKERS:
            if i + 9 > n:
                break
            height = (buf[i + 5] << 8) | buf[i + 6]
            width = (buf[i + 7] << 8) | buf[i + 8]
            return width, height
        i += 2 + length
    raise FrameError("JPEG without a frame header")


def decode_frame(
    data: bytes, max_side: int | None = None
) -> tuple[float, float, NDArray[np.uint8]]:
    """(frame id, capture time in s on the page's clock, ``rgb (H, W, 3)`` uint8) of one
    binary frame message. The JPEG's size is read from its header first: a width or height
    of 0 or above ``max_side`` px (when given) is refused before anything is decoded (a
    2 MB JPEG can claim 12000x12000 px, 430 MB of pixels)."""
    if len(data) <= FRAME_HEADER.size:
        raise FrameError("frame message too short")
    frame_id, t_ms = FRAME_HEADER.unpack_from(data)
    width, height = jpeg_size(data, FRAME_HEADER.size)
    if width == 0 or height == 0:
        raise FrameError("JPEG without a size in its header")
    if max_side is not None and max(width, height) > max_side:
        raise FrameError(f"frame of {width}x{height} px is larger than {max_side} px")
    buf = np.frombuffer(data, dtype=np.uint8, offset=FRAME_HEADER.size)
    bgr = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    if bgr is None:
        raise FrameError("frame is not a decodable image")
    if bgr.shape[1] != width or bgr.shape[0] != height:
        raise FrameError("JPEG size differs from its header")
    rgb = np.ascontiguousarray(bgr[..., ::-1])
    return float(frame_id), float(t_ms) / 1000.0, rgb
