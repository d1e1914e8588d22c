"""Write H.264 video (libx264, yuv420p, ``+faststart``) with explicit per-frame timestamps.

The file plays in browsers (H.264 + yuv420p + the index at the front of the file). Timestamps
are kept at millisecond resolution, so variable-frame-rate output is exact to 1 ms.

Example::

    with VideoWriter("out.mp4", fps=30, size=(640, 480)) as w:
        for t, rgb in frames:
            w.write(rgb, t)  # rgb: (480, 640, 3) uint8, t: seconds
"""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import av
import numpy as np
from numpy.typing import NDArray

__all__ = ["VideoWriter"]

logger = logging.getLogger(__name__)

_TIME_BASE = Fraction(1, 1000)  # timestamps in milliseconds


class VideoWriter:
    """An H.264 MP4 writer (a context manager).

    Args:
        path: output file (``.mp4``); parent folders are created.
        fps: nominal frame rate in frames/s (used for frames written without ``t`` and as the
            stream's declared rate).
        size: ``(width, height)`` in pixels; both must be even (yuv420p).
        bitrate: target bit rate in bits/s; ``None`` uses constant quality ``crf`` instead.
        crf: x264 constant rate factor when ``bitrate`` is ``None`` (18-28 sensible; lower is
            better quality).
        preset: x264 speed preset (``veryfast`` keeps encoding cheap on 2 cores).
        rotation_deg: clockwise display rotation to store in the container (0, 90, 180, 270);
            players and :func:`hipwise.video.open_video` rotate the frames by it.
    """

    def __init__(
        self,
        path: str | Path,
        fps: float,
        size: tuple[int, int],
        bitrate: int | None = None,
        *,
        crf: int = 23,
        preset: str = "veryfast",
        rotation_deg: int = 0,
    ) -> None:
        width, height = size
        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise ValueError(f"size must be positive and even (yuv420p), got {size}")
        if fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        if rotation_deg % 90:
            raise ValueError(f"rotation_deg must be a multiple of 90, got {rotation_deg}")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.size = (int(width), int(height))
        self.fps = float(fps)
        self.frames_written = 0
        self._last_pts: int | None = None
        self._container: Any = av.open(
            str(self.path), mode="w", format="mp4", options={"movflags": "+faststart"}
        )
        try:
            rate = Fraction(self.fps).limit_denominator(1001)
            stream: Any = self._container.add_stream("libx264", rate=rate)
            stream.width, stream.height = self.size
            stream.pix_fmt = "yuv420p"
            stream.codec_context.time_base = _TIME_BASE
            opts = {"preset": preset}
            if bitrate is None:
                opts["crf"] = str(int(crf))
            else:
                stream.bit_rate = int(bitrate)
            stream.options = opts
            if rotation_deg % 360:
                stream.set_display_rotation(-(rotation_deg % 360))
        except BaseException:
            self._container.close()
            raise
        self._stream = stream

    def write(self, rgb: NDArray[np.uint8], t: float | None = None) -> None:
        """Append one frame: ``rgb`` ``(height, width, 3)`` uint8, shown at ``t`` seconds
        (default: frame count / fps). Timestamps must increase by at least 1 ms."""
        if self._container is None:
            raise RuntimeError("the writer is closed")
        w, h = self.size
        if rgb.shape != (h, w, 3) or rgb.dtype != np.uint8:
            raise ValueError(
                f"frame must be uint8 of shape {(h, w, 3)}, got {rgb.dtype} {rgb.shape}"
            )
        if t is None:
            t = self.frames_written / self.fps
        pts = round(t / _TIME_BASE)
        if self._last_pts is not None and pts <= self._last_pts:
            raise ValueError(
                f"timestamps must increase by at least 1 ms: {t:.4f} s after "
                f"{float(self._last_pts * _TIME_BASE):.4f} s"
            )
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        frame.pts = pts
        frame.time_base = _TIME_BASE
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self._last_pts = pts
        self.frames_written += 1

    def close(self) -> None:
        """Flush the encoder and finish the file (idempotent)."""
        if self._container is None:
            return
        try:
            if self.frames_written:
                for packet in self._stream.encode():
                    self._container.mux(packet)
            else:
                logger.warning("%s: closed without any frame; the file holds no video", self.path)
        finally:
            self._container.close()
            self._container = None

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
