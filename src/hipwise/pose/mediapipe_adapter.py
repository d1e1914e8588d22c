"""MediaPipe BlazePose (full, ``model_complexity=1``) at the engine's edge, with orientation
normalisation for people lying on their side.

Pose models are trained on upright people; a side-lying body lies across the image. With
``PoseConfig.orientation="auto"`` each frame is rotated by a multiple of 90° (``cv2.rotate``,
exact) so the body axis is vertical with the head up, the model runs on the rotated frame and
the landmarks are mapped back exactly to the original frame. The rotation is decided on the
first detections: the still-image model runs on one frame turned to all four candidates, the
person is the pose found with the best visibility (plus ``lying_weight`` for a horizontal
trunk when several people are seen), and the rotation is the quarter turn that makes that
person's trunk (shoulders to hips) point down, head up. It is decided again after the person
has been lost for ``lost_after_s``. Measured, it does not help on rendered clips (BlazePose
already aligns its crop with the body; see ``PoseConfig.orientation``), so the default is
``"none"``.

Backends (``PoseConfig.backend``):

- ``"tasks"`` (default): MediaPipe Tasks ``PoseLandmarker`` running the wheel's own weights
  through a bundle built offline once (:mod:`hipwise.pose.bundle`). It uses each frame's real
  timestamp (correct smoothing on variable-frame-rate video) and can see several people: every
  ``people_interval_s`` still-image passes (frame upright and turned either way) count the
  people in view; once two are seen, the tracker follows several people and keeps the one
  lying on their side (a warning says so).
- ``"solutions"``: the legacy ``mediapipe.solutions.pose.Pose`` (one person, no count). Used
  automatically when the bundle cannot be built.

Coordinates follow :mod:`hipwise.pose.sequence`: ``xy`` in pixels of the frame given, ``depth``
in pixels (MediaPipe's z times the model input's width), ``world`` in metres (x right, y down,
as the original frame), ``visibility`` in [0, 1].
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from hipwise.pose.bundle import BundleError, ensure_pose_bundle
from hipwise.pose.engine import EngineFactory, EngineSpec, PoseEngine, RawPose, require_mediapipe
from hipwise.pose.landmarks import LM, NUM_LANDMARKS
from hipwise.pose.sequence import FloatArray, PoseFrame, PoseSequence
from hipwise.settings.pose import Orientation, PoseConfig
from hipwise.video.motion import CameraMotionTracker, MotionSample
from hipwise.video.reader import FrameThinner, ReaderConfig

__all__ = [
    "MIRROR_INDEX",
    "MediaPipePoseEstimator",
    "Orientation",
    "PoseConfig",
    "PoseRun",
    "body_axis",
    "head_side",
    "map_points_back",
    "map_vectors_back",
    "measure_pose_fps",
    "mirror_frame",
    "reader_config_for",
    "rotate_image",
    "rotated_size",
    "same_person",
    "uprightness",
]

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""Progress callback: ``(frames_done, frames_expected)``; ``frames_expected`` may be 0."""

_BODY = np.arange(int(LM.LEFT_SHOULDER), NUM_LANDMARKS)  # shoulders to toes
_CANDIDATES = (0, 90, 270, 180)
_COUNT_ROTATIONS = (90, 270)  # besides 0: the one that puts the tracked person head-up


# --------------------------------------------------------------------------------------------
# Pure geometry: rotations by multiples of 90° and their exact inverse
# --------------------------------------------------------------------------------------------


def _mirror_index() -> NDArray[np.intp]:
    out = np.arange(NUM_LANDMARKS)
    for lm in LM:
        if lm.name.startswith("LEFT_"):
            other = LM["RIGHT_" + lm.name[5:]]
            out[int(lm)], out[int(other)] = int(other), int(lm)
    return out


#: Landmark index of each landmark's mirror image (left <-> right, the rest unchanged).
MIRROR_INDEX: NDArray[np.intp] = _mirror_index()


def mirror_frame(frame: PoseFrame) -> PoseFrame:
    """The pose seen in the horizontally mirrored image, or the other way round (its own
    inverse): ``x -> width - x``, world ``x -> -x``, left and right landmarks swapped."""
    if not frame.detected:
        return frame
    xy = frame.xy[MIRROR_INDEX].copy()
    xy[:, 0] = frame.image_size[0] - xy[:, 0]
    world = frame.world[MIRROR_INDEX].copy()
    world[:, 0] = -world[:, 0]
    return PoseFrame(
        t=frame.t,
        xy=xy,
        depth=frame.depth[MIRROR_INDEX].copy(),
        world=world,
        visibility=frame.visibility[MIRROR_INDEX].copy(),
        detected=True,
        image_size=frame.image_size,
    )


