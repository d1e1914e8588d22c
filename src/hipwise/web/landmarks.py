"""Landmark messages from a page that runs the pose model itself (browser pose).

The live page can run BlazePose in the browser (MediaPipe Tasks for Web, the same weights as
the Python side) and send only landmarks over the WebSocket; the server then feeds them to the
same :class:`~hipwise.web.session.LiveSession` as server-side pose, so live and offline cannot
disagree. The page never counts: whatever it claims, the server counts from the landmarks.

Message (page → server, text)::

    {"type": "landmarks", "id": 17, "t": 12345.6, "image": [640, 480],
     "pose": [[x, y, z, visibility] * 33] | null, "world": [[x, y, z] * 33] | null,
     "people": -1, "luma": 118.0}

- ``t``: capture time in ms on the page's clock (strictly increasing on one socket);
- ``image``: the camera frame's width and height (px) the landmarks refer to;
- ``pose``: MediaPipe's normalised landmarks mapped back to the camera frame (x, y in [0, 1]
  of the frame, z on x's scale, visibility 0-1), ``null`` when nobody was found;
- ``world``: MediaPipe's world landmarks (metres, x right and y down as the frame);
- ``people``: people counted in view on this frame (-1: not counted);
- ``luma``: mean brightness 0-255 of the frame (the "too dark" check).

:class:`LandmarkGate` checks each message (shape, finite values in range, time order, rate)
and turns it into a :class:`~hipwise.pose.sequence.PoseFrame`; a bad one raises
:class:`LandmarkError` with a ``code`` the server sends back in an ``error`` message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from hipwise.pose.landmarks import NUM_LANDMARKS
from hipwise.pose.sequence import FloatArray, PoseFrame
from hipwise.settings.live import BrowserPoseConfig

__all__ = [
    "LANDMARK_ERROR_CODES",
    "BrowserPoseConfig",
    "LandmarkError",
    "LandmarkGate",
    "LandmarkMessage",
]

#: ``error`` codes a bad landmark message gets (the session goes on).
LANDMARK_ERROR_CODES = frozenset(
    {"landmarks_shape", "landmarks_value", "landmarks_time", "landmarks_flood"}
)
_KEYS = frozenset({"type", "id", "t", "image", "pose", "world", "people", "luma"})
_REQUIRED = frozenset({"type", "t", "image", "pose"})


class LandmarkError(ValueError):
    """A landmark message the server refuses; ``code`` is one of ``LANDMARK_ERROR_CODES``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class LandmarkMessage:
    """One checked landmark message. ``lm (33, 4)`` normalised x, y, z, visibility or None;
    ``world (33, 3)`` metres or None; ``t_s`` capture time in s on the page's clock."""

    id: float | None
    t_s: float
    image_size: tuple[int, int]
    lm: FloatArray | None
    world: FloatArray | None
    people: int
    luma: float

    def frame(self, t: float) -> PoseFrame:
        """The pose at session time ``t`` (s) in the frame's pixels, as the Python adapter
        makes it (``xy`` = x, y times the size, ``depth`` = z times the width)."""
        w, h = self.image_size
        if self.lm is None:
            return PoseFrame.missing(t, self.image_size)
        world = self.world if self.world is not None else np.zeros((NUM_LANDMARKS, 3))
        return PoseFrame(
            t=t,
            xy=self.lm[:, :2] * np.array([w, h], dtype=np.float64),
            depth=self.lm[:, 2] * w,
            world=world,
            visibility=np.clip(self.lm[:, 3], 0.0, 1.0),
            detected=True,
            image_size=self.image_size,
        )


def _array(name: str, value: Any, cols: int) -> FloatArray:
    """``value`` as a float ``(33, cols)`` array; LandmarkError (shape) unless it is a list of
    33 lists of ``cols`` plain numbers."""
    if not isinstance(value, list) or len(value) != NUM_LANDMARKS:
        raise LandmarkError("landmarks_shape", f"{name} must be a list of {NUM_LANDMARKS} points")
    for p in value:
        if not isinstance(p, list) or len(p) != cols or not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in p
        ):
            raise LandmarkError("landmarks_shape", f"each {name} point must be {cols} numbers")
    return np.asarray(value, dtype=np.float64)


def _number(name: str, value: Any) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise LandmarkError("landmarks_shape", f"{name} must be a number")
    if not math.isfinite(value):
        raise LandmarkError("landmarks_value", f"{name} must be finite")
    return float(value)


