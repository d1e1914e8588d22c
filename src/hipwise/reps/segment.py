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

from hipwise.kinematics.filter import gaussian_smooth
from hipwise.pose.sequence import FloatArray
from hipwise.settings import FilterConfig, RepConfig

__all__ = [
    "LIFT_SHAPES",
    "MOVEMENT_SHAPES",
    "SHAPE_PRIOR",
    "MovementFit",
    "RepPhases",
    "SegmentationError",
    "StepFit",
    "fit_movement",
    "fit_step",
    "segment_rep",
]

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


_LEVEL_MARGIN_DEG = 5.0


def _level_range(a: FloatArray, rest: float | None = None) -> tuple[float, float]:
    """Bounds (deg) for a fitted movement's start and end levels: the angles seen (and the
    ``rest`` level, when the movement's start was not seen), widened by ``_LEVEL_MARGIN_DEG``
    for noise. Unbounded levels let a slow, nearly straight decline be fitted as a slice of a
    huge step (a 6 s sag and lower read as a 30 s lower to -114°)."""
    lo, hi = float(np.min(a)), float(np.max(a))
    if rest is not None:
        lo, hi = min(lo, rest), max(hi, rest)
    return lo - _LEVEL_MARGIN_DEG, hi + _LEVEL_MARGIN_DEG


