"""Which variation each bout shows, and its measurements (pure: landmarks in, results out).

:func:`analyze_variations` runs after the leg-lift :class:`~hipwise.reps.session.SessionTracker`
over the same pose sequence. It splits the video into bouts on one working leg (the session's
own side tracking), decides each bout's variation (the ``variation`` setting, or recognition
from the motion when it is ``auto``) and measures it:

- ``leg_lift``: the session's reps, unchanged.
- ``wall_slide``: the session's reps; forward drift judged against the stricter
  ``variations.wall_slide.max_drift_deg``; the heel's forward excursion per rep is kept.
- ``clamshell``: openings counted by a :class:`~hipwise.variations.clamshell.ClamshellTracker`.
- ``isometric_hold``: holds (time, mean angle, sag, shaking); no reps.
- ``isometric_circles``: holds plus the circles drawn by the foot in them; no reps.

Recognition (``auto``), per bout, in this order: a top knee bent under
``clamshell.knee_max_deg`` for most frames → clamshell; a stretch at the top of at least
``recognition.isometric_min_s`` → isometric, with circles when its holds contain at least
``recognition.min_circles`` circles; otherwise leg lift. A wall slide moves like a leg lift and
the wall is not reliably visible in a front view, so it is never guessed: pass
``--variation wall_slide``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

import numpy as np

from hipwise.contract import FAULT_IDS, FaultId, Variation
from hipwise.kinematics.angles import abduction_deg
from hipwise.kinematics.filter import gaussian_smooth
from hipwise.pose.landmarks import LM, Side, leg_indices
from hipwise.pose.sequence import FloatArray, PoseSequence
from hipwise.reps.segment import SegmentationError, fit_step
from hipwise.reps.session import FrameState, RepRecord, SetRecord
from hipwise.settings import AnalysisConfig
from hipwise.variations.circles import Circle, find_circles, px_per_cm
from hipwise.variations.clamshell import ClamshellTracker, knee_angle_3d_deg
from hipwise.variations.holds import Hold, find_holds, measure_hold

__all__ = [
    "Bout",
    "VariationSet",
    "analyze_variations",
    "bouts",
    "circles_in_holds",
    "recognize",
    "zeroed_abduction",
]

logger = logging.getLogger(__name__)

_TRUNK = (LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.LEFT_HIP, LM.RIGHT_HIP)


@dataclass(frozen=True)
class Bout:
    """Frames ``[i0, i1)`` of the sequence spent on one working leg."""

    side: Side
    i0: int
    i1: int


@dataclass
class VariationSet:
    """One set of one variation: reps (leg lift, wall slide, clamshell), holds and circles
    (isometric), times in seconds. ``heel_forward_cm``: wall slide only, per rep, the heel's
    largest excursion toward the camera from its rest position (cm; the wall keeps it ~0)."""

    side: Side
    variation: Variation
    reps: list[RepRecord] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    circles: list[Circle] = field(default_factory=list)
    heel_forward_cm: list[float] = field(default_factory=list)
    recognized: bool = False


def bouts(frames: list[FrameState], min_frames: int = 2) -> list[Bout]:
    """Runs of consecutive frames with the same working leg (``FrameState.side``)."""
    out: list[Bout] = []
    i = 0
    n = len(frames)
    while i < n:
        side = frames[i].side
        j = i
        while j < n and frames[j].side == side:
            j += 1
        if side is not None and j - i >= min_frames:
            out.append(Bout(side, i, j))
        i = j
    return out


def zeroed_abduction(
    seq: PoseSequence, bout: Bout, frames: list[FrameState], min_visibility: float
) -> FloatArray:
    """Raw 2D abduction of the bout's top leg (deg, ``(i1 - i0,)``) minus the person's rest
    (the median over the bout's frames the session saw at rest; the 5th percentile if none).
    NaN where the trunk or ankle is not seen."""
    sl = slice(bout.i0, bout.i1)
    ang = abduction_deg(seq.xy[sl], bout.side)
    ankle = leg_indices(bout.side)[2]
    vis = seq.visibility[sl]
    ok = np.all(vis[:, list(_TRUNK)] >= min_visibility, axis=1) & (vis[:, ankle] >= min_visibility)
    ok &= seq.detected[sl]
    ang = np.where(ok, ang, np.nan)
    rest = np.array([f.phase == "rest" for f in frames[sl]]) & np.isfinite(ang)
    if np.count_nonzero(rest) >= 3:
        base = float(np.median(ang[rest]))
    elif np.any(np.isfinite(ang)):
        base = float(np.nanpercentile(ang, 5))
    else:
        base = 0.0
    return np.asarray(ang - base, dtype=np.float64)


def circles_in_holds(
    seq: PoseSequence, side: Side, holds: list[Hold], cfg: AnalysisConfig
) -> list[Circle]:
    """Circles the top foot (ankle) draws during each hold, in time order."""
    hip, _, ankle, _, _ = leg_indices(side)
    out: list[Circle] = []
    for h in holds:
        sel = (seq.t >= h.start_s) & (seq.t <= h.end_s) & seq.detected
        sel &= seq.visibility[:, ankle] >= cfg.filter.min_visibility
        if np.count_nonzero(sel) < 8:
            continue
        scale = px_per_cm(
            seq.xy[sel, hip], seq.xy[sel, ankle], cfg.variations.circles,
            seq.world[sel, hip], seq.world[sel, ankle],
        )
        leg_dir = np.nanmedian(seq.xy[sel, ankle] - seq.xy[sel, hip], axis=0)
        out.extend(
            find_circles(seq.t[sel], seq.xy[sel, ankle], leg_dir, scale, cfg.variations.circles)
        )
    return out


def _refine(t: FloatArray, angle: FloatArray, h: Hold, cfg: AnalysisConfig) -> tuple[float, float]:
    """Hold boundaries from smooth-step fits of the lift and the lower (the leg-lift
    segmentation's movement model) around the coarse ones; the coarse ones where a fit fails
    or moves them by more than ``holds.refine_max_s``."""
    hc = cfg.variations.holds
    k0, kw = cfg.reps.shape_prior, cfg.reps.shape_prior_weight
    start, end = h.start_s, h.end_s
    pad = hc.refine_pad_s
    try:
        sel = (t >= start - pad) & (t <= start + hc.refine_top_s)
        fit = fit_step(t[sel], angle[sel], k0, kw)
        if abs(fit.t1 - start) <= hc.refine_max_s and fit.hi > fit.lo:
            start = fit.t1
        sel = (t >= end - hc.refine_top_s) & (t <= end + pad)
        fit = fit_step(t[sel], angle[sel], k0, kw)
        if abs(fit.t0 - end) <= hc.refine_max_s and fit.hi < fit.lo:
            end = fit.t0
    except SegmentationError:
        pass
    return start, end


def _holds(seq: PoseSequence, bout: Bout, angle: FloatArray, cfg: AnalysisConfig) -> list[Hold]:
    """Holds of one bout, their ends refined by :func:`_refine`."""
    t = seq.t[bout.i0 : bout.i1]
    ok = np.isfinite(angle)
    if np.count_nonzero(ok) < 3:
        return []
    hc = cfg.variations.holds
    args = (cfg.reps.shaking_band_hz, hc.shaking_amp_deg, cfg.filter.segment_sigma_s)
    tt, aa = t[ok], angle[ok]
    out: list[Hold] = []
    for h in find_holds(tt, aa, hc, *args):
        t0, t1 = _refine(tt, aa, h, cfg)
        out.append(measure_hold(tt, aa, t0, t1, hc, *args) if t1 - t0 >= hc.min_hold_s else h)
    return out


def recognize(
    seq: PoseSequence, bout: Bout, frames: list[FrameState], cfg: AnalysisConfig
) -> Variation:
    """The variation a bout shows, from its motion (see the module docstring)."""
    v = cfg.variations
    sl = slice(bout.i0, bout.i1)
    hip, knee, ankle, _, _ = leg_indices(bout.side)
    vis_ok = np.all(seq.visibility[sl][:, [hip, knee, ankle]] >= cfg.filter.min_visibility, axis=1)
    knee3 = knee_angle_3d_deg(seq.world[sl], bout.side)
    knee3 = knee3[vis_ok & np.isfinite(knee3)]
    if knee3.size and np.mean(knee3 < v.clamshell.knee_max_deg) >= v.clamshell.min_bent_fraction:
        return "clamshell"
    angle = zeroed_abduction(seq, bout, frames, cfg.filter.min_visibility)
    holds = [
        h
        for h in _holds(seq, bout, angle, cfg)
        if h.hold_s >= v.recognition.isometric_min_s and _stays_up(seq.t[sl], angle, h, cfg)
    ]
    if holds:
        n_circles = len(circles_in_holds(seq, bout.side, holds, cfg))
        return "isometric_circles" if n_circles >= v.recognition.min_circles else "isometric_hold"
    return "leg_lift"


def _stays_up(t: FloatArray, angle: FloatArray, hold: Hold, cfg: AnalysisConfig) -> bool:
    """Whether the leg really stayed up through ``hold`` (times s, ``angle (T,)`` zeroed deg):
    the angle, smoothed only as much as a rep's boundaries are (``filter.segment_sigma_s``),
    never comes back down to rest. Fast swings with short rests look like one long hold once
    smoothed for hold finding; they are leg lifts (each one came back down)."""
    ok = np.isfinite(angle)
    if np.count_nonzero(ok) < 3:
        return False
    light = gaussian_smooth(t[ok], angle[ok], cfg.filter.segment_sigma_s)
    inside = (t[ok] >= hold.start_s) & (t[ok] <= hold.end_s)
    return not np.any(light[inside] < cfg.variations.holds.up_deg)


def _wall_faults(rec: RepRecord, cfg: AnalysisConfig, heel_cm: float = float("nan")) -> RepRecord:
    """A wall-slide rep judged for forward drift against the wall limits: drift angle,
    shank growth or the heel leaving the wall (any of them)."""
    ws = cfg.variations.wall_slide
    m = rec.measurement
    faults = set(rec.faults)
    if (
        (np.isfinite(m.forward_drift_deg) and m.forward_drift_deg > ws.max_drift_deg)
        or (np.isfinite(m.shank_growth) and m.shank_growth > ws.max_shank_growth)
        or (np.isfinite(heel_cm) and heel_cm > ws.max_heel_forward_cm)
    ):
        faults.add("forward_drift")
    ordered: list[FaultId] = [f for f in FAULT_IDS if f in faults]
    return replace(rec, faults=ordered)


def _heel_forward_cm(seq: PoseSequence, side: Side, rec: RepRecord) -> float:
    """Largest heel excursion toward the camera during the rep relative to its position in
    the second before it (cm, world landmarks; NaN if unseen)."""
    heel = leg_indices(side)[3]
    ph = rec.measurement.phases
    z = seq.world[:, heel, 2]
    during = (seq.t >= ph.lift_start) & (seq.t <= ph.lower_end) & np.isfinite(z)
    before = (seq.t < ph.lift_start) & (seq.t >= ph.lift_start - 1.0) & np.isfinite(z)
    if not np.any(during) or not np.any(before):
        return float("nan")
    return float(100.0 * (np.median(z[before]) - np.min(z[during])))


def _clamshell(seq: PoseSequence, bout: Bout, cfg: AnalysisConfig) -> list[RepRecord]:
    tracker = ClamshellTracker(cfg, bout.side)
    for i in range(bout.i0, bout.i1):
        tracker.update(seq.frame(i))
    tracker.finish(float(seq.t[bout.i1 - 1]))
    return tracker.reps


def _bout_of_set(s: SetRecord, spans: list[tuple[Side, float, float]]) -> int | None:
    """Index of the bout (``spans``: side, first and last frame time) a session set belongs
    to: the one of its side nearest its first rep's peak (inside it when one contains it). A
    rep the video starts in the middle of may be timed from before the first frame, so the
    set's lift start is no test of where it belongs."""
    if not s.reps:
        return None
    peak = s.reps[0].measurement.phases.peak_s
    best: tuple[float, int] | None = None
    for k, (side, t0, t1) in enumerate(spans):
        if side != s.side:
            continue
        gap = max(t0 - peak, peak - t1, 0.0)
        if best is None or gap < best[0]:
            best = (gap, k)
    return None if best is None else best[1]


def _session_sets_in(sets: list[SetRecord], owner: list[int | None], k: int) -> list[SetRecord]:
    return [s for s, o in zip(sets, owner, strict=True) if o == k]


def analyze_variations(
    seq: PoseSequence,
    cfg: AnalysisConfig,
    sets: list[SetRecord],
    frames: list[FrameState],
) -> list[VariationSet]:
    """Sets of every variation in time order (see the module docstring). ``sets`` and
    ``frames`` come from a :class:`~hipwise.reps.session.SessionTracker` run over ``seq``
    with ``record_frames=True``."""
    out: list[VariationSet] = []
    if len(frames) != len(seq):
        raise ValueError("frames must come from the same sequence (one FrameState per frame)")
    found = bouts(frames)
    spans = [(b.side, float(seq.t[b.i0]), float(seq.t[b.i1 - 1])) for b in found]
    owner = [_bout_of_set(s, spans) for s in sets]
    for k, bout in enumerate(found):
        auto = cfg.variation == "auto"
        var: Variation = recognize(seq, bout, frames, cfg) if auto else cfg.variation  # type: ignore[assignment]
        t0, t1 = float(seq.t[bout.i0]), float(seq.t[bout.i1 - 1])
        logger.info("%s leg %.1f-%.1f s: %s%s", bout.side, t0, t1, var, " (recognised)" * auto)
        if var in ("leg_lift", "wall_slide"):
            for s in _session_sets_in(sets, owner, k):
                vs = VariationSet(bout.side, var, list(s.reps), recognized=auto)
                if var == "wall_slide":
                    vs.heel_forward_cm = [_heel_forward_cm(seq, bout.side, r) for r in vs.reps]
                    vs.reps = [
                        _wall_faults(r, cfg, h)
                        for r, h in zip(vs.reps, vs.heel_forward_cm, strict=True)
                    ]
                out.append(vs)
        elif var == "clamshell":
            reps = _clamshell(seq, bout, cfg)
            if reps:
                out.append(VariationSet(bout.side, var, reps, recognized=auto))
        else:
            angle = zeroed_abduction(seq, bout, frames, cfg.filter.min_visibility)
            holds = _holds(seq, bout, angle, cfg)
            circles: list[Circle] = []
            if var == "isometric_circles":
                circles = circles_in_holds(seq, bout.side, holds, cfg)
            if holds:
                out.append(
                    VariationSet(bout.side, var, holds=holds, circles=circles, recognized=auto)
                )
            # leg lifts done on the same side before or after the holds stay leg lifts
            lifts = [
                r
                for s in _session_sets_in(sets, owner, k)
                for r in s.reps
                if not any(_overlaps(r, h) for h in holds)
            ]
            if lifts:
                lifts = [replace(r, index=i) for i, r in enumerate(lifts, start=1)]
                out.append(VariationSet(bout.side, "leg_lift", lifts, recognized=auto))
    out.sort(key=_set_start)
    return out


def _overlaps(rec: RepRecord, hold: Hold) -> bool:
    ph = rec.measurement.phases
    return ph.lift_start < hold.end_s and hold.start_s < ph.lower_end


def _set_start(vs: VariationSet) -> float:
    times = [r.measurement.phases.lift_start for r in vs.reps] + [h.start_s for h in vs.holds]
    return min(times) if times else 0.0
