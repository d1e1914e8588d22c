"""Helpers that write small test videos with PyAV (no rendering)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

MakeVideo = Callable[..., Path]


def pattern(i: int, width: int, height: int) -> NDArray[np.uint8]:
    """A frame with a white block in the top-left corner and a moving grey level."""
    a = np.full((height, width, 3), (i * 7) % 200, dtype=np.uint8)
    a[: height // 4, : width // 4] = 255
    return a


def write_video(
    path: Path,
    n: int = 30,
    size: tuple[int, int] = (64, 48),
    pts_ms: Sequence[int] | None = None,
    rotation_ccw: int = 0,
    faststart: bool = True,
    codec: str = "libx264",
    container_format: str | None = None,
) -> Path:
    """Write ``n`` frames with PyAV; timestamps ``pts_ms`` in milliseconds (default 30 fps)."""
    import av

    opts = {"movflags": "+faststart"} if faststart and path.suffix == ".mp4" else {}
    c = av.open(str(path), "w", format=container_format, options=opts)
    s: Any = c.add_stream(codec, rate=30)  # a video stream (PyAV types it as any kind)
    s.width, s.height = size
    s.pix_fmt = "yuv420p"
    s.codec_context.time_base = Fraction(1, 1000)
    if rotation_ccw:
        s.set_display_rotation(rotation_ccw)
    for i in range(n):
        f = av.VideoFrame.from_ndarray(pattern(i, *size), format="rgb24")
        f.pts = pts_ms[i] if pts_ms is not None else round(i * 1000 / 30)
        f.time_base = Fraction(1, 1000)
        for p in s.encode(f):
            c.mux(p)
    for p in s.encode():
        c.mux(p)
    c.close()
    return path


@pytest.fixture
def make_video(tmp_path: Path) -> MakeVideo:
    """Factory: ``make_video(name, **write_video_kwargs) -> Path`` inside tmp_path."""

    def make(name: str = "clip.mp4", **kwargs: object) -> Path:
        return write_video(tmp_path / name, **kwargs)  # type: ignore[arg-type]

    return make