def head_side(xy: FloatArray) -> float:
    """Where the head lies along the image's x axis, in trunk lengths from the mid-hip
    (``xy (33, 2)`` px): > 0 = at the right, < 0 = at the left."""
    hips = (xy[LM.LEFT_HIP] + xy[LM.RIGHT_HIP]) / 2
    shoulders = (xy[LM.LEFT_SHOULDER] + xy[LM.RIGHT_SHOULDER]) / 2
    trunk = float(np.linalg.norm(shoulders - hips))
    return float((xy[LM.NOSE, 0] - hips[0]) / max(trunk, 1.0))



def rotated_size(size: tuple[int, int], rot_cw: int) -> tuple[int, int]:
    """(width, height) of a ``size`` image after a clockwise rotation of ``rot_cw`` degrees."""
    w, h = size
    return (h, w) if rot_cw % 180 == 90 else (w, h)


def rotate_image(rgb: NDArray[np.uint8], rot_cw: int) -> NDArray[np.uint8]:
    """``rgb`` ``(H, W, C)`` rotated clockwise by ``rot_cw`` (0, 90, 180, 270) degrees, as a
    C-contiguous array (the input itself when ``rot_cw`` is 0)."""
    r = rot_cw % 360
    if r == 0:
        return rgb
    code = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return np.asarray(cv2.rotate(rgb, code[r]), dtype=np.uint8)


def map_points_back(xy_rot: FloatArray, rot_cw: int, size: tuple[int, int]) -> FloatArray:
    """Pixel coordinates ``(..., 2)`` in an image rotated clockwise by ``rot_cw`` degrees,
    mapped back to the original image of ``size = (width, height)`` pixels (continuous
    coordinates: the image spans [0, W] x [0, H])."""
    w, h = size
    xr, yr = xy_rot[..., 0], xy_rot[..., 1]
    r = rot_cw % 360
    if r == 0:
        return np.array(xy_rot, dtype=np.float64)
    if r == 90:  # forward: (x, y) -> (H - y, x)
        return np.stack([yr, h - xr], axis=-1)
    if r == 180:  # forward: (x, y) -> (W - x, H - y)
        return np.stack([w - xr, h - yr], axis=-1)
    if r == 270:  # forward: (x, y) -> (y, W - x)
        return np.stack([w - yr, xr], axis=-1)
    raise ValueError(f"rotation must be a multiple of 90 degrees, got {rot_cw}")


def map_vectors_back(v_rot: FloatArray, rot_cw: int) -> FloatArray:
    """Direction vectors ``(..., 2)`` (e.g. world x, y in metres) in a frame rotated clockwise
    by ``rot_cw`` degrees, mapped back to the original frame's axes."""
    xr, yr = v_rot[..., 0], v_rot[..., 1]
    r = rot_cw % 360
    if r == 0:
        return np.array(v_rot, dtype=np.float64)
    if r == 90:
        return np.stack([yr, -xr], axis=-1)
    if r == 180:
        return np.stack([-xr, -yr], axis=-1)
    if r == 270:
        return np.stack([-yr, xr], axis=-1)
    raise ValueError(f"rotation must be a multiple of 90 degrees, got {rot_cw}")


def body_axis(xy: FloatArray) -> tuple[FloatArray, FloatArray, float]:
    """(shoulder centre, hip centre, trunk length) of one pose ``xy (33, 2)`` in pixels."""
    sh = (xy[LM.LEFT_SHOULDER] + xy[LM.RIGHT_SHOULDER]) / 2.0
    hip = (xy[LM.LEFT_HIP] + xy[LM.RIGHT_HIP]) / 2.0
    return sh, hip, float(np.hypot(*(hip - sh)))


def uprightness(xy: FloatArray) -> float:
    """Cosine between the trunk (shoulders to hips) and the image's downward axis: 1 for an
    upright person (head up), 0 lying, -1 upside down. ``xy (33, 2)`` in pixels."""
    sh, hip, length = body_axis(xy)
    if length <= 1e-9:
        return 0.0
    return float((hip - sh)[1] / length)


def _pose_distance(a: FloatArray, b: FloatArray) -> float:
    """Median distance in pixels between the landmarks of two poses ``(33, 2)``."""
    return float(np.median(np.hypot(*(a - b).T)))


def _box_overlap(a: FloatArray, b: FloatArray) -> float:
    """Intersection over union (0-1) of two poses' landmark bounding boxes ``(33, 2)``."""
    lo_a, hi_a = a.min(axis=0), a.max(axis=0)
    lo_b, hi_b = b.min(axis=0), b.max(axis=0)
    inter = float(np.prod(np.clip(np.minimum(hi_a, hi_b) - np.maximum(lo_a, lo_b), 0.0, None)))
    union = float(np.prod(hi_a - lo_a)) + float(np.prod(hi_b - lo_b)) - inter
    return inter / union if union > 1e-9 else 0.0


