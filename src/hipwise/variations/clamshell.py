"""Clamshell: knees bent to about 90 degrees, feet together, the top knee opens.

The feet stay together, so the top thigh turns about the line from the top hip to the top
ankle: the tracked channel is the knee's rotation about that line, which the rep tracker zeroes
on the closed rest exactly as it zeroes the leg lift's abduction. The thighs point toward the
camera, and the pose model's depth of a knee pointing at it is poor (its world landmarks read
the rendered openings at about half), so the rotation is read from the image
(:func:`knee_rotation_image_deg`): that line lies across the picture, the knee circles it, and
the circle's in-picture component is the knee's distance from the line; its radius comes from
the thigh's length (``thigh_to_trunk`` x the trunk, which lies flat in the picture). The metric
world version (:func:`knee_rotation_deg`) is kept for stick-figure checks. A rep's reported
peak is the angle the top thigh swept from its closed position (0 = knees together), from
that rotation and the thigh's angle to the line (:func:`swept_angle_deg`).

Counting, phases (open / hold / close) and shaking come from the same
:class:`~hipwise.reps.tracker.RepTracker` the leg lift uses; the only fault is
``pelvis_roll`` (the hips must stay stacked, DOMAIN.md), judged only when
``variations.clamshell.check_pelvis_roll`` is on (see its description).
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

import numpy as np

from hipwise.contract import FaultId
from hipwise.pose.landmarks import LM, Side, leg_indices, other_side
from hipwise.pose.sequence import FloatArray, PoseFrame
from hipwise.reps.measure import CHANNELS
from hipwise.reps.session import RepRecord
from hipwise.reps.tracker import RepCompleted, RepDiscarded, RepTracker
from hipwise.settings import AnalysisConfig, ClamshellConfig
from hipwise.variations.holds import shaking_amplitude

__all__ = [
    "ClamshellTracker",
    "clamshell_channels",
    "focal_px",
    "knee_angle_3d_deg",
    "knee_offsets_px",
    "knee_rotation_deg",
    "knee_rotation_image_deg",
    "opening_per_rotation",
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


def focal_px(image_size: tuple[int, int], fov_deg: float) -> float:
    """Focal length (px) of a camera whose long image side spans ``fov_deg`` (deg)."""
    return max(image_size) / 2 / float(np.tan(np.radians(fov_deg) / 2))


def knee_offsets_px(xy: FloatArray, top: Side) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The top knee's position against the top hip→ankle line in the image, and the trunk's
    image length, all px, each ``(...)`` from ``xy (..., 33, 2)``: ``across`` = signed distance
    from the line (+ toward the top side), ``along`` = distance along it from the hip,
    ``trunk`` = mid-shoulder to mid-hip."""
    hip, knee, ankle, _, _ = leg_indices(top)
    hip_b = leg_indices(other_side(top))[0]
    axis = _unit(xy[..., ankle, :] - xy[..., hip, :])
    normal = np.stack([-axis[..., 1], axis[..., 0]], axis=-1)
    up = xy[..., hip, :] - xy[..., hip_b, :]
    normal = normal * np.where(np.sum(normal * up, axis=-1) < 0, -1.0, 1.0)[..., None]
    off = xy[..., knee, :] - xy[..., hip, :]
    shoulders = (xy[..., LM.LEFT_SHOULDER, :] + xy[..., LM.RIGHT_SHOULDER, :]) / 2
    hips = (xy[..., LM.LEFT_HIP, :] + xy[..., LM.RIGHT_HIP, :]) / 2
    return (
        np.sum(off * normal, axis=-1),
        np.abs(np.sum(off * axis, axis=-1)),
        np.linalg.norm(shoulders - hips, axis=-1),
    )


