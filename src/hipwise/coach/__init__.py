"""Live coaching: one cue at a time (:class:`Coach`), the tempo guide (:class:`TempoGuide`)
and the setup check (:func:`setup_issues`, :class:`SetupGate`). Pure streaming logic; the web
app (:mod:`hipwise.web`) feeds it."""

from hipwise.coach.coach import EXTRA_CUES, Alert, Coach, CoachFrame, Cue, CueKind, live_faults
from hipwise.coach.setup import (
    SetupGate,
    SetupIssue,
    SetupStatus,
    body_extent_frac,
    body_line_tilt_deg,
    hip_stack_ratio,
    setup_issues,
)
from hipwise.coach.tempo import TempoGuide, TempoState
from hipwise.settings import CoachConfig, SetupConfig, TempoConfig

__all__ = [
    "EXTRA_CUES",
    "Alert",
    "Coach",
    "CoachConfig",
    "CoachFrame",
    "Cue",
    "CueKind",
    "SetupConfig",
    "SetupGate",
    "SetupIssue",
    "SetupStatus",
    "TempoConfig",
    "TempoGuide",
    "TempoState",
    "body_extent_frac",
    "body_line_tilt_deg",
    "hip_stack_ratio",
    "live_faults",
    "setup_issues",
]