def same_person(a: FloatArray, b: FloatArray, config: PoseConfig) -> bool:
    """Whether two poses ``(33, 2)`` px of one still-image pass are one body seen twice: their
    landmarks lie close (``same_person_torso``), or their outlines (landmark boxes) mostly
    coincide (``same_person_overlap``). The model can read one body in an unusual pose (a leg
    swung high) a second time in a scrambled way, limbs swapped or upside down, whose landmarks
    then differ although it covers the same body; a second person has an outline of their own.
    """
    length = max(body_axis(a)[2], body_axis(b)[2], 1.0)
    if _pose_distance(a, b) <= config.same_person_torso * length:
        return True
    return _box_overlap(a, b) >= config.same_person_overlap


def _horizontality(xy: FloatArray) -> float:
    sh, hip, length = body_axis(xy)
    return float(abs((hip - sh)[0]) / length) if length > 1e-9 else 0.0


# --------------------------------------------------------------------------------------------
# Backends (hipwise.pose.engine.PoseEngine): a RawPose is landmarks (33, 4) normalised
# x, y, z, visibility and world (33, 3) m
# --------------------------------------------------------------------------------------------


def _lm_array(landmarks: Iterable[Any]) -> FloatArray:
    return np.array(
        [(p.x, p.y, p.z, p.visibility if p.visibility is not None else 0.0) for p in landmarks],
        dtype=np.float64,
    )


def _world_array(landmarks: Iterable[Any]) -> FloatArray:
    return np.array([(p.x, p.y, p.z) for p in landmarks], dtype=np.float64)


class _TasksEngine:
    """Tasks PoseLandmarker; ``video`` mode tracks across calls with real timestamps."""

    def __init__(self, bundle: Path, config: PoseConfig, video: bool, num_poses: int) -> None:
        # optional: mediapipe is installed by scripts/install.sh, not by pip (see hipwise doctor)
        from mediapipe.tasks.python import BaseOptions, vision

        mode = vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE
        opts = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(bundle)),
            running_mode=mode,
            num_poses=num_poses,
            min_pose_detection_confidence=config.min_detection_confidence,
            min_pose_presence_confidence=config.min_presence_confidence,
            min_tracking_confidence=config.min_tracking_confidence,
        )
        self._video = video
        self._last_ts = -1
        self._lm: Any = vision.PoseLandmarker.create_from_options(opts)

    def detect(self, rgb: NDArray[np.uint8], ts_ms: int) -> list[RawPose]:
        # optional: mediapipe is installed by scripts/install.sh, not by pip (see hipwise doctor)
        import mediapipe as mp

        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        if self._video:
            ts = max(ts_ms, self._last_ts + 1)
            self._last_ts = ts
            result = self._lm.detect_for_video(image, ts)
        else:
            result = self._lm.detect(image)
        return [
            RawPose(_lm_array(lm), _world_array(world))
            for lm, world in zip(result.pose_landmarks, result.pose_world_landmarks, strict=True)
        ]

    def close(self) -> None:
        self._lm.close()


class _SolutionsEngine:
    """Legacy ``mp.solutions.pose.Pose`` (one person)."""

    def __init__(self, config: PoseConfig, video: bool) -> None:
        # optional: mediapipe is installed by scripts/install.sh, not by pip (see hipwise doctor)
        import mediapipe as mp

        self._pose: Any = mp.solutions.pose.Pose(
            static_image_mode=not video,
            model_complexity=1,
            smooth_landmarks=config.smooth_landmarks,
            enable_segmentation=False,
            min_detection_confidence=config.min_detection_confidence,
            min_tracking_confidence=config.min_tracking_confidence,
        )

    def detect(self, rgb: NDArray[np.uint8], ts_ms: int) -> list[RawPose]:
        result = self._pose.process(np.ascontiguousarray(rgb))
        if result.pose_landmarks is None or result.pose_world_landmarks is None:
            return []
        return [
            RawPose(
                _lm_array(result.pose_landmarks.landmark),
                _world_array(result.pose_world_landmarks.landmark),
            )
        ]

    def close(self) -> None:
        self._pose.close()


# --------------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------------


