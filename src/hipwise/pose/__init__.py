"""Landmark types and the pose-model adapter at the edge."""

from hipwise.pose.engine import (
    EngineFactory,
    EngineSpec,
    FakePoseEngine,
    MediaPipeMissingError,
    PoseEngine,
    PoseRequest,
    RawPose,
)
from hipwise.pose.landmarks import LM, NUM_LANDMARKS, SKELETON_EDGES, Side, leg_indices, other_side
from hipwise.pose.sequence import FloatArray, PoseFrame, PoseSequence, PoseValidationError

__all__ = [
    "LM",
    "NUM_LANDMARKS",
    "SKELETON_EDGES",
    "EngineFactory",
    "EngineSpec",
    "FakePoseEngine",
    "FloatArray",
    "MediaPipeMissingError",
    "PoseEngine",
    "PoseFrame",
    "PoseRequest",
    "PoseSequence",
    "PoseValidationError",
    "RawPose",
    "Side",
    "leg_indices",
    "other_side",
]
