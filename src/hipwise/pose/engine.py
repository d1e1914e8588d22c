"""The pose model behind :class:`~hipwise.pose.mediapipe_adapter.MediaPipePoseEstimator`, as a
replaceable part, and a scripted one for tests.

The estimator asks an :data:`EngineFactory` for each model it needs (a video-mode tracker, a
still-image model for probes and person counts, a low-confidence one for bodies partly out of
the picture), described by an :class:`EngineSpec`. By default the factory builds MediaPipe
models; pass ``engine=`` to the estimator (or ``pose_engine=`` to
:func:`hipwise.analysis.video.analyze_video`) to use another one. :class:`FakePoseEngine` is
such a factory for tests, in the spirit of ``httpx.MockTransport``: it answers every model
call from landmark arrays or from a function of the request, and records the calls::

    fake = FakePoseEngine.from_landmarks(lm)          # lm (33, 4) or (T, 33, 4) with fps
    with MediaPipePoseEstimator(PoseConfig(), engine=fake) as est:
        frame = est.estimate(rgb, 0.0)

    def handler(request: PoseRequest) -> list[RawPose]:
        return [] if request.spec.video else [RawPose.from_landmarks(lm)]

    FakePoseEngine(handler)

Coordinates of a :class:`RawPose` are the model's: ``landmarks (33, 4)`` holds x and y as
fractions of the width and height of the image the model was given (after any rotation or
mirroring the estimator applied), z on x's scale, and visibility in [0, 1]; ``world (33, 3)``
is in metres along that image's axes.

Importing this module does not import MediaPipe.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import NDArray

from hipwise.pose.landmarks import NUM_LANDMARKS
from hipwise.pose.sequence import FloatArray

if TYPE_CHECKING:
    from hipwise.pose.mediapipe_adapter import PoseConfig

__all__ = [
    "CHECKOUT_INSTALL_COMMAND",
    "INSTALL_COMMAND",
    "MEDIAPIPE_VERSION",
    "EngineFactory",
    "EngineSpec",
    "FakeCall",
    "FakePoseEngine",
    "MediaPipeMissingError",
    "PoseEngine",
    "PoseRequest",
    "RawPose",
    "require_mediapipe",
]

#: The MediaPipe release hipwise is built and measured on (its wheel carries the pose weights).
MEDIAPIPE_VERSION = "0.10.21"
#: The command that installs it into the running interpreter's environment (``pip install .``
#: leaves it out: its full dependency set would pull jax and a second OpenCV build).
INSTALL_COMMAND = f"{sys.executable} -m pip install --no-deps mediapipe=={MEDIAPIPE_VERSION}"
#: The same from a checkout of hipwise, with everything else the project needs.
CHECKOUT_INSTALL_COMMAND = "bash scripts/install.sh"


class MediaPipeMissingError(RuntimeError):
    """MediaPipe cannot be imported (a plain ``pip install .`` does not install it, see
    ``scripts/install.sh``). ``fix`` is the command that installs it."""

    def __init__(self, detail: str, fix: str = INSTALL_COMMAND) -> None:
        super().__init__(
            f"the pose model needs mediapipe {MEDIAPIPE_VERSION}, which is not installed "
            f"({detail}). Install it with: {fix} (from a checkout of hipwise: "
            f"{CHECKOUT_INSTALL_COMMAND})"
        )
        self.detail = detail
        self.fix = fix


def require_mediapipe() -> None:
    """Raise :class:`MediaPipeMissingError` when ``import mediapipe`` fails."""
    try:
        import mediapipe  # noqa: F401  (optional at install time: scripts/install.sh adds it)
    except ImportError as exc:
        raise MediaPipeMissingError(str(exc) or type(exc).__name__) from exc


@dataclass(frozen=True, eq=False)
class RawPose:
    """One pose as a model returns it: ``landmarks (33, 4)`` x, y in [0, 1] of the image the
    model was given, z on x's scale, visibility; ``world (33, 3)`` in metres."""

    landmarks: FloatArray
    world: FloatArray

    @classmethod
    def from_landmarks(cls, landmarks: FloatArray, world: FloatArray | None = None) -> RawPose:
        """A pose from ``landmarks (33, 4)`` (or ``(33, 3)``: x, y, z with visibility 1)
        and optional ``world (33, 3)`` metres (default zeros)."""
        lm = np.asarray(landmarks, dtype=np.float64)
        if lm.shape == (NUM_LANDMARKS, 3):
            lm = np.concatenate([lm, np.ones((NUM_LANDMARKS, 1))], axis=1)
        if lm.shape != (NUM_LANDMARKS, 4):
            raise ValueError(f"landmarks must be ({NUM_LANDMARKS}, 4), got {lm.shape}")
        w = np.zeros((NUM_LANDMARKS, 3)) if world is None else np.asarray(world, np.float64)
        if w.shape != (NUM_LANDMARKS, 3):
            raise ValueError(f"world must be ({NUM_LANDMARKS}, 3), got {w.shape}")
        return cls(lm, w)