def knee_rotation_image_deg(
    across: FloatArray | float,
    along: FloatArray | float,
    trunk: FloatArray | float,
    config: ClamshellConfig,
    focal: float,
) -> tuple[FloatArray, FloatArray]:
    """Knee rotation about the top hip→ankle line and the thigh's angle to that line (deg,
    each shaped like the inputs) from the image offsets of :func:`knee_offsets_px` (px; the
    tracker passes running medians for ``along`` and ``trunk``, which do not change as the
    knee turns) and the camera's focal length ``focal`` (px, :func:`focal_px`).

    With the feet together the knee moves on a circle about the hip→ankle line, which lies
    across the picture (hip and ankle at about the same distance from a front camera). In the
    image the knee's signed distance from that line is ``r sin(psi)`` (``psi`` = rotation, 0 =
    knee straight at the camera, + toward the top side) and its position along the line is
    ``L cos(beta)``; ``L`` = ``config.thigh_to_trunk`` x the trunk's length in the picture
    (the trunk lies flat in it), ``r = L sin(beta)``; ``beta`` is floored at
    ``config.min_thigh_axis_deg``. The knee is nearer the camera than the trunk by
    ``r cos(psi)``, which magnifies its offsets by ``1 / (1 - r cos(psi) / focal)`` (in pixels
    at the trunk's distance): solved for, two passes."""
    across = np.asarray(across, dtype=np.float64)
    along = np.asarray(along, dtype=np.float64)
    thigh = config.thigh_to_trunk * np.asarray(trunk, dtype=np.float64)
    magnify = np.ones_like(across)
    psi = beta = np.zeros_like(across)
    for _ in range(2):
        with np.errstate(invalid="ignore", divide="ignore"):
            beta = np.degrees(np.arccos(np.clip(along / (magnify * thigh), -1.0, 1.0)))
            beta = np.maximum(beta, config.min_thigh_axis_deg)
            radius = thigh * np.sin(np.radians(beta))
            # across = magnify * radius * sin(psi), magnify = 1 / (1 - k cos(psi))
            a = across / radius
            k = radius / focal
            psi = np.degrees(
                np.arcsin(np.clip(a / np.sqrt(1 + (a * k) ** 2), -1.0, 1.0)) - np.arctan(a * k)
            )
            magnify = 1 / (1 - k * np.cos(np.radians(psi)))
    return psi, beta


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


def opening_per_rotation(rotation_deg: float, beta_deg: float) -> float:
    """d(opening)/d(rotation) (dimensionless) of :func:`swept_angle_deg` at ``rotation_deg``
    for a thigh at ``beta_deg`` to the axis: converts small oscillations of the rotation into
    degrees of opening."""
    h = 0.5
    return float(
        (swept_angle_deg(rotation_deg + h, beta_deg) - swept_angle_deg(rotation_deg - h, beta_deg))
        / (2 * h)
    )


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
    frame: PoseFrame,
    top: Side,
    min_visibility: float,
    config: ClamshellConfig,
    body: tuple[float, float] | None = None,
) -> tuple[FloatArray, float, tuple[float, float] | None]:
    """One frame's rep-tracker channels ``(len(CHANNELS),)``, the thigh-to-axis angle ``beta``
    (deg; NaN if unseen) and this frame's ``(along, trunk)`` (px, None if unseen).

    ``abduction`` holds the raw knee rotation read from the image
    (:func:`knee_rotation_image_deg`; ``body`` = steadier ``(along, trunk)`` to use instead of
    this frame's, e.g. running medians), ``roll`` the pelvis roll from the metric world
    landmarks (:func:`pelvis_roll_world_deg`, deg); the other channels are NaN (not judged)."""
    out = np.full(len(CHANNELS), np.nan)
    beta = float("nan")
    seen: tuple[float, float] | None = None
    vis = frame.visibility
    hip, knee, ankle, _, _ = leg_indices(top)
    need = [hip, knee, ankle, leg_indices(other_side(top))[0], LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER]
    if np.all(vis[need] >= min_visibility):
        across, along, trunk = (float(v) for v in knee_offsets_px(frame.xy, top))
        seen = (along, trunk)
        use = body if body is not None else seen
        psi, b = knee_rotation_image_deg(
            across, use[0], use[1], config, focal_px(frame.image_size, config.camera_fov_deg)
        )
        out[_ABD] = float(psi)
        beta = float(b)
    if np.all(vis[[LM.LEFT_HIP, LM.RIGHT_HIP]] >= min_visibility):
        out[_ROLL] = float(pelvis_roll_world_deg(frame.world, top))
    return out, beta, seen


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
        # the tracked angle is the knee's rotation, not the leg's abduction: the leg lift's
        # floors under the rest (where no top leg can lie) do not apply
        reps = config.reps.model_copy(
            update={"preroll_s": c.preroll_s, "rest_settle_s": c.rest_settle_s,
                    "min_rest_deg": -90.0, "max_below_rest_deg": 90.0}
        )
        self._tracker = RepTracker(reps, config.filter)
        self._beta: deque[tuple[float, float]] = deque()
        self._body: deque[tuple[float, tuple[float, float]]] = deque()
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
                # in degrees of opening: the rotation's amplitude times d(opening)/d(rotation)
                # at the top
                amp = shaking_amplitude(
                    bt[top],
                    e.buffer.channel("abduction")[top],
                    self.cfg.reps.shaking_band_hz,
                    self.cfg.filter.segment_sigma_s,
                ) * opening_per_rotation(ph.peak_deg, beta)
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
        c = self.cfg.variations.clamshell
        body = None
        if self._body:
            arr = np.array([b for _, b in self._body])
            body = (float(np.median(arr[:, 0])), float(np.median(arr[:, 1])))
        ch, beta, seen = clamshell_channels(
            frame, self.side, self.cfg.filter.min_visibility, c, body
        )
        if seen is not None:
            self._body.append((frame.t, seen))
            while self._body and self._body[0][0] < frame.t - c.body_window_s:
                self._body.popleft()
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