@dataclass
class PoseRun:
    """Everything :meth:`MediaPipePoseEstimator.track_video` records, per analysed frame.

    ``poses``: the landmarks. ``rotation_deg (T,)``: clockwise rotation the frame was given to
    the model with. ``people (T,)``: people counted in view (-1: not counted on that frame).
    ``camera_shift (T, 2)``: global image shift in pixels relative to the first frame (NaN if
    not measured); ``camera_response (T,)``: its reliability (0-1). ``frames_read``: frames
    decoded (analysed or skipped by ``max_fps``, here or in the reader). ``warnings``:
    user-facing sentences. ``model_seconds``: wall time spent in the pose model.
    ``partial_xy (T, 33, 2)``: pixels of a low-confidence pose found on frames where nobody
    was detected (a body partly out of the picture), NaN elsewhere; ``partial_probed (T,)``:
    frames where that search ran (see ``PoseConfig.partial_confidence``).
    """

    poses: PoseSequence
    rotation_deg: NDArray[np.int_]
    people: NDArray[np.int_]
    camera_shift: FloatArray
    camera_response: FloatArray
    partial_xy: FloatArray | None = None
    partial_probed: NDArray[np.bool_] | None = None
    frames_read: int = 0
    warnings: list[str] = field(default_factory=list)
    model_seconds: float = 0.0


