"""From a landmark sequence to the contract's analysis (pure: no I/O, no pose model).

``analyze_sequence`` drives the same :class:`~hipwise.reps.session.SessionTracker` the live coach
uses, one frame at a time, and converts its sets into :class:`~hipwise.contract.Analysis`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from hipwise.config import AnalysisConfig
from hipwise.contract import Analysis, RepResult, SetResult, VideoInfo
from hipwise.pose.sequence import PoseSequence
from hipwise.reps.session import FrameState, RepRecord, SessionTracker, SetRecord

__all__ = ["EngineResult", "analyze_sequence", "rep_to_contract", "to_contract"]


@dataclass(frozen=True)
class EngineResult:
    """Sets of measured reps plus the per-frame states (for CSV, plots and annotation)."""

    sets: list[SetRecord]
    frames: list[FrameState]
    notes: list[str] = field(default_factory=list)


def _r(x: float, nd: int = 3) -> float:
    return round(float(x), nd)


def _opt(x: float) -> float | None:
    return _r(x, 2) if np.isfinite(x) else None


def rep_to_contract(rec: RepRecord) -> RepResult:
    """One counted rep in contract shape (times s, angles deg)."""
    m = rec.measurement
    ph = m.phases
    return RepResult(
        index=rec.index,
        start_s=_r(ph.lift_start),
        peak_s=_r(ph.peak_s),
        end_s=_r(ph.lower_end),
        peak_abduction_deg=_r(ph.peak_deg, 2),
        lift_s=_r(max(ph.lift_s, 0.0)),
        hold_s=_r(ph.hold_s),
        lower_s=_r(max(ph.lower_s, 0.0)),
        faults=list(rec.faults),
        good=rec.good,
        shaking=m.shaking,
        foot_rotation_deg=_opt(m.foot_rotation_deg),
        side_bend_change_deg=_opt(m.side_bend_change_deg),
        pelvis_roll_deg=_opt(m.pelvis_roll_deg),
        forward_drift_deg=_opt(m.forward_drift_deg),
        min_knee_deg=_opt(m.min_knee_deg),
    )


def to_contract(
    result: EngineResult,
    video: VideoInfo,
    warnings: list[str] | None = None,
    version: str | None = None,
) -> Analysis:
    """The JSON contract for one analysed video."""
    sets = [
        SetResult(working_leg=s.side, reps=[rep_to_contract(r) for r in s.reps])
        for s in result.sets
    ]
    return Analysis(
        video=video,
        sets=sets,
        warnings=list(warnings or []) + list(result.notes),
        hipwise_version=version,
    )


def analyze_sequence(seq: PoseSequence, config: AnalysisConfig | None = None) -> EngineResult:
    """Run the session tracker over every frame of ``seq``."""
    cfg = config or AnalysisConfig()
    session = SessionTracker(cfg, record_frames=True)
    for i in range(len(seq)):
        session.update(seq.frame(i))
    if len(seq):
        session.finish(float(seq.t[-1]))
    return EngineResult(sets=session.sets, frames=session.frames)
