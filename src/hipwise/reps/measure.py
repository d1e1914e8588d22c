"""Per-rep measurements from a finished rep's buffered kinematics (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from hipwise.kinematics.angles import agreed_roll_deg, side_bend_change_deg
from hipwise.kinematics.filter import gaussian_smooth
from hipwise.pose.sequence import FloatArray
from hipwise.reps.segment import RepPhases, segment_rep
from hipwise.settings import FilterConfig, RepConfig

__all__ = [
    "CHANNELS",
    "Posture",
    "RepBuffer",
    "RepMeasurement",
    "measure_rep",
    "oscillation_amplitude",
    "posture_change",
]

#: Kinematic channels buffered per frame: raw abduction (not zeroed), foot rotation (deg), the
#: top-side shoulder-hip distance ("waist", px; the trunk side-bend is its shrinking against
#: the hip gap), pelvis roll, forward drift, top knee angle in the image (deg), the top
#: shank/thigh image-length ratio (dimensionless), the bottom foot's rotation (deg; it turns
#: only when the whole body rolls), the gap between the hips in the image (px) and the top
#: foot's pitch along the leg (deg; its fall from rest is the forward drift) and the hip line's
#: tilt against the trunk (deg; its growth is the waist crunch seen at the pelvis) and how far
#: the body is turned from the camera (deg, unsigned) and the trunk's length in the image (px;
#: how large the body is in the picture).
CHANNELS: tuple[str, ...] = (
    "abduction", "foot", "waist", "roll", "drift", "knee", "shank_ratio", "foot_bottom",
    "hip_gap", "foot_pitch", "hip_tilt", "yaw", "trunk_px",
)

_MIN_HOLD_WINDOW_S = 0.2


@dataclass(frozen=True)
class RepBuffer:
    """One rep's samples: ``t (N,)`` seconds and ``values (N, len(CHANNELS))`` degrees, plus the
    rest baseline of the abduction (deg) that zeroes this rep's angle."""

    t: FloatArray
    values: FloatArray
    baseline_deg: float

    def channel(self, name: str) -> FloatArray:
        """One channel's ``(N,)`` samples."""
        return self.values[:, CHANNELS.index(name)]


@dataclass(frozen=True)
class RepMeasurement:
    """Everything the fault rules need about one rep (angles in degrees, times in seconds)."""

    phases: RepPhases
    foot_rotation_deg: float
    side_bend_change_deg: float
    pelvis_roll_deg: float
    forward_drift_deg: float
    min_knee_deg: float
    shaking: bool
    shaking_amp_deg: float
    knee_bend_change_deg: float = 0.0
    shank_growth: float = 1.0
    hip_tilt_change_deg: float = float("nan")
    body_yaw_deg: float = 0.0
    trunk_px: float = float("nan")
    extras: dict[str, float] = field(default_factory=dict)

    @property
    def waist_crunch_deg(self) -> float:
        """DOMAIN.md's waist crunch grown during the lift (deg, + = crunch on the top side):
        the larger of its two readings, the top-side waist shortening
        (``side_bend_change_deg``, a trunk bend) and the hip line turning toward the head
        against the trunk (``hip_tilt_change_deg``, a pelvic tilt); NaN if neither was seen."""
        vals = [v for v in (self.side_bend_change_deg, self.hip_tilt_change_deg) if v == v]
        return max(vals) if vals else float("nan")

    @classmethod
    def from_posture(
        cls, phases: RepPhases, p: Posture, shaking: bool = False, shaking_amp_deg: float = 0.0
    ) -> RepMeasurement:
        """A measurement from the rep's phases and its :class:`Posture` at the top."""
        return cls(
            phases=phases,
            foot_rotation_deg=p.foot_rotation_deg,
            side_bend_change_deg=p.side_bend_change_deg,
            pelvis_roll_deg=p.pelvis_roll_deg,
            forward_drift_deg=p.forward_drift_deg,
            min_knee_deg=p.min_knee_deg,
            knee_bend_change_deg=p.knee_bend_change_deg,
            shank_growth=p.shank_growth,
            hip_tilt_change_deg=p.hip_tilt_change_deg,
            body_yaw_deg=p.body_yaw_deg,
            trunk_px=p.trunk_px,
            shaking=shaking,
            shaking_amp_deg=shaking_amp_deg,
        )


def _median(x: FloatArray) -> float:
    x = x[np.isfinite(x)]
    return float(np.median(x)) if x.size else float("nan")


def oscillation_amplitude(
    t: FloatArray, r: FloatArray, band_hz: tuple[float, float], step_hz: float = 0.25
) -> float:
    """Amplitude (deg) of the best-fitting sinusoid with a frequency in ``band_hz`` in the
    residual ``r (N,)`` sampled at ``t (N,)`` s; 0 if too short.

    Only frequencies below 0.45 x the sampling rate are fitted: faster shaking aliases into
    that range (its amplitude survives), while a fit at the Nyquist frequency itself is
    ill-conditioned."""
    ok = np.isfinite(r)
    t, r = t[ok], r[ok]
    if len(t) < 8 or t[-1] - t[0] < 2.0 / band_hz[0]:
        return 0.0
    fs = (len(t) - 1) / (t[-1] - t[0])
    hi = min(band_hz[1], 0.45 * fs)
    if hi <= band_hz[0]:
        return 0.0
    r = r - r.mean()
    best = 0.0
    for f in np.arange(band_hz[0], hi + 1e-9, step_hz):
        basis = np.stack([np.sin(2 * np.pi * f * t), np.cos(2 * np.pi * f * t)], axis=1)
        coef, *_ = np.linalg.lstsq(basis, r, rcond=1e-3)
        best = max(best, float(np.hypot(coef[0], coef[1])))
    return best


