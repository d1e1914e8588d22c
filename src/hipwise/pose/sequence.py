"""The one validated landmark type: a pose per frame, checked on creation.

Coordinates:
- ``xy``: image landmarks in pixels of the *displayed* frame (rotation metadata applied),
  shape ``(T, 33, 2)``; x grows to the right, y grows downwards.
- ``depth``: the pose model's relative depth of each image landmark, same scale as ``xy``
  (pixels), smaller = closer to the camera, shape ``(T, 33)``.
- ``world``: metric 3D landmarks in metres, hip-centred, shape ``(T, 33, 3)``.
- ``visibility``: the model's visibility/presence in ``[0, 1]``, shape ``(T, 33)``.
- ``t``: each frame's own timestamp in seconds, strictly increasing, shape ``(T,)``.

Frames without a detected person carry NaN coordinates and zero visibility; ``detected``
says which frames have a person.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hipwise.pose.landmarks import NUM_LANDMARKS

__all__ = ["FloatArray", "PoseFrame", "PoseSequence", "PoseValidationError"]

FloatArray = NDArray[np.float64]


class PoseValidationError(ValueError):
    """Raised when landmark arrays have the wrong shape or impossible values."""


def _as_f64(name: str, value: object, shape: tuple[int, ...]) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != shape:
        raise PoseValidationError(f"{name} must have shape {shape}, got {arr.shape}")
    return arr


@dataclass(frozen=True, eq=False)
class PoseFrame:
    """One frame's pose: ``xy (33,2)`` px, ``depth (33,)`` px, ``world (33,3)`` m,
    ``visibility (33,)``, timestamp ``t`` in seconds; ``detected`` is False when no person."""

    t: float
    xy: FloatArray
    depth: FloatArray
    world: FloatArray
    visibility: FloatArray
    detected: bool = True
    image_size: tuple[int, int] = (640, 480)

    def __post_init__(self) -> None:
        object.__setattr__(self, "xy", _as_f64("xy", self.xy, (NUM_LANDMARKS, 2)))
        object.__setattr__(self, "depth", _as_f64("depth", self.depth, (NUM_LANDMARKS,)))
        object.__setattr__(self, "world", _as_f64("world", self.world, (NUM_LANDMARKS, 3)))
        vis = _as_f64("visibility", self.visibility, (NUM_LANDMARKS,))
        object.__setattr__(self, "visibility", vis)
        if not np.isfinite(self.t):
            raise PoseValidationError("t must be finite")
        if self.detected:
            if not (np.all(np.isfinite(self.xy)) and np.all(np.isfinite(self.world))):
                raise PoseValidationError("a detected frame needs finite xy and world")
            if np.any(vis < 0.0) or np.any(vis > 1.0):
                raise PoseValidationError("visibility must lie in [0, 1]")
        w, h = self.image_size
        if w <= 0 or h <= 0:
            raise PoseValidationError(f"image_size must be positive, got {self.image_size}")

    @classmethod
    def missing(cls, t: float, image_size: tuple[int, int] = (640, 480)) -> PoseFrame:
        """A frame in which no person was found."""
        nan2 = np.full((NUM_LANDMARKS, 2), np.nan)
        return cls(
            t=t,
            xy=nan2,
            depth=np.full(NUM_LANDMARKS, np.nan),
            world=np.full((NUM_LANDMARKS, 3), np.nan),
            visibility=np.zeros(NUM_LANDMARKS),
            detected=False,
            image_size=image_size,
        )


@dataclass(frozen=True, eq=False)
class PoseSequence:
    """Landmarks over time; see the module docstring for units and shapes."""

    t: FloatArray
    xy: FloatArray
    depth: FloatArray
    world: FloatArray
    visibility: FloatArray
    image_size: tuple[int, int]
    detected: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __post_init__(self) -> None:
        t = np.asarray(self.t, dtype=np.float64)
        if t.ndim != 1:
            raise PoseValidationError(f"t must be 1-D, got shape {t.shape}")
        n = t.shape[0]
        if not np.all(np.isfinite(t)):
            raise PoseValidationError("t must be finite")
        if n > 1 and np.any(np.diff(t) <= 0):
            raise PoseValidationError("t must be strictly increasing")
        object.__setattr__(self, "t", t)
        object.__setattr__(self, "xy", _as_f64("xy", self.xy, (n, NUM_LANDMARKS, 2)))
        object.__setattr__(self, "depth", _as_f64("depth", self.depth, (n, NUM_LANDMARKS)))
        object.__setattr__(self, "world", _as_f64("world", self.world, (n, NUM_LANDMARKS, 3)))
        vis = _as_f64("visibility", self.visibility, (n, NUM_LANDMARKS))
        if np.any(vis < 0.0) or np.any(vis > 1.0):
            raise PoseValidationError("visibility must lie in [0, 1]")
        object.__setattr__(self, "visibility", vis)
        det = np.asarray(self.detected, dtype=bool)
        if det.shape == (0,) and n > 0:
            det = np.all(np.isfinite(self.xy.reshape(n, -1)), axis=1)
        if det.shape != (n,):
            raise PoseValidationError(f"detected must have shape ({n},), got {det.shape}")
        if n and not np.all(np.isfinite(self.xy[det])):
            raise PoseValidationError("detected frames need finite xy")
        object.__setattr__(self, "detected", det)
        w, h = self.image_size
        if w <= 0 or h <= 0:
            raise PoseValidationError(f"image_size must be positive, got {self.image_size}")

    def __len__(self) -> int:
        return int(self.t.shape[0])

    def frame(self, i: int) -> PoseFrame:
        """Frame ``i`` as a :class:`PoseFrame`."""
        return PoseFrame(
            t=float(self.t[i]),
            xy=self.xy[i],
            depth=self.depth[i],
            world=self.world[i],
            visibility=self.visibility[i],
            detected=bool(self.detected[i]),
            image_size=self.image_size,
        )

    def frames(self) -> list[PoseFrame]:
        """All frames, in order."""
        return [self.frame(i) for i in range(len(self))]

    @classmethod
    def from_frames(cls, frames: Sequence[PoseFrame]) -> PoseSequence:
        """Stack frames (all with the same ``image_size``) into a sequence."""
        if not frames:
            raise PoseValidationError("a PoseSequence needs at least one frame")
        size = frames[0].image_size
        if any(f.image_size != size for f in frames):
            raise PoseValidationError("all frames must share one image_size")
        return cls(
            t=np.array([f.t for f in frames]),
            xy=np.stack([f.xy for f in frames]),
            depth=np.stack([f.depth for f in frames]),
            world=np.stack([f.world for f in frames]),
            visibility=np.stack([f.visibility for f in frames]),
            image_size=size,
            detected=np.array([f.detected for f in frames], dtype=bool),
        )

    def to_npz_dict(self) -> dict[str, FloatArray | NDArray[np.bool_]]:
        """Arrays for ``numpy.savez`` (see :meth:`from_npz_dict`)."""
        return {
            "t": self.t,
            "xy": self.xy,
            "depth": self.depth,
            "world": self.world,
            "visibility": self.visibility,
            "detected": self.detected,
            "image_size": np.asarray(self.image_size, dtype=np.float64),
        }

    @classmethod
    def from_npz_dict(cls, d: Mapping[str, Any]) -> PoseSequence:
        """Rebuild from :meth:`to_npz_dict` output (or an ``np.load`` result)."""
        size = np.asarray(d["image_size"]).astype(int)
        return cls(
            t=np.asarray(d["t"], dtype=np.float64),
            xy=np.asarray(d["xy"], dtype=np.float64),
            depth=np.asarray(d["depth"], dtype=np.float64),
            world=np.asarray(d["world"], dtype=np.float64),
            visibility=np.asarray(d["visibility"], dtype=np.float64),
            image_size=(int(size[0]), int(size[1])),
            detected=np.asarray(d["detected"], dtype=bool),
        )