class PoseEngine(Protocol):
    """One pose model: ``detect`` the poses in an RGB image ``(H, W, 3)`` uint8 at ``ts_ms``
    milliseconds (video mode: increasing), then ``close``."""

    def detect(self, rgb: NDArray[np.uint8], ts_ms: int) -> list[RawPose]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class EngineSpec:
    """What the estimator asks of one model: ``video`` (tracks across calls) or still-image
    mode, up to ``num_poses`` people, and the thresholds in ``config``."""

    video: bool
    num_poses: int
    config: PoseConfig


EngineFactory = Callable[[EngineSpec], PoseEngine]
"""Builds one :class:`PoseEngine` per :class:`EngineSpec`."""


@dataclass(frozen=True)
class PoseRequest:
    """One model call, as a :class:`FakePoseEngine` handler sees it."""

    rgb: NDArray[np.uint8]
    ts_ms: int
    spec: EngineSpec

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the image in pixels."""
        return int(self.rgb.shape[1]), int(self.rgb.shape[0])


@dataclass(frozen=True)
class FakeCall:
    """A call a :class:`FakePoseEngine` answered: the model's spec, the timestamp and the
    image's (width, height)."""

    spec: EngineSpec
    ts_ms: int
    size: tuple[int, int]


PoseAnswer = Iterable["RawPose | FloatArray"]
Handler = Callable[[PoseRequest], PoseAnswer]


class FakePoseEngine:
    """A scripted pose model for tests; an :data:`EngineFactory` (pass it as ``engine=``).

    ``handler(request)`` returns the poses found in ``request.rgb``: :class:`RawPose` objects
    or ``(33, 4)`` landmark arrays (world landmarks then zero). Every engine the estimator
    builds from one fake answers through the same handler; ``calls`` records each call
    (``FakeCall``), ``engines`` every spec asked for, ``closed`` how many engines were closed.
    """

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self.calls: list[FakeCall] = []
        self.engines: list[EngineSpec] = []
        self.closed = 0

    @classmethod
    def from_landmarks(
        cls,
        landmarks: FloatArray,
        fps: float | None = None,
        world: FloatArray | None = None,
        size: tuple[int, int] | None = None,
    ) -> FakePoseEngine:
        """A fake that always finds the pose ``landmarks (33, 4)``, or with ``(T, 33, 4)``
        and ``fps`` the pose of frame ``round(t * fps)`` at ``t`` seconds (clamped to the
        last frame; a frame with NaN x or y finds nobody). ``world``: ``(33, 3)`` or
        ``(T, 33, 3)`` metres (default zeros). ``size``: answer only images of this
        (width, height), so the estimator's quarter-turned still-image passes (person
        counts, orientation probes) find nobody instead of a second, turned person.

        The landmarks are given in the picture as the estimator hands it over: play them
        back with ``PoseConfig(mirror="none")``, or with the head at the image's right (where
        ``mirror="head_right"`` leaves the picture as it is), and no fixed rotation."""
        lm = np.asarray(landmarks, dtype=np.float64)
        wd = None if world is None else np.asarray(world, dtype=np.float64)
        if lm.ndim == 2:
            pose = RawPose.from_landmarks(lm, wd)

            def constant(request: PoseRequest) -> list[RawPose]:
                return [pose] if size is None or request.size == size else []

            return cls(constant)
        if lm.ndim != 3 or fps is None or fps <= 0:
            raise ValueError("give landmarks (33, 4), or (T, 33, 4) with fps > 0")

        def at_time(request: PoseRequest) -> list[RawPose]:
            i = min(max(round(request.ts_ms / 1000.0 * fps), 0), len(lm) - 1)
            if (size is not None and request.size != size) or np.isnan(lm[i, :, :2]).any():
                return []
            return [RawPose.from_landmarks(lm[i], None if wd is None else wd[i])]

        return cls(at_time)

    def __call__(self, spec: EngineSpec) -> PoseEngine:
        self.engines.append(spec)
        return _FakeModel(self, spec)

    def answer(self, spec: EngineSpec, rgb: NDArray[np.uint8], ts_ms: int) -> list[RawPose]:
        """Record one call and return the handler's poses."""
        request = PoseRequest(rgb, ts_ms, spec)
        self.calls.append(FakeCall(spec, ts_ms, request.size))
        return [
            p if isinstance(p, RawPose) else RawPose.from_landmarks(p)
            for p in self._handler(request)
        ]


@dataclass
class _FakeModel:
    """One engine handed out by a :class:`FakePoseEngine`."""

    fake: FakePoseEngine
    spec: EngineSpec
    closed: bool = field(default=False)

    def detect(self, rgb: NDArray[np.uint8], ts_ms: int) -> list[RawPose]:
        if self.closed:
            raise RuntimeError("detect() on a closed pose engine")
        return self.fake.answer(self.spec, rgb, ts_ms)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.fake.closed += 1

