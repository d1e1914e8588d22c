"""What a report is built from, and small pure views of it (no I/O, no plotting).

A report needs only the contract (:class:`~hipwise.contract.Analysis`) and the engine's
per-frame states (:class:`~hipwise.reps.session.FrameState`); landmarks and video frames are
optional extras (skeleton key frames, annotated video). ``hipwise analyze`` and the live coach
build the same :class:`ReportInput`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from hipwise.config import AnalysisConfig
from hipwise.contract import Analysis, FaultId, RepResult, SetResult
from hipwise.faults import FAULT_RULES
from hipwise.pose.sequence import FloatArray, PoseSequence
from hipwise.reps.measure import CHANNELS
from hipwise.reps.session import FrameState

__all__ = [
    "FAULT_LABELS",
    "FrameSource",
    "RepPhaseTimes",
    "ReportInput",
    "SetSummary",
    "by_priority",
    "channel_series",
    "fault_cue",
    "fault_label",
    "primary_cue",
    "rep_phase_times",
    "set_headline",
    "set_window",
    "side_summaries",
    "summarise_set",
]

#: Video frames for key frames and the annotated video: a file path (decoded with
#: :func:`hipwise.video.open_video`) or an iterable of ``(t seconds, rgb (H, W, 3) uint8)``.
FrameSource = str | Path | Iterable[tuple[float, NDArray[np.uint8]]]

#: Short, plain names of the faults for chips and chart labels.
FAULT_LABELS: dict[FaultId, str] = {
    "too_high": "too high",
    "too_fast": "too fast",
    "no_hold": "no hold",
    "dropped": "dropped",
    "toes_up": "toes up",
    "hip_hike": "hip hike",
    "pelvis_roll": "pelvis roll",
    "forward_drift": "forward drift",
    "bent_knee": "bent knee",
}


@dataclass(frozen=True)
class ReportInput:
    """Everything one report shows.

    ``analysis``: the contract. ``frames``: the engine's states, one per analysed frame, in time
    order. ``settings``: the analysis settings used (shown in the report). ``poses``: the
    landmarks of the analysed frames in pixels (optional: skeletons). ``video``: the frames
    (optional: photo key frames and the annotated video). ``title``: what was analysed (a file
    name, "live set ...").
    """

    analysis: Analysis
    frames: Sequence[FrameState]
    settings: AnalysisConfig
    poses: PoseSequence | None = None
    video: FrameSource | None = None
    title: str = "hipwise set"


@dataclass(frozen=True)
class RepPhaseTimes:
    """Phase boundaries of one rep in seconds (the engine's fitted boundaries)."""

    lift_start: float
    lift_end: float
    lower_start: float
    lower_end: float


def rep_phase_times(rep: RepResult) -> RepPhaseTimes:
    """Phase boundaries (s) recovered from the contract: the lift starts at ``start_s`` and
    lasts ``lift_s``, the lower ends at ``end_s`` and lasts ``lower_s``; the hold lies between."""
    lift_end = rep.start_s + rep.lift_s
    lower_start = max(lift_end, rep.end_s - rep.lower_s)
    return RepPhaseTimes(rep.start_s, lift_end, lower_start, rep.end_s)


def fault_label(fault: FaultId) -> str:
    """Short display name of a fault (``"toes up"``)."""
    return FAULT_LABELS.get(fault, fault.replace("_", " "))


def fault_cue(fault: FaultId) -> str:
    """The plain-language cue of a fault (from the fault registry)."""
    rule = FAULT_RULES.get(fault)
    return rule.cue if rule is not None else ""


def by_priority(faults: Sequence[FaultId]) -> list[FaultId]:
    """``faults`` most important first (lowest registry priority; unknown ids last)."""
    return sorted(faults, key=lambda f: FAULT_RULES[f].priority if f in FAULT_RULES else 1 << 30)


def primary_cue(faults: Sequence[FaultId]) -> str | None:
    """The cue of the most important fault (lowest registry priority), or None if none."""
    ranked = [f for f in by_priority(faults) if f in FAULT_RULES]
    return FAULT_RULES[ranked[0]].cue if ranked else None


@dataclass(frozen=True)
class SetSummary:
    """At-a-glance numbers of one set: counts, peak range (deg), mean tempo (s) and the lower
    target (2 x lift, s); NaN where the set has no reps."""

    good: int
    total: int
    peak_min_deg: float
    peak_max_deg: float
    lift_mean_s: float
    hold_mean_s: float
    lower_mean_s: float
    lower_target_s: float
    faults: dict[FaultId, int]


def summarise_set(s: SetResult, lower_ratio_target: float = 2.0) -> SetSummary:
    """Counts, peak range and mean tempo of one set; ``lower_ratio_target`` x the mean lift is
    the lower target (DOMAIN.md: lower twice as slowly as the lift)."""
    nan = float("nan")
    reps = s.reps
    counts: dict[FaultId, int] = {}
    for r in reps:
        for f in r.faults:
            counts[f] = counts.get(f, 0) + 1
    if not reps:
        return SetSummary(0, 0, nan, nan, nan, nan, nan, nan, counts)
    peaks = np.array([r.peak_abduction_deg for r in reps])
    lift = float(np.mean([r.lift_s for r in reps]))
    return SetSummary(
        good=s.good_reps,
        total=len(reps),
        peak_min_deg=float(peaks.min()),
        peak_max_deg=float(peaks.max()),
        lift_mean_s=lift,
        hold_mean_s=float(np.mean([r.hold_s for r in reps])),
        lower_mean_s=float(np.mean([r.lower_s for r in reps])),
        lower_target_s=lower_ratio_target * lift,
        faults=counts,
    )


def set_headline(s: SetResult) -> str:
    """``"8 good reps of 10 · right leg"``."""
    good, total = s.good_reps, len(s.reps)
    return f"{good} good rep{'' if good == 1 else 's'} of {total} · {s.working_leg} leg"


def side_summaries(analysis: Analysis) -> dict[str, tuple[int, int]]:
    """Good and total reps per working leg over all sets, legs in order of first appearance."""
    out: dict[str, tuple[int, int]] = {}
    for s in analysis.sets:
        good, total = out.get(s.working_leg, (0, 0))
        out[s.working_leg] = (good + s.good_reps, total + len(s.reps))
    return out


def set_window(s: SetResult, margin_s: float, t_max: float | None = None) -> tuple[float, float]:
    """Time window (s) of a set for charts: first rep start - margin to last rep end + margin,
    clipped to [0, t_max]."""
    if not s.reps:
        return 0.0, t_max or 0.0
    lo = max(0.0, min(r.start_s for r in s.reps) - margin_s)
    hi = max(r.end_s for r in s.reps) + margin_s
    if t_max is not None and t_max > 0:
        hi = min(hi, t_max)
    return lo, hi


def channel_series(frames: Sequence[FrameState], name: str) -> tuple[FloatArray, FloatArray]:
    """``(t (N,), values (N,))`` of one engine channel over all frames: ``"abduction_zeroed"``
    (abduction above the person's rest, deg; NaN before the rest is known) or one of
    :data:`hipwise.reps.measure.CHANNELS` (raw, deg; NaN where not measured)."""
    t = np.array([f.t for f in frames], dtype=np.float64)
    if name == "abduction_zeroed":
        v = np.array(
            [np.nan if f.abduction_deg is None else f.abduction_deg for f in frames],
            dtype=np.float64,
        )
        return t, v
    k = CHANNELS.index(name)
    v = np.array([f.channels[k] if len(f.channels) > k else np.nan for f in frames],
                 dtype=np.float64)
    return t, v
