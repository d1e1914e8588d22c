"""Repetition tracking, segmentation and per-rep measurement."""

from hipwise.reps.measure import CHANNELS, RepBuffer, RepMeasurement, measure_rep
from hipwise.reps.segment import RepPhases, SegmentationError, segment_rep
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
    "measure_rep",
    "segment_rep",
]
