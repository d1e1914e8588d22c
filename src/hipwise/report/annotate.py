"""The annotated video and the key frames: an adapter that replays the engine's per-frame
states over the video frames (no second analysis).

The pose model runs at most ~15 frames/s, so every video frame shows the latest engine state
and landmarks interpolated between the two nearest analysed frames
(:func:`pose_at`). One decoding pass writes the annotated H.264 file and keeps the raw frame
nearest each rep's peak for the key frames.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hipwise.contract import Analysis, RepResult
from hipwise.pose.sequence import FloatArray, PoseSequence
from hipwise.report.draw import (
    PHASE_COLOURS,
    blank_canvas,
    blend_patch,
    draw_angle_arc,
    draw_skeleton,
    panel_patch,
)
from hipwise.report.model import FrameSource, primary_cue
from hipwise.reps.session import FrameState
from hipwise.settings import ReportConfig
from hipwise.video.reader import ReaderConfig, open_video
from hipwise.video.writer import VideoWriter

__all__ = [
    "CountedRep",
    "FrameAnnotator",
    "PassResult",
    "counted_reps",
    "crop_box",
    "pose_at",
    "render_key_frame",
    "run_video_pass",
    "state_at",
]

logger = logging.getLogger(__name__)

#: ``progress(done, total)`` in frames (total 0 when unknown).
FrameProgress = Callable[[int, int], None]


def pose_at(
    poses: PoseSequence, t: float, max_gap_s: float, hold_s: float
) -> tuple[FloatArray, FloatArray] | None:
    """Landmarks at time ``t`` (s): ``(xy (33, 2) px, visibility (33,))`` linearly interpolated
    between the analysed frames around ``t`` when both have a person and lie at most
    ``max_gap_s`` apart, else the latest analysed pose if at most ``hold_s`` old; None when no
    person is known at ``t``."""
    n = len(poses)
    i = int(np.searchsorted(poses.t, t, side="right")) - 1
    if i < 0 or n == 0 or not poses.detected[i]:
        return None
    t0 = float(poses.t[i])
    if i + 1 < n and poses.detected[i + 1]:
        t1 = float(poses.t[i + 1])
        if t1 - t0 <= max_gap_s:
            w = (t - t0) / (t1 - t0)
            xy = (1.0 - w) * poses.xy[i] + w * poses.xy[i + 1]
            vis = np.minimum(poses.visibility[i], poses.visibility[i + 1])
            return xy, vis
    if t - t0 <= hold_s:
        return poses.xy[i], poses.visibility[i]
    return None


def state_at(frame_t: FloatArray, frames: Sequence[FrameState], t: float) -> FrameState | None:
    """The latest engine state at or before ``t`` (s); ``frame_t (N,)`` are the states' times."""
    i = int(np.searchsorted(frame_t, t, side="right")) - 1
    return frames[i] if i >= 0 else None


@dataclass(frozen=True)
class CountedRep:
    """A rep as the live count saw it: counted at ``t`` (s), its set (1-based) and rep."""

    t: float
    set_index: int
    rep: RepResult


def counted_reps(frames: Sequence[FrameState], analysis: Analysis) -> list[CountedRep]:
    """When each rep of ``analysis`` was counted: the first engine state whose rep count
    reached it; a rep counted only at the end of input (no later state) falls back to its
    ``end_s``. Sorted by time."""
    seen: dict[tuple[int, int], float] = {}
    for f in frames:
        if f.set_index >= 1 and f.rep_count >= 1:
            seen.setdefault((f.set_index, f.rep_count), f.t)
    out: list[CountedRep] = []
    for si, s in enumerate(analysis.sets, start=1):
        for r in s.reps:
            out.append(CountedRep(seen.get((si, r.index), r.end_s), si, r))
    return sorted(out, key=lambda c: c.t)