@dataclass(frozen=True)
class Posture:
    """The form quantities of one moment against the person's rest (degrees unless named):
    the values the form rules judge, offline at the top of a rep and live frame by frame."""

    foot_rotation_deg: float
    side_bend_change_deg: float
    pelvis_roll_deg: float
    forward_drift_deg: float
    min_knee_deg: float
    knee_bend_change_deg: float
    shank_growth: float
    hip_tilt_change_deg: float = float("nan")
    body_yaw_deg: float = 0.0
    trunk_px: float = float("nan")


def posture_change(top: Mapping[str, float], rest: Mapping[str, float]) -> Posture:
    """Form quantities from channel values (by :data:`CHANNELS` name, NaN = unknown) at the
    top of a lift and at the rest before it. Pure; :func:`measure_rep` feeds it the medians of
    a rep's hold and of the second before its lift, the live coach one frame and the recent
    rest, so offline and live judge the same numbers.

    - foot rotation: the top foot at the top, less the bottom foot's turn (a whole-body roll
      turns both feet; only the top foot's own turn is toes up);
    - side-bend: :func:`~hipwise.kinematics.angles.side_bend_change_deg`;
    - pelvis roll: :func:`~hipwise.kinematics.angles.agreed_roll_deg` of the changes;
    - forward drift: how far the top foot's pitch along the leg fell
      (:func:`~hipwise.kinematics.angles.foot_pitch_deg`; the pose model's 3D landmarks, the
      ``drift`` channel, see ~3 cm of a 36 cm drift);
    - hip tilt: how much the hip line turned toward the head against the trunk since rest
      (:func:`~hipwise.kinematics.angles.hip_tilt_deg`; the waist crunch seen at the pelvis);
    - body yaw: how far the body is turned from the camera at the top
      (:func:`~hipwise.kinematics.angles.body_yaw_deg`);
    - trunk size: the trunk's length in the image at the top (px,
      :func:`~hipwise.kinematics.angles.trunk_px`; NaN if the trunk was not seen);
    - knee: the top knee angle and how much it closed since rest;
    - shank growth: the shank/thigh image-length ratio over its rest value (1 = unchanged;
      above 1 the ankle came toward the camera faster than the knee, the leg tilted forward).
    """

    def change(name: str) -> float:
        return float(top[name] - rest[name])

    r, r0 = top["shank_ratio"], rest["shank_ratio"]
    growth = r / r0 if np.isfinite(r) and np.isfinite(r0) and r0 > 0 else 1.0
    return Posture(
        foot_rotation_deg=float(top["foot"] - np.nan_to_num(change("foot_bottom"))),
        side_bend_change_deg=float(
            side_bend_change_deg(top["waist"], rest["waist"], rest["hip_gap"])
        ),
        pelvis_roll_deg=agreed_roll_deg(change("roll"), change("foot_bottom"), change("foot")),
        forward_drift_deg=-change("foot_pitch"),
        min_knee_deg=float(top["knee"]),
        knee_bend_change_deg=-change("knee"),
        shank_growth=float(growth),
        hip_tilt_change_deg=change("hip_tilt"),
        body_yaw_deg=float(np.nan_to_num(top["yaw"])),
        trunk_px=float(top.get("trunk_px", float("nan"))),
    )


def measure_rep(buf: RepBuffer, rep_cfg: RepConfig, filter_cfg: FilterConfig) -> RepMeasurement:
    """Segment the rep and read each quantity where DOMAIN.md defines it: foot rotation, pelvis
    roll, drift and knee at the top (hold); side-bend as its growth from the rest before the
    lift to the top; shaking as band-limited wobble of the angle during the hold."""
    t = buf.t
    angle = buf.channel("abduction") - buf.baseline_deg
    phases = segment_rep(t, angle, rep_cfg, filter_cfg)
    lo, hi = phases.lift_end, phases.lower_start
    if hi - lo < _MIN_HOLD_WINDOW_S:
        lo, hi = phases.peak_s - _MIN_HOLD_WINDOW_S / 2, phases.peak_s + _MIN_HOLD_WINDOW_S / 2
    hold = (t >= lo) & (t <= hi)
    pre = (t < phases.lift_start) & (t >= phases.lift_start - 1.0)
    if np.count_nonzero(pre) < 2:
        pre = t <= t[0] + 0.2

    def at_top(name: str) -> float:
        return _median(buf.channel(name)[hold])

    def before(name: str) -> float:
        return _median(buf.channel(name)[pre])

    amp = oscillation_amplitude(
        t[hold], (angle - gaussian_smooth(t, angle, filter_cfg.segment_sigma_s))[hold],
        rep_cfg.shaking_band_hz,
    )
    p = posture_change({c: at_top(c) for c in CHANNELS}, {c: before(c) for c in CHANNELS})
    return RepMeasurement.from_posture(phases, p, amp > rep_cfg.shaking_amp_deg, amp)