class MediaPipePoseEstimator:
    """BlazePose full with orientation normalisation; a context manager.

    Call :meth:`estimate` once per frame, in time order (it tracks across calls), or let
    :meth:`track_video` / :meth:`estimate_video` run a whole :class:`~hipwise.video.VideoSource`.
    """

    def __init__(
        self, config: PoseConfig | None = None, engine: EngineFactory | None = None
    ) -> None:
        """``engine``: builds the pose models (default: MediaPipe, see
        :mod:`hipwise.pose.engine`; pass a :class:`~hipwise.pose.engine.FakePoseEngine` to
        script them). Raises :class:`~hipwise.pose.engine.MediaPipeMissingError` when the
        default is used and MediaPipe is not installed."""
        self.config = config or PoseConfig()
        self.warnings: list[str] = []
        self.backend: str = self.config.backend
        self._bundle: Path | None = None
        if engine is None:
            require_mediapipe()
            if self.backend == "tasks":
                try:
                    self._bundle = ensure_pose_bundle()
                except BundleError as exc:
                    self._warn(f"Could not build the pose bundle ({exc}); using the legacy "
                               "API, which tracks one person and cannot count people.")
                    self.backend = "solutions"
        self._engine_factory: EngineFactory = engine or self._mediapipe_engine
        self._tracker: PoseEngine | None = None
        self._tracker_rot = 0
        self._tracker_multi = False
        self._still: PoseEngine | None = None
        self._partial: PoseEngine | None = None
        self._last_partial_t = -np.inf
        fixed = self.config.orientation
        self._auto = fixed == "auto"
        self._rot: int | None = None if self._auto else (0 if fixed == "none" else int(fixed))
        self._fallback_rot = 0 if self._rot is None else self._rot
        self._last_seen_t = -np.inf
        self._last_probe_t = -np.inf
        self._last_count_t = -np.inf
        self._target_xy: FloatArray | None = None
        self._multi_warned = False
        self._count_turn = _COUNT_ROTATIONS[0]
        self._size = (0, 0)
        self.model_seconds = 0.0
        # per-frame records of the last estimate() call
        self.last_rotation = 0
        self.last_people = -1
        self.last_partial: PoseFrame | None = None
        self.last_partial_probed = False
        self.mirrored = False  # frames are mirrored before the model (config.mirror)
        self._mirror_decided = False
        self._other_side_since: float | None = None
        self._last_mirror_probe_t = -np.inf

    # -- engines -----------------------------------------------------------------------------

    def _mediapipe_engine(self, spec: EngineSpec) -> PoseEngine:
        """The default engine factory: MediaPipe Tasks on the bundle, else the legacy API."""
        if self.backend == "tasks" and self._bundle is not None:
            return _TasksEngine(self._bundle, spec.config, spec.video, spec.num_poses)
        return _SolutionsEngine(spec.config, spec.video)

    def _make_engine(
        self, video: bool, num_poses: int, config: PoseConfig | None = None
    ) -> PoseEngine:
        return self._engine_factory(EngineSpec(video, num_poses, config or self.config))

    def _tracker_for(self, rot: int, multi: bool) -> PoseEngine:
        if self._tracker is None or rot != self._tracker_rot or multi != self._tracker_multi:
            if self._tracker is not None:
                self._tracker.close()
            self._tracker = self._make_engine(True, self.config.max_people if multi else 1)
            self._tracker_rot, self._tracker_multi = rot, multi
        return self._tracker

    def _still_engine(self) -> PoseEngine:
        if self._still is None:
            n = self.config.max_people if self.backend == "tasks" else 1
            self._still = self._make_engine(False, n)
        return self._still

    def _partial_engine(self) -> PoseEngine:
        if self._partial is None:
            c = self.config.partial_confidence
            low = self.config.model_copy(
                update={
                    "min_detection_confidence": c,
                    "min_presence_confidence": c,
                    "min_tracking_confidence": c,
                }
            )
            self._partial = self._make_engine(False, 1, low)
        return self._partial

    def _find_partial(self, rgb: NDArray[np.uint8], t: float) -> PoseFrame | None:
        """A low-confidence pose (a body partly out of the picture), best of 4 rotations."""
        size = (rgb.shape[1], rgb.shape[0])
        found: list[PoseFrame] = []
        for rot in _CANDIDATES:
            raws = self._run(self._partial_engine(), rotate_image(rgb, rot), round(t * 1000))
            found.extend(self._to_frame(raw, rot, size, t) for raw in raws)
        return max(found, key=self._lying_score) if found else None

    def _run(self, engine: PoseEngine, rgb: NDArray[np.uint8], ts_ms: int) -> list[RawPose]:
        t0 = time.perf_counter()
        out = engine.detect(rgb, ts_ms)
        self.model_seconds += time.perf_counter() - t0
        return out

    def _warn(self, msg: str) -> None:
        self.warnings.append(msg)
        logger.warning("%s", msg)

    # -- mapping -----------------------------------------------------------------------------

    @staticmethod
    def _to_frame(raw: RawPose, rot: int, size: tuple[int, int], t: float) -> PoseFrame:
        wr, hr = rotated_size(size, rot)
        xy_rot = raw.landmarks[:, :2] * np.array([wr, hr], dtype=np.float64)
        world = raw.world.copy()
        world[:, :2] = map_vectors_back(raw.world[:, :2], rot)
        return PoseFrame(
            t=t,
            xy=map_points_back(xy_rot, rot, size),
            depth=raw.landmarks[:, 2] * wr,
            world=world,
            visibility=np.clip(raw.landmarks[:, 3], 0.0, 1.0),
            detected=True,
            image_size=size,
        )

    # -- decisions ---------------------------------------------------------------------------

    def _probe(
        self, rgb: NDArray[np.uint8], t: float, rotations: Sequence[int]
    ) -> tuple[int, PoseFrame] | None:
        """Run the still-image model on the frame turned to each rotation; the person is the
        best-seen (and, among several, most side-lying) pose; returns (the rotation that puts
        that person head up, the pose) or None when nobody was found."""
        size = (rgb.shape[1], rgb.shape[0])
        found: list[PoseFrame] = []
        engine = self._still_engine()
        for rot in rotations:
            raws = self._run(engine, rotate_image(rgb, rot), round(t * 1000))
            found.extend(self._to_frame(raw, rot, size, t) for raw in raws)
        if not found:
            return None
        person = max(found, key=self._lying_score)
        return _upright_rotation(person.xy, size), person

    def _count_people(self, rgb: NDArray[np.uint8], t: float) -> list[PoseFrame]:
        """People in view: still-image passes with the frame upright (a standing bystander is
        seen the right way up) and turned so the tracked person is head-up (someone lying like
        them is too); one person seen in both passes is counted once."""
        size = (rgb.shape[1], rgb.shape[0])
        up = _upright_rotation(self._target_xy, size) if self._target_xy is not None else -1
        if up in _COUNT_ROTATIONS:
            turn = up
        else:  # nobody tracked yet, or standing: alternate the quarter turns
            turn = self._count_turn
            a, b = _COUNT_ROTATIONS
            self._count_turn = b if turn == a else a
        # once two people were seen, look with every quarter turn (this costs more, but only
        # in a video that will probably be refused)
        turns = (0, *_COUNT_ROTATIONS) if self._multi_warned else (0, turn)
        frames: list[PoseFrame] = []
        for r in dict.fromkeys(turns):
            raws = self._run(self._still_engine(), rotate_image(rgb, r), round(t * 1000))
            frames.extend(self._to_frame(raw, r, size, t) for raw in raws)
        kept: list[PoseFrame] = []
        for f in sorted(frames, key=self._lying_score, reverse=True):
            if not any(same_person(f.xy, k.xy, self.config) for k in kept):
                kept.append(f)
        return kept

    def _lying_score(self, frame: PoseFrame) -> float:
        """How much a pose looks like the person doing the exercise (lying, well seen)."""
        vis = float(np.mean(frame.visibility[_BODY]))
        return vis + self.config.lying_weight * _horizontality(frame.xy)

    def _select(self, frames: list[PoseFrame], t: float) -> PoseFrame | None:
        """The tracked person among ``frames``: with several people tracked, the pose nearest
        the last one chosen (None if it jumped more than ``max_jump_torso``), or the most
        side-lying one when the person was lost."""
        if not self._tracker_multi:
            return frames[0]
        target = self._target_xy
        if target is not None and t - self._last_seen_t <= self.config.lost_after_s:
            best = min(frames, key=lambda f: _pose_distance(f.xy, target))
            limit = self.config.max_jump_torso * max(body_axis(best.xy)[2], 1.0)
            return best if _pose_distance(best.xy, target) <= limit else None
        return max(frames, key=self._lying_score)

    # -- public API --------------------------------------------------------------------------

    def estimate(self, rgb: NDArray[np.uint8], t: float) -> PoseFrame:
        """The pose in one frame ``rgb (H, W, 3)`` uint8 at ``t`` seconds (strictly after
        the previous call's ``t``). Returns ``PoseFrame.missing`` when nobody is found.

        With ``config.mirror = "head_right"`` the frame is mirrored first whenever the head
        lies at the image's left (see :class:`PoseConfig`); the pose returned is always in the
        original image."""
        cfg = self.config
        if (
            cfg.mirror == "head_right"
            and not self._mirror_decided
            and t - self._last_mirror_probe_t >= cfg.probe_interval_s
        ):
            self._last_mirror_probe_t = t
            self._decide_mirror(rgb, t)
        frame = self._estimate_as_mirrored(rgb, t)
        if cfg.mirror == "head_right" and frame.detected:
            first = not self._mirror_decided
            if self._follow_head(frame, t) and first:
                # the first sight decides: this frame again, the way all later ones are seen
                frame = self._estimate_as_mirrored(rgb, t)
        return frame

    def _mirror_rotations(self) -> None:
        """The mirroring changed: a quarter turn one way in one picture is the other way in
        its mirror image."""
        self._fallback_rot = (360 - self._fallback_rot) % 360
        if self._rot is not None:
            self._rot = (360 - self._rot) % 360

    def _decide_mirror(self, rgb: NDArray[np.uint8], t: float) -> None:
        """Before the tracker first sees anyone: one still-image pass (the engine the person
        count uses anyway) tells where the head is, so the tracker starts on the right
        picture (re-creating it later costs a model load)."""
        size = (int(rgb.shape[1]), int(rgb.shape[0]))
        rot = self._rot if self._rot is not None else self._fallback_rot
        found = [self._to_frame(r, rot, size, t) for r in self._run(
            self._still_engine(), rotate_image(rgb, rot), round(t * 1000))]
        if not found:
            return
        person = max(found, key=self._lying_score)
        self._mirror_decided = True
        if head_side(person.xy) < 0:
            self.mirrored = True
            self._mirror_rotations()

    def _estimate_as_mirrored(self, rgb: NDArray[np.uint8], t: float) -> PoseFrame:
        if not self.mirrored:
            return self._estimate(rgb, t)

        frame = mirror_frame(self._estimate(np.asarray(cv2.flip(rgb, 1), dtype=np.uint8), t))
        if self.last_partial is not None:
            self.last_partial = mirror_frame(self.last_partial)
        return frame

    def _follow_head(self, frame: PoseFrame, t: float) -> bool:
        """Mirror from the next frame on when the head is (first seen, or has stayed
        ``mirror_switch_s``) at the image's left; back when it is at the right. Returns True
        when the mirroring changed (the tracker then starts afresh: its state belongs to the
        other picture)."""
        want = head_side(frame.xy) < 0
        if want == self.mirrored:
            self._mirror_decided = True
            self._other_side_since = None
            return False
        if self._mirror_decided:
            if self._other_side_since is None:
                self._other_side_since = t
            if t - self._other_side_since < self.config.mirror_switch_s:
                return False
        self.mirrored = want
        self._mirror_decided = True
        self._other_side_since = None
        # the model's state (tracked pose, orientation) lives in the old image's coordinates
        self._target_xy = None
        self._mirror_rotations()
        if self._auto:
            self._rot = None
            self._last_probe_t = -np.inf
        if self._tracker is not None:
            self._tracker.close()
            self._tracker = None
        return True

    def _estimate(self, rgb: NDArray[np.uint8], t: float) -> PoseFrame:
        """:meth:`estimate` on the frame as given (mirrored or not)."""
        cfg = self.config
        size = (int(rgb.shape[1]), int(rgb.shape[0]))
        self._size = size
        ts_ms = round(t * 1000)
        self.last_people = -1
        rot = self._rot if self._rot is not None else self._fallback_rot

        if self._auto and self._rot is None and t - self._last_probe_t >= cfg.probe_interval_s:
            self._last_probe_t = t
            found = self._probe(rgb, t, _CANDIDATES)
            if found is not None:
                rot = self._decide(found[0], t)
                self._target_xy = found[1].xy

        # once several people were seen, count every quarter interval to measure how long
        interval = cfg.people_interval_s / (4.0 if self._multi_warned else 1.0)
        if self.backend == "tasks" and cfg.count_people and t - self._last_count_t >= interval:
            self._last_count_t = t
            people = self._count_people(rgb, t)
            self.last_people = len(people)
            if len(people) >= 2:
                self._handle_crowd(people, t)
            rot = self._check_upright(rot, t)

        raws = self._run(self._tracker_for(rot, self._tracker_multi), rotate_image(rgb, rot), ts_ms)
        frames = [self._to_frame(r, rot, size, t) for r in raws]

        if frames and self._auto and self._rot is None:
            # found by the tracker but not (yet) by a probe: decide on this frame
            if self._last_probe_t < t:
                self._last_probe_t = t
                found = self._probe(rgb, t, _CANDIDATES)
                best = found[0] if found is not None else _upright_rotation(frames[0].xy, size)
            else:  # the probe on this very frame found nobody: trust the tracker's pose
                best = _upright_rotation(frames[0].xy, size)
            if self._decide(best, t) != rot:
                rot = best
                raws = self._run(
                    self._tracker_for(rot, self._tracker_multi), rotate_image(rgb, rot), ts_ms
                )
                frames = [self._to_frame(r, rot, size, t) for r in raws]

        self.last_rotation = rot
        self.last_partial = None
        self.last_partial_probed = False
        if (
            not frames
            and cfg.partial_confidence is not None
            and t - self._last_partial_t >= cfg.partial_interval_s
        ):
            self._last_partial_t = t
            self.last_partial_probed = True
            self.last_partial = self._find_partial(rgb, t)
        if not frames:
            if self._auto and self._rot is not None and t - self._last_seen_t > cfg.lost_after_s:
                self._fallback_rot = self._rot
                self._rot = None  # lost: decide again on the next detection
            return PoseFrame.missing(t, size)
        chosen = self._select(frames, t)
        if chosen is None:  # only someone else in view
            return PoseFrame.missing(t, size)
        self._last_seen_t = t
        self._target_xy = chosen.xy
        return chosen

    def _check_upright(self, rot: int, t: float) -> int:
        """Re-decide the orientation if the last tracked pose is not head-up when turned."""
        xy = self._target_xy
        if not self._auto or self._rot is None or xy is None or t - self._last_seen_t > 1.0:
            return rot
        size = self._size
        if uprightness(_forward(xy, rot, size)) >= self.config.min_uprightness:
            return rot
        best = _upright_rotation(xy, size)
        if best != rot:
            logger.info("the tracked person is not head-up at %d degrees: now %d", rot, best)
            self._decide(best, t)
        return best

    def _decide(self, rot: int, t: float) -> int:
        if self._rot is not None and rot != self._rot:
            logger.info("orientation changed from %d to %d degrees at %.2f s", self._rot, rot, t)
        self._rot = rot
        self._fallback_rot = rot
        return rot

    def _handle_crowd(self, people: list[PoseFrame], t: float) -> None:
        """Several people in view: from now on track them all and keep the side-lying one
        (a single-person tracker may jump to the other person when it loses track)."""
        lying = max(people, key=self._lying_score)
        if not self._multi_warned:
            self._multi_warned = True
            self._warn(
                f"{len(people)} people in view (at {t:.1f} s): hipwise analyses the person "
                "lying on their side. For best results, film one person alone."
            )
        self._target_xy = lying.xy
        self._last_seen_t = t
        if not self._tracker_multi and self.backend == "tasks":
            logger.info("tracking several people from %.2f s to keep the side-lying one", t)
            self._tracker_multi = True  # takes effect on the next frame

    def track_video(
        self,
        source: Iterable[Any],
        progress: Progress | None = None,
        on_frame: Callable[[PoseFrame], None] | None = None,
    ) -> PoseRun:
        """Run over a :class:`~hipwise.video.VideoSource` (or any iterable of
        :class:`~hipwise.video.VideoFrame`), analysing at most ``max_fps`` frames per second.
        ``on_frame`` receives each analysed frame as soon as it is estimated.

        Raises ``ValueError`` if the source yields no frame.
        """
        cfg = self.config
        expected = 0
        info = getattr(source, "info", None)
        if info is not None:
            expected = int(getattr(info, "frame_count", 0))
            if cfg.max_fps is not None and getattr(info, "fps", 0.0) > cfg.max_fps:
                expected = round(expected * cfg.max_fps / info.fps)
        thinner = FrameThinner(cfg.max_fps)  # as the reader (a no-op after its thinning)
        motion = CameraMotionTracker(cfg.camera_motion) if cfg.camera_motion is not None else None
        frames: list[PoseFrame] = []
        rots: list[int] = []
        people: list[int] = []
        shifts: list[tuple[float, float, float]] = []
        probed: list[bool] = []
        partial: dict[int, FloatArray] = {}
        read = 0
        for vf in source:
            read += 1
            if not thinner.keep(vf.t):
                continue
            frames.append(self.estimate(vf.rgb, vf.t))
            if on_frame is not None:
                on_frame(frames[-1])
            rots.append(self.last_rotation)
            people.append(self.last_people)
            probed.append(self.last_partial_probed)
            if self.last_partial is not None:
                partial[len(frames) - 1] = self.last_partial.xy
            sample: MotionSample | None = vf.motion
            if sample is None and motion is not None:
                sample = motion.update(vf.rgb)
            shifts.append(
                (sample.dx, sample.dy, sample.response) if sample is not None
                else (np.nan, np.nan, np.nan)
            )
            if progress is not None:
                progress(len(frames), expected)
        if not frames:
            raise ValueError("the video yielded no frames")
        read = max(read, int(getattr(source, "frames_decoded", 0)))
        warnings = list(self.warnings)
        warnings.extend(getattr(source, "warnings", []))
        sh = np.array(shifts, dtype=np.float64)
        partial_xy = np.full((len(frames), NUM_LANDMARKS, 2), np.nan)
        for i, xy in partial.items():
            partial_xy[i] = xy
        return PoseRun(
            partial_xy=partial_xy,
            partial_probed=np.array(probed, dtype=bool),
            poses=PoseSequence.from_frames(frames),
            rotation_deg=np.array(rots, dtype=int),
            people=np.array(people, dtype=int),
            camera_shift=sh[:, :2],
            camera_response=sh[:, 2],
            frames_read=read,
            warnings=warnings,
            model_seconds=self.model_seconds,
        )

    def estimate_video(
        self, source: Iterable[Any], progress: Progress | None = None
    ) -> PoseSequence:
        """Landmarks for a whole video (see :meth:`track_video` for the extras)."""
        return self.track_video(source, progress).poses

    def close(self) -> None:
        """Release the models (idempotent)."""
        for engine in (self._tracker, self._still, self._partial):
            if engine is not None:
                engine.close()
        self._tracker = None
        self._still = None
        self._partial = None

    def __enter__(self) -> MediaPipePoseEstimator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _forward(xy: FloatArray, rot_cw: int, size: tuple[int, int]) -> FloatArray:
    """Original-frame pixels to the frame rotated clockwise by ``rot_cw`` (inverse of
    :func:`map_points_back`)."""
    w, h = size
    x, y = xy[..., 0], xy[..., 1]
    r = rot_cw % 360
    if r == 0:
        return np.array(xy, dtype=np.float64)
    if r == 90:
        return np.stack([h - y, x], axis=-1)
    if r == 180:
        return np.stack([w - x, h - y], axis=-1)
    return np.stack([y, w - x], axis=-1)


