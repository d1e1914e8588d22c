"""The video front end: decode → pose → input checks → engine → contract.

This is an adapter around the pure engine (:mod:`hipwise.analysis.engine`): it owns the I/O
(video decoding, the pose model) and turns unusable input into :class:`NotAnalysableError`
with a specific message, never a silent wrong count.
"""

from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from hipwise import __version__
from hipwise.analysis.engine import EngineResult, SequenceAnalyzer, to_contract
from hipwise.contract import Analysis, VideoInfo
from hipwise.pose.checks import InputProblem, check_run
from hipwise.pose.mediapipe_adapter import MediaPipePoseEstimator, reader_config_for
from hipwise.pose.sequence import PoseFrame, PoseSequence
from hipwise.settings import AnalysisConfig
from hipwise.video.reader import open_video

if TYPE_CHECKING:
    from hipwise.pose.engine import EngineFactory
    from hipwise.pose.mediapipe_adapter import PoseRun
    from hipwise.video.reader import VideoMeta

__all__ = [
    "InputRefused",
    "NotAnalysableError",
    "Progress",
    "VideoAnalysis",
    "analyze_pose_run",
    "analyze_video",
    "file_fingerprint",
    "sample_video_path",
]

logger = logging.getLogger(__name__)


class _BackgroundAnalyzer:
    """Feeds a :class:`SequenceAnalyzer` from a queue on a worker thread. ``put`` frames in
    order, then ``join`` for the analyzer (re-raising what it raised); leaving the ``with``
    block stops the worker in any case."""

    def __init__(self, analyzer: SequenceAnalyzer) -> None:
        self._analyzer = analyzer
        self._queue: queue.SimpleQueue[PoseFrame | None] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, name="hipwise-kinematics", daemon=True)

    def __enter__(self) -> _BackgroundAnalyzer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _work(self) -> None:
        while (frame := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self._analyzer.update(frame)
                except BaseException as exc:  # re-raised in join()
                    self._error = exc

    def _stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def put(self, frame: PoseFrame) -> None:
        """Queue the next frame."""
        self._queue.put(frame)

    def join(self) -> SequenceAnalyzer:
        """Wait for every queued frame; the analyzer, ready for ``finish``."""
        self._stop()
        if self._error is not None:
            raise self._error
        return self._analyzer

#: ``progress(done, total)``: frames analysed so far and the expected total (0 if unknown).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class InputRefused:
    """One reason a video cannot be analysed: a stable ``code``, a sentence, and what to do."""

    code: str
    message: str
    hint: str


class NotAnalysableError(Exception):
    """The video was read, but it does not show a side-lying leg lift hipwise can judge."""

    def __init__(self, problems: list[InputRefused]) -> None:
        self.problems = problems
        #: the pose run and video metadata that were refused (set by :func:`analyze_video`)
        self.run: PoseRun | None = None
        self.meta: VideoMeta | None = None
        super().__init__("; ".join(p.message for p in problems))


@dataclass
class VideoAnalysis:
    """Everything one analysis produced: the contract, the engine's per-frame states and the
    landmarks (for reports and the store), plus timings (s)."""

    analysis: Analysis
    engine: EngineResult
    run: PoseRun
    path: Path
    seconds_total: float
    seconds_model: float
    warnings: list[str] = field(default_factory=list)
    meta: VideoMeta | None = None  #: the decoded video's metadata


def _duration(container_s: float, t: Any, nominal_fps: float) -> tuple[float, str | None]:
    """The video's duration (s): the container's when it agrees with the frames read
    (timestamps ``t (N,)`` s from the first analysed frame), else the span of the frames read
    plus one frame, with a warning (a copy cut short keeps its full duration in the index, a
    damaged one claims hours)."""
    n = len(t)
    step = float(np.median(np.diff(t))) if n > 1 else 1.0 / (nominal_fps or 30.0)
    read_s = (float(t[-1]) if n else 0.0) + step
    if container_s <= 0:
        return read_s, None
    if abs(container_s - read_s) <= max(1.0, 0.1 * read_s):
        return container_s, None
    return read_s, (f"The file says it lasts {container_s:.1f} s but only {read_s:.1f} s "
                    f"could be read; the figures are for the part read.")


def sample_video_path() -> Path:
    """The bundled sample clip (3 reps, one with a fault)."""
    return Path(str(files("hipwise") / "data" / "sample.mp4"))


def file_fingerprint(path: Path) -> str:
    """sha256 of the file's bytes (identifies a video without storing it)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def analyze_video(
    path: str | Path,
    config: AnalysisConfig | None = None,
    progress: Progress | None = None,
    pose_engine: EngineFactory | None = None,
) -> VideoAnalysis:
    """Analyse one recorded video. ``pose_engine``: builds the pose models (default MediaPipe;
    a :class:`~hipwise.pose.engine.FakePoseEngine` scripts them).

    Raises :class:`hipwise.video.errors.VideoError` (missing, not a video, corrupt, no frames)
    and :class:`NotAnalysableError` (no person, standing, two people, out of frame, camera
    moved, no movement)."""
    cfg = config or AnalysisConfig()
    pose_cfg = cfg.pose
    path = Path(path)
    t0 = time.perf_counter()
    # decoding, frame thinning and the camera-shift measure run on the decode thread
    reader_cfg = reader_config_for(pose_cfg)
    # the kinematics follow the pose model frame by frame on a worker thread (the model
    # releases the GIL), so on a machine with a spare core they add nothing to the time
    with _BackgroundAnalyzer(SequenceAnalyzer(cfg)) as background:
        with open_video(path, reader_cfg) as source, MediaPipePoseEstimator(
            pose_cfg, engine=pose_engine
        ) as est:
            run = est.track_video(source, progress, on_frame=background.put)
            meta = source.info
            warnings = list(run.warnings)
        analyzer: SequenceAnalyzer | None = background.join()
    missed = pose_cfg.retry_turned and _person_missed(run, cfg)
    # where the zoomed look centres: on a small person found in part of the video, else on
    # the middle of the picture
    centre = _small_and_partly_missed(run) if pose_cfg.retry_turned else None
    if missed or centre is not None:
        # Refusing someone who is exercising is the worst outcome: before saying "no person"
        # or "only part of a body", look again, first with every frame turned so the body
        # stands head-up (the way the detector was trained), then also zoomed on the middle
        # of the picture (a person far from the camera is too small for the detector). A
        # small person found in only part of the video is looked at zoomed as well: the
        # frames where the detector missed them may hold a rep (a first lift before the
        # person was found was lost).
        for zoom in (1.0, _RETRY_ZOOM):
            if zoom == 1.0 and (pose_cfg.orientation != "none" or not missed):
                continue
            logger.info("a person was found in only %.0f%% of the frames: looking again with "
                        "the frames turned upright%s", 100.0 * float(np.mean(run.poses.detected)),
                        f", zoomed {zoom:g}x" if zoom > 1.0 else "")
            turned = pose_cfg.model_copy(update={"orientation": "auto"})
            with open_video(path, reader_config_for(turned)) as source, \
                    MediaPipePoseEstimator(turned, engine=pose_engine) as est:
                second = est.track_video(_CentreZoom(source, zoom, centre), progress)
            second = _unzoom(second, zoom, centre)
            if np.mean(second.poses.detected) > np.mean(run.poses.detected):
                second.model_seconds += run.model_seconds
                run, warnings, analyzer = second, list(second.warnings), None
            if not _person_missed(run, cfg) and _small_and_partly_missed(run) is None:
                break
    try:
        analysis, engine, warnings = analyze_pose_run(run, meta, cfg, analyzer, warnings)
    except NotAnalysableError as exc:
        exc.run, exc.meta = run, meta
        raise
    total = time.perf_counter() - t0
    logger.info("analysed %s in %.1f s (pose model %.1f s)", path.name, total, run.model_seconds)
    return VideoAnalysis(
        analysis=analysis,
        engine=engine,
        run=run,
        path=path,
        seconds_total=total,
        seconds_model=run.model_seconds,
        warnings=warnings,
        meta=meta,
    )


_RETRY_ZOOM = 2.0
"""Digital zoom of the last look before refusing a video for want of a person: the middle
half of the picture, scaled up twice (a person 2.5 m long filmed from 6 m spans ~200 px of
640 and was not found at all; the detector sees the whole frame at 224 px)."""


class _CentreZoom:
    """The frames of ``source`` (any iterable of :class:`~hipwise.video.VideoFrame`) cropped
    to ``1 / zoom`` of their size around ``centre`` (px; default the middle, see
    :func:`_crop_box`) and scaled back to full size; ``info``, ``frames_decoded`` and
    ``warnings`` are the source's. ``zoom`` 1 passes frames through."""

    def __init__(
        self, source: Any, zoom: float, centre: tuple[float, float] | None = None
    ) -> None:
        self._source = source
        self.zoom = zoom
        self.centre = centre

    def __getattr__(self, name: str) -> Any:
        return getattr(self._source, name)

    def __iter__(self) -> Any:
        for vf in self._source:
            if self.zoom == 1.0:
                yield vf
                continue
            h, w = vf.rgb.shape[:2]
            x0, y0, cw, ch = _crop_box((w, h), self.zoom, self.centre)
            big = cv2.resize(vf.rgb[y0 : y0 + ch, x0 : x0 + cw], (w, h),
                             interpolation=cv2.INTER_LINEAR)
            yield replace(vf, rgb=np.ascontiguousarray(big))


def _crop_box(
    size: tuple[int, int], zoom: float, centre: tuple[float, float] | None = None
) -> tuple[int, int, int, int]:
    """``(x0, y0, width, height)`` pixels of the ``1 / zoom`` part of a ``(w, h)`` frame
    centred on ``centre`` (px; default the frame's middle), moved inside the frame."""
    w, h = size
    w, h = round(w), round(h)
    cw, ch = max(1, round(w / zoom)), max(1, round(h / zoom))
    if centre is None:
        return (w - cw) // 2, (h - ch) // 2, cw, ch
    x0 = min(max(round(centre[0] - cw / 2), 0), w - cw)
    y0 = min(max(round(centre[1] - ch / 2), 0), h - ch)
    return x0, y0, cw, ch


def _unzoom(run: PoseRun, zoom: float, centre: tuple[float, float] | None = None) -> PoseRun:
    """``run`` made on :class:`_CentreZoom` frames (same ``zoom`` and ``centre``), in the
    original frame's pixels."""
    if zoom == 1.0:
        return run
    p = run.poses
    x0, y0, cw, _ = _crop_box(p.image_size, zoom, centre)
    k = cw / p.image_size[0]
    off = np.array([x0, y0], dtype=np.float64)
    poses = PoseSequence(t=p.t, xy=p.xy * k + off, depth=p.depth * k, world=p.world,
                         visibility=p.visibility, image_size=p.image_size, detected=p.detected)
    partial = None if run.partial_xy is None else run.partial_xy * k + off
    return replace(run, poses=poses, partial_xy=partial, camera_shift=run.camera_shift * k)


_RETRY_MISSED_SHARE = 0.05
"""Share of frames without a person above which a person small enough for the zoomed look
(:func:`_small_and_partly_missed`) is looked for again."""


def _small_and_partly_missed(run: PoseRun) -> tuple[float, float] | None:
    """Where to zoom (px, the centre of the box every landmark of every found frame lies in)
    when the person was found in some frames but missed in at least
    :data:`_RETRY_MISSED_SHARE` of them and that box fits in the ``1 / _RETRY_ZOOM`` of the
    picture :class:`_CentreZoom` enlarges; else None. A body too small for the detector at
    rest is found only once the lifted leg makes it larger (tune clip 131: found from 2.1 s,
    after its first lift; tune clip 47, high in the picture: from 1.3 s)."""
    det = np.asarray(run.poses.detected, dtype=bool)
    if not det.any() or det.all() or 1.0 - float(np.mean(det)) < _RETRY_MISSED_SHARE:
        return None
    xy = run.poses.xy[det]
    if not np.all(np.isfinite(xy)):
        return None
    lo, hi = xy.reshape(-1, 2).min(axis=0), xy.reshape(-1, 2).max(axis=0)
    w, h = run.poses.image_size
    if hi[0] - lo[0] > w / _RETRY_ZOOM or hi[1] - lo[1] > h / _RETRY_ZOOM:
        return None
    return float(lo[0] + hi[0]) / 2, float(lo[1] + hi[1]) / 2


def _person_missed(run: PoseRun, cfg: AnalysisConfig) -> bool:
    """Whether the input checks would refuse ``run`` only because the person was not found
    (``no_person``, or ``body_out_of_frame`` from the partial-body search): the refusals a
    second look with turned frames can lift."""
    if bool(np.all(run.poses.detected)):
        return False  # found in every frame: nothing to look for (skips the checks' work)
    codes = {p.code for p in check_run(run, cfg.checks) if p.blocking}
    return bool(codes) and codes <= {"no_person", "body_out_of_frame"}


def analyze_pose_run(
    run: PoseRun,
    meta: VideoMeta,
    config: AnalysisConfig | None = None,
    analyzer: SequenceAnalyzer | None = None,
    warnings: list[str] | None = None,
) -> tuple[Analysis, EngineResult, list[str]]:
    """Everything :func:`analyze_video` does after the pose model, on a recorded
    :class:`~hipwise.pose.mediapipe_adapter.PoseRun`: the input checks, the engine and the
    contract. ``analyzer``: a :class:`SequenceAnalyzer` already fed every frame of ``run``
    (``None``: one is fed here); ``warnings``: sentences so far (default: the run's).
    Returns the analysis, the engine result and the warnings. Replaying stored landmarks
    (``hipwise bench --from-landmarks``) gives the same analysis as the video.

    Raises :class:`NotAnalysableError` (no person, standing, two people, out of frame, camera
    moved, no movement)."""
    cfg = config or AnalysisConfig()
    checks_cfg = cfg.checks
    warnings = list(run.warnings) if warnings is None else list(warnings)
    if analyzer is None:
        analyzer = SequenceAnalyzer(cfg)
        for i in range(len(run.poses)):
            analyzer.update(run.poses.frame(i))
    frames_read = run.frames_read
    problems = check_run(run, checks_cfg)
    t_last = float(run.poses.t[-1]) if len(run.poses) else 0.0
    if len(run.poses) and t_last < checks_cfg.min_duration_s:
        problems.append(InputProblem(
            "too_short",
            f"The video is too short to judge: {len(run.poses)} frame(s) over "
            f"{t_last:.2f} s were read.",
            "Record the whole set: lie down in view first, then do your reps.",
        ))
    engine = None
    if any(p.blocking and p.code == "no_movement" for p in problems):
        # a clamshell opens the knee while the ankles stay put: not "no movement"
        engine = analyzer.finish(run.poses)
        if any(v.variation == "clamshell" and v.reps for v in engine.variation_sets or []):
            problems = [p for p in problems if p.code != "no_movement"]
    refused = [InputRefused(p.code, p.message, p.hint) for p in problems if p.blocking]
    warnings += [p.message for p in problems if not p.blocking]
    if refused:
        raise NotAnalysableError(refused)
    if engine is None:
        engine = analyzer.finish(run.poses)
    duration, note = _duration(meta.duration_s, run.poses.t, meta.fps)
    if note:
        warnings.append(note)
    fps = max(frames_read / duration if duration > 0 else meta.fps or 30.0, 1e-3)
    info = VideoInfo(
        duration_s=round(duration, 3),
        fps=round(fps, 3),
        frames=frames_read,
        width=meta.width,
        height=meta.height,
        rotation_deg=meta.rotation_deg,
    )
    if not engine.sets and not engine.variation_sets:
        warnings.append(
            "No rep was counted: the leg never rose clearly above rest and came back."
        )
    return to_contract(engine, info, warnings, __version__), engine, warnings