class FrameAnnotator:
    """Draws the engine's state onto video frames, one frame at a time, in time order.

    Each :meth:`update` takes a frame and its time (s) and returns the annotated copy: skeleton,
    hip angle arc, a panel with the reps counted so far (and how many were good), the working
    leg and the phase, and for
    ``ReportConfig.cue_show_s`` after each counted rep its most important fault cue (or
    "good rep")."""

    def __init__(
        self,
        analysis: Analysis,
        frames: Sequence[FrameState],
        poses: PoseSequence | None,
        config: ReportConfig,
    ) -> None:
        self.analysis = analysis
        self.frames = frames
        self.poses = poses
        self.cfg = config
        self._frame_t = np.array([f.t for f in frames], dtype=np.float64)
        self._counted = counted_reps(frames, analysis)
        self._counted_t = np.array([c.t for c in self._counted], dtype=np.float64)

    def state(self, t: float) -> FrameState | None:
        """The latest engine state at or before ``t`` (s)."""
        return state_at(self._frame_t, self.frames, t)

    def landmarks(self, t: float, size: tuple[int, int]) -> tuple[FloatArray, FloatArray] | None:
        """Landmarks at ``t`` (s) scaled to a frame of ``size = (width, height)`` px."""
        if self.poses is None:
            return None
        got = pose_at(self.poses, t, self.cfg.interpolate_max_gap_s, self.cfg.hold_pose_s)
        if got is None:
            return None
        xy, vis = got
        sw, sh = self.poses.image_size
        if (sw, sh) != size:
            xy = xy * np.array([size[0] / sw, size[1] / sh])
        return xy, vis

    def _good_so_far(self, state: FrameState) -> int:
        if not (1 <= state.set_index <= len(self.analysis.sets)):
            return 0
        reps = self.analysis.sets[state.set_index - 1].reps[: state.rep_count]
        return sum(1 for r in reps if r.good)

    def _cue(self, t: float) -> tuple[str, bool] | None:
        i = int(np.searchsorted(self._counted_t, t, side="right")) - 1
        if i < 0 or t - self._counted[i].t > self.cfg.cue_show_s:
            return None
        rep = self._counted[i].rep
        cue = primary_cue(rep.faults)
        if cue is None:
            return f"Rep {rep.index}: good rep", True
        return f"Rep {rep.index}: {cue}", False

    def update(self, rgb: NDArray[np.uint8], t: float) -> NDArray[np.uint8]:
        """The annotated copy of frame ``rgb (H, W, 3)`` shown at ``t`` (s)."""
        h, w = rgb.shape[:2]
        state = self.state(t)
        side = state.side if state is not None else None
        out = np.array(rgb, dtype=np.uint8, order="C", copy=True)
        lm = self.landmarks(t, (w, h))
        if lm is not None:
            xy, vis = lm
            out = draw_skeleton(out, xy, vis, side, self.cfg.min_visibility, copy=False)
            if state is not None and side is not None and state.abduction_deg is not None:
                out = draw_angle_arc(out, xy, vis, side, state.abduction_deg,
                                     self.cfg.min_visibility, copy=False)
        scale = max(0.5, min(h, w) / 480.0)
        if state is not None and side is not None:
            n = state.rep_count
            title = f"{n} rep{'' if n == 1 else 's'} · {side} leg"
            sub = f"{self._good_so_far(state)} good" if n else "ready"
            panel = panel_patch((title, sub), round(20 * scale), (255, 255, 255),
                                (15, 20, 28, 175), bold_first=True)
            blend_patch(out, panel, round(10 * scale), round(10 * scale))
            phase = state.phase.upper()
            chip = panel_patch((phase,), round(18 * scale), (20, 20, 20),
                               (*PHASE_COLOURS.get(state.phase, (200, 200, 200)), 235),
                               bold_first=True)
            blend_patch(out, chip, w - chip.shape[1] - round(10 * scale), round(10 * scale))
        cue = self._cue(t)
        if cue is not None:
            text, good_rep = cue
            bg = (46, 157, 91, 225) if good_rep else (214, 69, 69, 230)
            bar = panel_patch((text,), round(19 * scale), (255, 255, 255), bg, bold_first=True,
                              min_width=0)
            x = max(0, (w - bar.shape[1]) // 2)
            blend_patch(out, bar, x, h - bar.shape[0] - round(12 * scale))
        return out


def crop_box(
    xy: FloatArray,
    visibility: FloatArray,
    size: tuple[int, int],
    margin: float,
    aspect: float,
    min_visibility: float = 0.3,
) -> tuple[int, int, int, int]:
    """Crop ``(x0, y0, x1, y1)`` px around the visible landmarks ``xy (33, 2)`` of a frame of
    ``size = (width, height)``: their bounding box grown by ``margin`` x its larger side on
    every edge, widened or heightened to ``aspect`` (width / height), moved inside the frame.
    The whole frame when no landmark is visible."""
    w, h = size
    ok = np.isfinite(xy).all(axis=1) & (visibility >= min_visibility)
    if not np.any(ok):
        return 0, 0, w, h
    lo, hi = xy[ok].min(axis=0), xy[ok].max(axis=0)
    pad = margin * float(max(hi - lo))
    bw, bh = float(hi[0] - lo[0]) + 2 * pad, float(hi[1] - lo[1]) + 2 * pad
    if bw / max(bh, 1.0) < aspect:
        bw = bh * aspect
    else:
        bh = bw / aspect
    bw, bh = min(bw, float(w)), min(bh, float(h))
    cx, cy = float(lo[0] + hi[0]) / 2, float(lo[1] + hi[1]) / 2
    x0 = int(np.clip(round(cx - bw / 2), 0, w - round(bw)))
    y0 = int(np.clip(round(cy - bh / 2), 0, h - round(bh)))
    return x0, y0, x0 + round(bw), y0 + round(bh)


def render_key_frame(
    rgb: NDArray[np.uint8] | None,
    t: float,
    annotator: FrameAnnotator,
    size: tuple[int, int],
) -> NDArray[np.uint8] | None:
    """A rep's key frame at ``t`` (s): the video frame (or a plain canvas of ``size = (w, h)``
    px when ``rgb`` is None) with the skeleton and hip angle arc; None when there is neither a
    frame nor a pose."""
    lm = annotator.landmarks(t, size if rgb is None else (rgb.shape[1], rgb.shape[0]))
    if rgb is None and lm is None:
        return None
    img = blank_canvas(size) if rgb is None else rgb
    if lm is None:
        return img.copy()
    state = annotator.state(t)
    side = state.side if state is not None else None
    xy, vis = lm
    cfg = annotator.cfg
    img = draw_skeleton(img, xy, vis, side, cfg.min_visibility)
    if state is not None and side is not None and state.abduction_deg is not None:
        img = draw_angle_arc(img, xy, vis, side, state.abduction_deg, cfg.min_visibility)
    if cfg.key_frame_crop:
        x0, y0, x1, y1 = crop_box(xy, vis, (img.shape[1], img.shape[0]),
                                  cfg.key_frame_margin, cfg.key_frame_aspect,
                                  cfg.min_visibility)
        img = np.ascontiguousarray(img[y0:y1, x0:x1])
    return img


@dataclass
class PassResult:
    """What the decoding pass produced: frames decoded and written, the annotated file (or
    None), and per requested time the nearest raw frame ``(t, rgb)``."""

    frames_read: int
    frames_written: int
    video_path: Path | None
    nearest: dict[float, tuple[float, NDArray[np.uint8]]]


def _iter_source(source: FrameSource, cfg: ReportConfig) -> tuple[
    Iterator[tuple[float, NDArray[np.uint8]]], float, int, Any
]:
    """(frames as (t, rgb), nominal fps, expected frame count (0 if unknown), closer)."""
    if isinstance(source, str | Path):
        src = open_video(Path(source), ReaderConfig(max_long_side=cfg.video_max_long_side))
        info = src.info

        def gen() -> Iterator[tuple[float, NDArray[np.uint8]]]:
            for vf in src:
                yield vf.t, vf.rgb

        return gen(), info.fps or 30.0, info.frame_count, src
    return iter(source), 30.0, 0, None


def run_video_pass(
    source: FrameSource,
    annotator: FrameAnnotator | None,
    out_path: Path | None,
    want_times: Sequence[float],
    config: ReportConfig,
    progress: FrameProgress | None = None,
) -> PassResult:
    """Decode ``source`` once: write every frame annotated by ``annotator`` to ``out_path``
    (H.264, same timestamps; skipped when ``out_path`` is None) and keep the raw frame nearest
    each time in ``want_times`` (s). Stops early when nothing is written and every wanted time
    has passed. Raises :class:`hipwise.video.errors.VideoError` for unreadable input."""
    frames_iter, fps, total, closer = _iter_source(source, config)
    wanted = sorted(set(float(x) for x in want_times))
    nearest: dict[float, tuple[float, NDArray[np.uint8]]] = {}
    window = max(config.key_frame_window_s, 1.0 / fps)
    writer: Any = None
    read = written = 0
    last_t = -np.inf
    try:
        for t, rgb in frames_iter:
            read += 1
            for wt in wanted:
                if abs(t - wt) <= window and (
                    wt not in nearest or abs(t - wt) < abs(nearest[wt][0] - wt)
                ):
                    nearest[wt] = (t, rgb.copy())
            if out_path is not None and annotator is not None:
                h, w = rgb.shape[0] // 2 * 2, rgb.shape[1] // 2 * 2
                if writer is None:
                    writer = VideoWriter(out_path, fps=fps, size=(w, h), crf=config.video_crf,
                                         preset=config.video_preset)
                frame = annotator.update(np.ascontiguousarray(rgb[:h, :w]), t)
                t_out = max(t, last_t + 0.001)
                writer.write(frame, t_out)
                last_t = t_out
                written += 1
            elif wanted and t > wanted[-1] + window:
                break
            if progress is not None:
                progress(read, total)
    finally:
        if writer is not None:
            writer.close()
        if closer is not None:
            closer.close()
    logger.info("video pass: %d frames read, %d written", read, written)
    return PassResult(read, written, out_path if written else None, nearest)