def _upright_rotation(xy: FloatArray, size: tuple[int, int]) -> int:
    """The clockwise rotation (0/90/180/270) that makes the pose ``xy (33, 2)`` most upright."""
    return max(_CANDIDATES, key=lambda r: uprightness(_forward(xy, r, size)))


def reader_config_for(pose: PoseConfig, base: ReaderConfig | None = None) -> ReaderConfig:
    """The reader settings that suit ``pose``: frames thinned to ``pose.max_fps`` before the
    RGB conversion, and the camera shift measured in the decode thread (off the model's core).
    Other fields come from ``base`` (default :class:`~hipwise.video.ReaderConfig`)."""
    base = base or ReaderConfig()
    return base.model_copy(
        update={"max_fps": pose.max_fps, "camera_motion": pose.camera_motion}
    )


def measure_pose_fps(
    source: Iterable[Any],
    n_frames: int = 150,
    config: PoseConfig | None = None,
    engine: EngineFactory | None = None,
) -> float:
    """The bare pose model's speed in frames per second: the first ``n_frames`` frames are
    decoded into memory first, then one video-mode model (no rotation, no extras) runs on them.
    ``engine``: the model factory (default MediaPipe, see :mod:`hipwise.pose.engine`).
    """
    cfg = config or PoseConfig()
    images: list[tuple[float, NDArray[np.uint8]]] = []
    for vf in source:
        images.append((vf.t, vf.rgb))
        if len(images) >= n_frames:
            break
    if not images:
        raise ValueError("the video yielded no frames")
    est = MediaPipePoseEstimator(cfg.model_copy(update={"orientation": "none"}), engine=engine)
    try:
        model = est._make_engine(True, 1)
        model.detect(images[0][1], 0)  # warm-up (model load, XNNPACK setup)
        t0 = time.perf_counter()
        for t, rgb in images[1:]:
            model.detect(rgb, round(t * 1000))
        elapsed = time.perf_counter() - t0
        model.close()
    finally:
        est.close()
    return (len(images) - 1) / elapsed if elapsed > 0 else float("inf")