def fit_step(
    t: FloatArray, a: FloatArray, k_prior: float, k_weight: float, rest: float | None = None
) -> StepFit:
    """Fit one monotone movement ``a (N,)`` (deg) over ``t (N,)`` (s) with a smooth step.

    ``a`` should start at one level and end at another (rest→top for a lift, top→rest for a
    lower). ``rest``: the level the movement started from when its start lies before the
    first sample (a lift under way when the leg was first seen): the fit starts there and may
    reach it. Raises :class:`SegmentationError` when there is no clear movement."""
    ok = np.isfinite(a)
    t, a = np.asarray(t)[ok], np.asarray(a)[ok]
    n = len(t)
    if n < 6:
        raise SegmentationError("too few samples to time a movement")
    edge = max(3, n // 10)
    lo, hi = float(np.median(a[:edge])), float(np.median(a[-edge:]))
    if rest is not None:
        lo = rest
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
    a_lo, a_hi = _level_range(a, rest)
    lb = np.array([a_lo, a_lo, t[0] - 5.0, _MIN_DURATION_S, 1.0])
    ub = np.array([a_hi, a_hi, t[-1], 30.0, 5.0])
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


#: Movement shapes a lift or lower is compared with (DOMAIN.md defines phases by when motion
#: starts and stops, for any smooth profile): a raised cosine, the minimum-jerk profile (Flash &
#: Hogan 1985) and a fast start with a long approach (regularised incomplete beta I_x(2, 4)).
MOVEMENT_SHAPES: tuple[str, ...] = ("cosine", "min_jerk", "fast_start")


#: Shapes a rep's lift is compared with. The fast start is left out: the pose model flattens a
#: leg's slow arrival at the top, so minimum-jerk lifts looked like fast starts with a long
#: approach (the bundled sample's second lift read 0.3 s long and its hold a "no hold"). On the
#: tune split, cosine + minimum-jerk lifts with a single-step lower (see segment_rep) gave phase
#: MAE 0.14 / 0.16 / 0.25 s and no_hold / dropped precision 0.93 / 1.00, against 0.14 / 0.19 /
#: 0.25 s and 0.87 / 0.92 with the fast start as well.
LIFT_SHAPES: tuple[str, ...] = ("cosine", "min_jerk")

#: Prior weight of each shape: minimum-jerk, the model of human point-to-point movement, is
#: taken four times as likely as either other. Chosen on the benchmark's *tune* split (30 reps,
#: phase MAE lift / hold / lower 0.172 / 0.244 / 0.287 s with equal weights, 0.157 / 0.228 /
#: 0.293 s with these).
SHAPE_PRIOR: dict[str, float] = {"cosine": 1.0, "min_jerk": 4.0, "fast_start": 1.0}


def _shape(name: str, x: FloatArray) -> FloatArray:
    if name == "cosine":
        return 0.5 - 0.5 * np.cos(np.pi * x)
    if name == "min_jerk":
        return x * x * x * (10.0 + x * (-15.0 + 6.0 * x))
    if name == "fast_start":
        return betainc(2.0, 4.0, x)
    raise ValueError(f"unknown movement shape {name!r}")


@dataclass(frozen=True)
class MovementFit:
    """One movement's boundaries: start ``t0`` and stop ``t1`` (s), levels before and after
    (deg), and the weight each candidate shape got (sums to 1)."""

    t0: float
    t1: float
    lo: float
    hi: float
    weights: dict[str, float]


def _fit_shape(
    t: FloatArray, a: FloatArray, shape: str, p0: FloatArray, rising: bool,
    rest: float | None = None,
) -> tuple[FloatArray, float]:
    """Least-squares fit of ``lo + (hi - lo) * shape(x) + slope * drift(t)`` where the drift
    term is a slow linear change of the held level: after the movement for a lift (the hold
    that follows it), before it for a lower (the hold that precedes it)."""

    def residual(p: FloatArray) -> FloatArray:
        lo_, hi_, t0, d, slope = p
        x = np.clip((t - t0) / d, 0.0, 1.0)
        drift = np.maximum(t - (t0 + d), 0.0) if rising else np.minimum(t - t0, 0.0)
        return lo_ + (hi_ - lo_) * _shape(shape, x) + slope * drift - a

    a_lo, a_hi = _level_range(a, rest)
    lb = np.array([a_lo, a_lo, t[0] - 5.0, _MIN_DURATION_S, -_MAX_HOLD_DRIFT])
    ub = np.array([a_hi, a_hi, t[-1], 30.0, _MAX_HOLD_DRIFT])
    res = least_squares(
        residual,
        np.clip(p0, lb + 1e-9, ub - 1e-9),
        bounds=(lb, ub),
        loss="soft_l1",
        f_scale=1.5,
        x_scale=np.array([1.0, 1.0, 0.1, 0.1, 0.5]),
    )
    return res.x, float(res.cost)


_FIT_SLACK_S = 0.5  # s a movement's fitted start or stop may lie outside its window

_MAX_HOLD_DRIFT = 4.0  # deg/s: a held leg that sags or creeps faster than this is moving


def fit_movement(
    t: FloatArray,
    a: FloatArray,
    rising: bool,
    k_prior: float = 3.0,
    k_weight: float = 2.0,
    shapes: tuple[str, ...] = MOVEMENT_SHAPES,
    rest: float | None = None,
) -> MovementFit:
    """Where one movement (a lift if ``rising``, else a lower) starts and stops, whatever its
    smooth profile: ``a (N,)`` deg over ``t (N,)`` s is fitted with each shape of ``shapes``
    (plus a slowly drifting hold level next to it) and the boundaries are averaged with weights
    ``SHAPE_PRIOR x exp(-(cost - best) / sigma^2)`` (``sigma^2`` the best fit's residual
    variance). Noise
    cannot tell the shapes apart near their slow ends, so a shape wins only where the whole
    movement says so; a fixed shape reads other profiles 0.2-0.5 s long or short.
    ``rest``: as in :func:`fit_step`. Raises :class:`SegmentationError` when there is no
    clear movement."""
    first = fit_step(t, a, k_prior, k_weight, rest)
    ok = np.isfinite(a)
    tt, aa = np.asarray(t)[ok], np.asarray(a)[ok]
    p0 = np.array([first.lo, first.hi, first.t0, first.duration, 0.0])
    fits = [_fit_shape(tt, aa, name, p0, rising, rest) for name in shapes]
    costs = np.array([c for _, c in fits])
    sigma2 = max(2.0 * float(costs.min()) / len(tt), 0.05)
    w = np.exp(-(costs - costs.min()) / sigma2) * np.array([SHAPE_PRIOR[n] for n in shapes])
    w /= w.sum()
    params = np.array([p for p, _ in fits])
    t0 = float(w @ params[:, 2])
    t1 = float(w @ (params[:, 2] + params[:, 3]))
    return MovementFit(
        t0=t0,
        t1=max(t1, t0 + _MIN_DURATION_S),
        lo=float(w @ params[:, 0]),
        hi=float(w @ params[:, 1]),
        weights={n: float(x) for n, x in zip(shapes, w, strict=True)},
    )


def _crossing_movement(t: FloatArray, a: FloatArray, rising: bool, band: float) -> MovementFit:
    """A movement too short to fit (fewer samples than :func:`fit_step` needs: a fast swing
    lowered in 0.4 s gives four or five frames at 12 fps) timed from its samples: it starts at
    the last sample within ``band`` deg of the level it leaves and stops at the first within
    ``band`` of the level it reaches. Coarser than a fit (a frame's worth), but the rep is
    counted rather than lost."""
    ok = np.isfinite(a)
    t, a = np.asarray(t)[ok], np.asarray(a)[ok]
    if len(t) < 2:
        raise SegmentationError("too few samples to time a movement")
    start_level, end_level = (float(a.min()), float(a.max()))
    if not rising:
        start_level, end_level = end_level, start_level
    near_start = np.flatnonzero(np.abs(a - start_level) <= band)
    near_end = np.flatnonzero(np.abs(a - end_level) <= band)
    i0 = int(near_start[near_start <= near_end[-1]][-1]) if near_start.size else 0
    after = near_end[near_end > i0]
    i1 = int(after[0]) if after.size else len(t) - 1
    return MovementFit(float(t[i0]), float(t[max(i1, i0)]), start_level if rising else
                       end_level, end_level if rising else start_level, {"crossing": 1.0})


def segment_rep(
    t: FloatArray, angle: FloatArray, rep_cfg: RepConfig, filter_cfg: FilterConfig
) -> RepPhases:
    """Locate lift/hold/lower in one rep.

    ``t (N,)`` seconds, ``angle (N,)`` abduction above the rest baseline in degrees (raw; NaN
    allowed), covering some rest before the lift and after the lower. Each movement is timed
    by a fit from the trough before it to the middle of the top: the lift by
    :func:`fit_movement` over :data:`LIFT_SHAPES`, the lower by :func:`fit_step` (see the
    comment there)."""
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
    # a lift already under way at the first sample (the leg first seen mid-lift): its rest
    # before it is the baseline, 0 in this zeroed angle
    unseen = 0.0 if i_a == 0 and s[0] > rep_cfg.end_deg else None
    band = rep_cfg.end_deg
    try:
        lift = fit_movement(t[i_a : i_mid + 1], angle[i_a : i_mid + 1], True, k0, kw,
                            LIFT_SHAPES, unseen)
    except SegmentationError:
        lift = _crossing_movement(t[i_a : i_mid + 1], s[i_a : i_mid + 1], True, band)
    # The lower is timed with one smooth step I_x(k, k) (k pulled toward 3), not with the shape
    # average: the pose model flattens a leg's slow arrival at rest, so the average took
    # minimum-jerk lowers for fast starts with a long approach (the bundled sample's lowers read
    # 0.4-0.5 s long). On the tune split the single step gave the best `dropped` calls (precision
    # 0.92, against 0.71 with cosine + minimum-jerk and 0.80 with all three shapes) at lower MAE
    # 0.25 s; cosine lowers still read ~0.26 s long.
    try:
        low = fit_step(t[i_mid : i_b + 1], angle[i_mid : i_b + 1], k0, kw)
    except SegmentationError:
        low = None
    if low is None:
        lower = _crossing_movement(t[i_mid : i_b + 1], s[i_mid : i_b + 1], False, band)
    elif low.t0 < t[i_mid] - _FIT_SLACK_S or low.t1 > t[i_b] + _FIT_SLACK_S:
        # A step that starts before the top or ends after the trough explains a hold that
        # sags, not a lower: time it with a drifting hold level before the movement instead.
        lower = fit_movement(t[i_mid : i_b + 1], angle[i_mid : i_b + 1], False, k0, kw,
                             LIFT_SHAPES)
    else:
        lower = MovementFit(low.t0, low.t1, low.lo, low.hi, {"step": 1.0})
    lift_start, lift_end = lift.t0, lift.t1
    lower_start, lower_end = lower.t0, lower.t1
    if lower_start < lift_end:  # no hold: the two movements meet at the turn
        mid = 0.5 * (lower_start + lift_end)
        lift_end = lower_start = mid
    rest = lift.lo if unseen is None else unseen
    return RepPhases(lift_start, lift_end, lower_start, lower_end, peak_above(s, rest))


def peak_above(smoothed: FloatArray, rest: float) -> float:
    """The rep's peak (deg): the highest point of the smoothed angle above the fitted rest
    level before the lift (an overshoot or a hold that creeps up counts: it is the top)."""
    return float(np.max(smoothed) - rest)
