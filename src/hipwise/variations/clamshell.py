"""Clamshell: knees bent to about 90 degrees, feet together, the top knee opens.

The thighs point toward the camera, so the opening is measured in 3D from the pose model's
metric world landmarks. The feet stay together, so the top
thigh turns about the line from the top hip to the top ankle: the tracked channel is the knee's
rotation about that line (:func:`knee_rotation_deg`), which the rep tracker zeroes on the
closed rest exactly as it zeroes the leg lift's abduction. A rep's reported peak is the angle
the top thigh swept from its closed position (0 = knees together), from that rotation and the
thigh's angle to the line (:func:`swept_angle_deg`).

Counting, phases (open / hold / close) and shaking come from the same
:class:`~hipwise.reps.tracker.RepTracker` the leg lift uses; the only fault is
``pelvis_roll`` (the hips must stay stacked, DOMAIN.md), judged only when
``variations.clamshell.check_pelvis_roll`` is on (see its description).
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

import numpy as np

from hipwise.config import AnalysisConfig
from hipwise.contract import FaultId
from hipwise.pose.landmarks import LM, Side, leg_indices, other_side
from hipwise.pose.sequence import FloatArray, PoseFrame
from hipwise.reps.measure import CHANNELS
from hipwise.reps.session import RepRecord
from hipwise.reps.tracker import RepCompleted, RepDiscarded, RepTracker
from hipwise.variations.holds import shaking_amplitude

__all__ = [
    "ClamshellTracker",
    "clamshell_channels",
    "knee_angle_3d_deg",
    "knee_rotation_deg",
    "pelvis_roll_world_deg",
    "swept_angle_deg",
    "thigh_axis_angle_deg",
]

_ABD = CHANNELS.index("abduction")
_ROLL = CHANNELS.index("roll")
_BETA_KEEP_S = 120.0  # history of beta kept (s): longer than any single opening


def _angle(u: FloatArray, v: FloatArray) -> FloatArray:
    nu = np.linalg.norm(u, axis=-1)
    nv = np.linalg.norm(v, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        c = np.sum(u * v, axis=-1) / (nu * nv)
    return np.degrees(np.arccos(np.clip(c, -1.0, 1.0)))


def _unit(v: FloatArray) -> FloatArray:
    n = np.linalg.norm(v, axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return v / n


def _reject(v: FloatArray, axis: FloatArray) -> FloatArray:
    """``v`` minus its component along unit ``axis``."""
    return v - np.sum(v * axis, axis=-1, keepdims=True) * axis


def knee_rotation_deg(p: FloatArray, top: Side) -> FloatArray:
    """Rotation (deg, ``(...)``) of the top knee about the top hip→ankle line, 0 = knee straight
    in front of that line (toward the camera), 90 = straight above it (toward the top side).

    ``p (..., 33, 3)``: 3D landmarks with the third axis pointing away from the camera (the
    pose model's world landmarks, m). 'Up' is the bottom→top hip vector, 'forward' is toward
    the camera, both taken perpendicular to the hip→ankle axis. Opening the clamshell raises
    it; zero it on the closed rest."""
    hip, knee, ankle, _, _ = leg_indices(top)
    hip_b = leg_indices(other_side(top))[0]
    axis = _unit(p[..., ankle, :] - p[..., hip, :])
    off = _reject(p[..., knee, :] - p[..., hip, :], axis)
    up = _unit(_reject(p[..., hip, :] - p[..., hip_b, :], axis))
    toward_cam = np.zeros_like(off)
    toward_cam[..., 2] = -1.0
    fwd = _unit(_reject(_reject(toward_cam, axis), up))
    return np.degrees(np.arctan2(np.sum(off * up, axis=-1), np.sum(off * fwd, axis=-1)))


def thigh_axis_angle_deg(p: FloatArray, top: Side) -> FloatArray:
    """Angle (deg, ``(...)``) between the top thigh (hip→knee) and the top hip→ankle line in
    3D. A rotation ``psi`` about that line sweeps the thigh by
    ``2 asin(sin(beta) sin(psi / 2))`` (see :func:`swept_angle_deg`). ``p (..., 33, 3)`` as
    in :func:`knee_rotation_deg`."""
    hip, knee, ankle, _, _ = leg_indices(top)
    return _angle(p[..., knee, :] - p[..., hip, :], p[..., ankle, :] - p[..., hip, :])


def swept_angle_deg(rotation_deg: FloatArray | float, beta_deg: FloatArray | float) -> FloatArray:
    """Angle (deg) the thigh sweeps when it turns by ``rotation_deg`` about a line at
    ``beta_deg`` from it: the opening from the closed position (0 = knees together)."""
    half = np.radians(np.asarray(rotation_deg, dtype=np.float64)) / 2
    s = np.sin(np.radians(np.asarray(beta_deg, dtype=np.float64))) * np.sin(np.abs(half))
    return np.sign(half) * np.degrees(2 * np.arcsin(np.clip(s, -1.0, 1.0)))


def knee_angle_3d_deg(p: FloatArray, top: Side) -> FloatArray:
    """Top knee angle hip–knee–ankle (deg, 180 = straight) from 3D landmarks ``p (..., 33, 3)``
    (world, m), ``(...)``: unlike the image angle it sees a knee bent toward the camera."""
    hip, knee, ankle, _, _ = leg_indices(top)
    return _angle(p[..., hip, :] - p[..., knee, :], p[..., ankle, :] - p[..., knee, :])


def pelvis_roll_world_deg(world: FloatArray, top: Side) -> FloatArray:
    """Pelvis roll (deg, ``(...)``): the bottom→top hip line's angle out of the image plane in
    the metric ``world (..., 33, 3)`` landmarks, + = top hip further from the camera (rolling
    back). Zero it on the rest (the rep tracker reads its change from before the opening)."""
    hip_t = leg_indices(top)[0]
    hip_b = leg_indices(other_side(top))[0]
    h = world[..., hip_t, :] - world[..., hip_b, :]
    return np.degrees(np.arctan2(h[..., 2], np.linalg.norm(h[..., :2], axis=-1)))


def clamshell_channels(
    xy: FloatArray,
    depth: FloatArray,
    world: FloatArray,
    visibility: FloatArray,
    top: Side,
    min_visibility: float,
) -> tuple[FloatArray, float]:
    """One frame's rep-tracker channels ``(len(CHANNELS),)`` and the thigh-to-axis angle
    ``beta`` (deg; NaN if unseen). ``abduction`` holds the raw knee rotation
    (:func:`knee_rotation_deg` on the metric ``world (33, 3)`` landmarks: image + depth is
    distorted by perspective, +8 % on the opening at 2.6 m), ``roll`` the pelvis roll
    (:func:`pelvis_roll_world_deg`, deg); the other channels are NaN (not judged). ``xy`` and
    ``depth`` are accepted for symmetry with the leg-lift channels and not used."""
    out = np.full(len(CHANNELS), np.nan)
    beta = float("nan")
    hip, knee, ankle, _, _ = leg_indices(top)
    need = [hip, knee, ankle, leg_indices(other_side(top))[0]]
    if np.all(visibility[need] >= min_visibility):
        out[_ABD] = float(knee_rotation_deg(world, top))
        beta = float(thigh_axis_angle_deg(world, top))
    if np.all(visibility[[LM.LEFT_HIP, LM.RIGHT_HIP]] >= min_visibility):
        out[_ROLL] = float(pelvis_roll_world_deg(world, top))
    return out, beta


class ClamshellTracker:
    """Counts and measures clamshell openings of one working leg, one frame at a time.

    A :class:`~hipwise.reps.tracker.RepTracker` runs on the knee rotation (zeroed on the closed
    rest, so the rep settings apply in degrees of rotation); each counted opening's peak is
    then converted to the thigh's swept angle with the rep's median ``beta``, and that is what
    the rep reports (``phases.peak_deg``, contract ``peak_abduction_deg``)."""

    def __init__(self, config: AnalysisConfig, side: Side) -> None:
        self.cfg = config
        self.side = side
        c = config.variations.clamshell
        reps = config.reps.model_copy(
            update={"preroll_s": c.preroll_s, "rest_settle_s": c.rest_settle_s}
        )
        self._tracker = RepTracker(reps, config.filter)
        self._beta: deque[tuple[float, float]] = deque()
        self.reps: list[RepRecord] = []
        self.discarded: list[RepDiscarded] = []

    def _rep_beta(self, t0: float, t1: float) -> float:
        vals = [b for t, b in self._beta if t0 <= t <= t1 and np.isfinite(b)]
        return float(np.median(vals)) if vals else 90.0

    def _handle(self, events: list[object]) -> list[RepRecord]:
        new: list[RepRecord] = []
        for e in events:
            if isinstance(e, RepCompleted):
                m = e.measurement
                ph = m.phases
                beta = self._rep_beta(ph.lift_start, ph.lower_end)
                opening = float(swept_angle_deg(ph.peak_deg, beta))
                bt = e.buffer.t
                top = (bt >= ph.lift_end) & (bt <= ph.lower_start)
                amp = shaking_amplitude(
                    bt[top],
                    e.buffer.channel("abduction")[top],
                    self.cfg.reps.shaking_band_hz,
                    self.cfg.filter.segment_sigma_s,
                )
                m = replace(
                    m,
                    phases=replace(ph, peak_deg=opening),
                    shaking=amp > self.cfg.reps.shaking_amp_deg,
                    shaking_amp_deg=amp,
                    extras={**m.extras, "rotation_deg": ph.peak_deg, "beta_deg": beta},
                )
                faults: list[FaultId] = []
                if (
                    self.cfg.variations.clamshell.check_pelvis_roll
                    and np.isfinite(m.pelvis_roll_deg)
                    and abs(m.pelvis_roll_deg) > self.cfg.faults.pelvis_roll_deg
                ):
                    faults.append("pelvis_roll")
                rec = RepRecord(len(self.reps) + 1, self.side, m, faults, e.t)
                self.reps.append(rec)
                new.append(rec)
            elif isinstance(e, RepDiscarded):
                self.discarded.append(e)
        return new

    def update(self, frame: PoseFrame) -> list[RepRecord]:
        """Feed one pose frame; returns the openings counted in this frame."""
        if not frame.detected:
            return []
        ch, beta = clamshell_channels(
            frame.xy,
            frame.depth,
            frame.world,
            frame.visibility,
            self.side,
            self.cfg.filter.min_visibility,
        )
        self._beta.append((frame.t, beta))
        while self._beta and self._beta[0][0] < frame.t - _BETA_KEEP_S:
            self._beta.popleft()
        return self._handle(list(self._tracker.update(frame.t, ch)))

    def finish(self, t: float) -> list[RepRecord]:
        """End of input: close an opening that is already back at rest."""
        return self._handle(list(self._tracker.flush(t)))

    @property
    def opening_deg(self) -> float | None:
        """Live knee rotation above the closed rest (deg, low-passed), once a rest is known."""
        tr = self._tracker
        if tr.current_deg is None or tr.baseline_deg is None:
            return None
        return tr.current_deg - tr.baseline_deg
