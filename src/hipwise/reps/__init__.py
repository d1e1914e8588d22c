"""Repetition tracking, segmentation and per-rep measurement."""

from hipwise.reps.measure import CHANNELS, RepBuffer, RepMeasurement, measure_rep
from hipwise.reps.segment import RepPhases, SegmentationError, StepFit, fit_step, segment_rep
from hipwise.reps.tracker import (
    Phase,
    PhaseChanged,
    RepCompleted,
    RepDiscarded,
    RepEvent,
    RepTracker,
)

__all__ = [
    "CHANNELS",
    "Phase",
    "PhaseChanged",
    "RepBuffer",
    "RepCompleted",
    "RepDiscarded",
    "RepEvent",
    "RepMeasurement",
    "RepPhases",
    "RepTracker",
    "SegmentationError",
    "StepFit",
    "fit_step",
    "measure_rep",
    "segment_rep",
]