class LandmarkGate:
    """Checks the landmark messages of one socket: shape, values, time order and rate.

    One per connection (a reconnecting page starts a new clock, as frames do).
    """

    def __init__(self, config: BrowserPoseConfig | None = None) -> None:
        self.config = config or BrowserPoseConfig()
        self.last_t_ms: float | None = None
        self._tokens = float(self.config.burst)
        self._refill_at: float | None = None
        self.refused = 0

    def admit(self, now: float) -> None:
        """Take one message from the rate budget at monotonic time ``now`` (s); raises
        LandmarkError (flood) when the socket sends faster than ``max_rate_hz`` beyond the
        ``burst``."""
        c = self.config
        if self._refill_at is not None:
            self._tokens = min(float(c.burst),
                               self._tokens + (now - self._refill_at) * c.max_rate_hz)
        self._refill_at = now
        if self._tokens < 1.0:
            self.refused += 1
            raise LandmarkError(
                "landmarks_flood",
                f"more than {c.max_rate_hz:g} landmark messages a second: some were ignored",
            )
        self._tokens -= 1.0

    def check(self, msg: dict[str, Any], now: float) -> LandmarkMessage:
        """The checked message (see the module docstring); raises :class:`LandmarkError`.
        ``now``: monotonic time (s) for the rate limit. A refused message changes nothing
        but the rate budget."""
        self.admit(now)
        try:
            out = self._parse(msg)
        except LandmarkError:
            self.refused += 1
            raise
        self.last_t_ms = out.t_s * 1000.0
        return out

    def _parse(self, msg: dict[str, Any]) -> LandmarkMessage:
        c = self.config
        extra = set(msg) - _KEYS
        if extra:
            raise LandmarkError(
                "landmarks_shape",
                f"unknown field(s) {', '.join(sorted(extra))}: the server counts reps itself",
            )
        missing = _REQUIRED - set(msg)
        if missing:
            raise LandmarkError("landmarks_shape", f"missing field(s) {', '.join(sorted(missing))}")
        fid = msg.get("id")
        if fid is not None:
            fid = _number("id", fid)
        t_ms = _number("t", msg["t"])
        if t_ms < 0:
            raise LandmarkError("landmarks_value", "t (capture time, ms) must not be negative")
        if self.last_t_ms is not None and t_ms <= self.last_t_ms:
            raise LandmarkError(
                "landmarks_time",
                f"capture time {t_ms:.1f} ms is not after the previous one "
                f"({self.last_t_ms:.1f} ms)",
            )
        image = msg["image"]
        if not (isinstance(image, list) and len(image) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in image)):
            raise LandmarkError("landmarks_shape", "image must be [width, height] in pixels")
        w, h = int(image[0]), int(image[1])
        if not (16 <= w <= c.max_image_px and 16 <= h <= c.max_image_px):
            raise LandmarkError("landmarks_value", f"image size {w}x{h} is out of range")
        people = msg.get("people", -1)
        if not isinstance(people, int) or isinstance(people, bool) or not -1 <= people <= 100:
            raise LandmarkError("landmarks_value", "people must be an integer from -1 to 100")
        luma = _number("luma", msg.get("luma", 128.0))
        if not 0.0 <= luma <= 255.0:
            raise LandmarkError("landmarks_value", "luma must be in [0, 255]")
        lm: FloatArray | None = None
        world: FloatArray | None = None
        if msg["pose"] is not None:
            lm = _array("pose", msg["pose"], 4)
            if not np.all(np.isfinite(lm)):
                raise LandmarkError("landmarks_value", "pose values must be finite")
            if np.any(np.abs(lm[:, :2] - 0.5) > c.max_xy - 0.5):
                raise LandmarkError("landmarks_value", "pose x, y are far outside the frame")
            if np.any(np.abs(lm[:, 2]) > c.max_z):
                raise LandmarkError("landmarks_value", "pose z is out of range")
            if np.any((lm[:, 3] < 0.0) | (lm[:, 3] > 1.0)):
                raise LandmarkError("landmarks_value", "visibility must be in [0, 1]")
            if msg.get("world") is None:
                raise LandmarkError("landmarks_shape", "a pose needs its world landmarks")
            world = _array("world", msg["world"], 3)
            if not np.all(np.isfinite(world)) or np.any(np.abs(world) > c.max_world_m):
                raise LandmarkError("landmarks_value", "world landmarks must be finite metres "
                                    f"within {c.max_world_m:g} m")
        elif msg.get("world") is not None:
            raise LandmarkError("landmarks_shape", "world landmarks without a pose")
        return LandmarkMessage(fid, t_ms / 1000.0, (w, h), lm, world, people, luma)
