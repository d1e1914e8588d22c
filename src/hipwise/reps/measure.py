"""Per-rep measurements from a finished rep's buffered kinematics (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from hipwise.config import FilterConfig, RepConfig
from hipwise.kinematics.angles import side_bend_change_deg
from hipwise.kinematics.filter import gaussian_smooth
from hipwise.pose.sequence import FloatArray
from hipwise.reps.segment import RepPhases, segment_rep

__all__ = ["CHANNELS", "RepBuffer", "RepMeasurement", "measure_rep", "oscillation_amplitude"]

#: Kinematic channels buffered per frame: raw abduction (not zeroed), foot rotation (deg), the
#: top-side shoulder-hip distance ("waist", px; the trunk side-bend is its shrinking against
#: the hip gap), pelvis roll, forward drift, top knee angle in the image (deg), the top
#: shank/thigh image-length ratio (dimensionless), the bottom foot's rotation (deg; it turns
#: only when the whole body rolls) and the gap between the hips in the image (px).
CHANNELS: tuple[str, ...] = (
    "abduction", "foot", "waist", "roll", "drift", "knee", "shank_ratio", "foot_bottom",
    "hip_gap",
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
    extras: dict[str, float] = field(default_factory=dict)


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


def _ratio_change(buf: RepBuffer, hold: NDArray[np.bool_], pre: NDArray[np.bool_]) -> float:
    """The top shank/thigh image-length ratio at the top over its rest value (1 = unchanged).
    Above 1 the ankle came toward the camera faster than the knee: the leg tilted forward."""
    r = _median(buf.channel("shank_ratio")[hold])
    r0 = _median(buf.channel("shank_ratio")[pre])
    if not (np.isfinite(r) and np.isfinite(r0)) or r0 <= 0:
        return 1.0
    return r / r0


def _pelvis_roll(hip_line: float, bottom_foot: float) -> float:
    """Roll (deg) from two witnesses that must agree: the metric hip line's turn out of the
    image plane and the bottom foot's turn (it lies still unless the whole body rolls). The
    pose model's 3D hips also swing when only the top foot turns, and a foot alone is noisy,
    so the roll is the smaller of the two when they agree in direction, else 0."""
    if not np.isfinite(hip_line):
        return bottom_foot
    if not np.isfinite(bottom_foot):
        return hip_line
    if hip_line * bottom_foot <= 0:
        return 0.0
    return float(hip_line if abs(hip_line) < abs(bottom_foot) else bottom_foot)


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

    def change(name: str) -> float:
        return at_top(name) - before(name)

    amp = oscillation_amplitude(
        t[hold], (angle - gaussian_smooth(t, angle, filter_cfg.segment_sigma_s))[hold],
        rep_cfg.shaking_band_hz,
    )
    return RepMeasurement(
        phases=phases,
        # a whole-body roll turns both feet; only the top foot's own turn is toes_up
        foot_rotation_deg=at_top("foot") - np.nan_to_num(change("foot_bottom")),
        side_bend_change_deg=float(
            side_bend_change_deg(at_top("waist"), before("waist"), before("hip_gap"))
        ),
        pelvis_roll_deg=_pelvis_roll(change("roll"), change("foot_bottom")),
        forward_drift_deg=change("drift"),
        min_knee_deg=at_top("knee"),
        knee_bend_change_deg=-change("knee"),
        shank_growth=_ratio_change(buf, hold, pre),
        shaking=amp > rep_cfg.shaking_amp_deg,
        shaking_amp_deg=amp,
    )
