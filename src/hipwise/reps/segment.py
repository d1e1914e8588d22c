"""Phase boundaries of one finished repetition (pure).

DOMAIN.md: the lift runs from the moment the leg leaves its resting angle to the moment it stops
rising; the hold lasts while it stays at the top; the lower runs from the moment it starts down
to the moment it is back at rest. Boundaries are where motion starts and stops, not fractions of
the range (timing only the 10-90 % part of a smooth 1.5 s lift reads about 0.9 s).

Each movement is fitted, by robust least squares, with a smooth step
``lo + (hi - lo) * I_x(k, k)``, ``x = (t - t0) / duration`` clipped to [0, 1], where ``I`` is the
regularised incomplete beta function: ``t0`` and ``t0 + duration`` are where motion starts and
stops. The whole movement informs them, so noise near the slow ends matters little.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from scipy.special import betainc

from hipwise.config import FilterConfig, RepConfig
from hipwise.kinematics.filter import gaussian_smooth
from hipwise.pose.sequence import FloatArray

__all__ = ["RepPhases", "SegmentationError", "StepFit", "fit_step", "segment_rep"]

_MIN_DURATION_S = 0.05


class SegmentationError(ValueError):
    """The buffer does not contain a recognisable lift and lower."""


@dataclass(frozen=True)
class RepPhases:
    """Phase boundary times (s) of one rep and its peak angle above rest (deg)."""

    lift_start: float
    lift_end: float
    lower_start: float
    lower_end: float
    peak_deg: float

    @property
    def lift_s(self) -> float:
        """Lift duration (s)."""
        return self.lift_end - self.lift_start

    @property
    def hold_s(self) -> float:
        """Hold duration (s)."""
        return max(0.0, self.lower_start - self.lift_end)

    @property
    def lower_s(self) -> float:
        """Lower duration (s)."""
        return self.lower_end - self.lower_start

    @property
    def peak_s(self) -> float:
        """Middle of the hold (s)."""
        return 0.5 * (self.lift_end + self.lower_start)


@dataclass(frozen=True)
class StepFit:
    """A fitted smooth step: levels (deg), start time and duration (s), shape k."""

    lo: float
    hi: float
    t0: float
    duration: float
    k: float

    @property
    def t1(self) -> float:
        """When the movement stops (s)."""
        return self.t0 + self.duration

    def __call__(self, t: FloatArray) -> FloatArray:
        """The fitted curve at ``t`` (s)."""
        x = np.clip((np.asarray(t) - self.t0) / self.duration, 0.0, 1.0)
        return self.lo + (self.hi - self.lo) * betainc(self.k, self.k, x)


def fit_step(t: FloatArray, a: FloatArray, k_prior: float, k_weight: float) -> StepFit:
    """Fit one monotone movement ``a (N,)`` (deg) over ``t (N,)`` (s) with a smooth step.

    ``a`` should start at one level and end at another (rest→top for a lift, top→rest for a
    lower). Raises :class:`SegmentationError` when there is no clear movement."""
    ok = np.isfinite(a)
    t, a = np.asarray(t)[ok], np.asarray(a)[ok]
    n = len(t)
    if n < 6:
        raise SegmentationError("too few samples to time a movement")
    edge = max(3, n // 10)
    lo, hi = float(np.median(a[:edge])), float(np.median(a[-edge:]))
    span = hi - lo
    if abs(span) < 1e-6:
        raise SegmentationError("no movement")
    f = (a - lo) / span
    i10 = int(np.flatnonzero(f > 0.1)[0]) if np.any(f > 0.1) else 0
    i90 = int(np.flatnonzero(f > 0.9)[0]) if np.any(f > 0.9) else n - 1
    dur0 = max((t[i90] - t[i10]) / 0.6, 0.15)
    t00 = t[i10] - 0.2 * dur0

    def residual(p: FloatArray) -> FloatArray:
        lo_, hi_, t0, d, k = p
        x = np.clip((t - t0) / d, 0.0, 1.0)
        model = lo_ + (hi_ - lo_) * betainc(k, k, x)
        return np.concatenate([model - a, [k_weight * (k - k_prior)]])

    p0 = np.array([lo, hi, t00, dur0, k_prior])
    lb = np.array([-180.0, -180.0, t[0] - 5.0, _MIN_DURATION_S, 1.0])
    ub = np.array([180.0, 180.0, t[-1], 30.0, 5.0])
    p0 = np.clip(p0, lb + 1e-9, ub - 1e-9)
    res = least_squares(
        residual,
        p0,
        bounds=(lb, ub),
        loss="soft_l1",
        f_scale=1.5,
        x_scale=np.array([1.0, 1.0, 0.1, 0.1, 0.1]),
    )
    lo_, hi_, t0, d, k = (float(v) for v in res.x)
    return StepFit(lo_, hi_, t0, d, k)


def segment_rep(
    t: FloatArray, angle: FloatArray, rep_cfg: RepConfig, filter_cfg: FilterConfig
) -> RepPhases:
    """Locate lift/hold/lower in one rep.

    ``t (N,)`` seconds, ``angle (N,)`` abduction above the rest baseline in degrees (raw; NaN
    allowed), covering some rest before the lift and after the lower."""
    t = np.asarray(t, dtype=np.float64)
    angle = np.asarray(angle, dtype=np.float64)
    s = gaussian_smooth(t, angle, filter_cfg.segment_sigma_s)
    ok = np.isfinite(s)
    if np.count_nonzero(ok) < 10:
        raise SegmentationError("too few samples in the rep")
    t, s, angle = t[ok], s[ok], angle[ok]
    i_pk = int(np.argmax(s))
    peak = float(s[i_pk])
    top_idx = np.flatnonzero(s >= peak - rep_cfg.hold_band_deg)
    i_top0, i_top1 = int(top_idx[0]), int(top_idx[-1])
    if i_top0 < 3 or i_top1 > len(t) - 4:
        raise SegmentationError("the rep is cut off at the buffer's edge")
    i_mid = (i_top0 + i_top1) // 2
    i_a = int(np.argmin(s[: i_top0 + 1]))  # the trough before the lift
    i_b = i_top1 + int(np.argmin(s[i_top1:]))  # the trough after the lower
    k0, kw = rep_cfg.shape_prior, rep_cfg.shape_prior_weight
    lift = fit_step(t[i_a : i_mid + 1], angle[i_a : i_mid + 1], k0, kw)
    lower = fit_step(t[i_mid : i_b + 1], angle[i_mid : i_b + 1], k0, kw)
    lift_start, lift_end = lift.t0, lift.t1
    lower_start, lower_end = lower.t0, lower.t1
    if lower_start < lift_end:  # no hold: the two movements meet at the turn
        mid = 0.5 * (lower_start + lift_end)
        lift_end = lower_start = mid
    return RepPhases(lift_start, lift_end, lower_start, lower_end, lift.hi - lift.lo)
