"""hipwise: a form coach for the side-lying leg lift.

Public API (stable): the landmark type, the analysis contract models, and the entry points
re-exported below. Nothing happens at import time.
"""

from hipwise.contract import (
    FAULT_IDS,
    SCHEMA_ID,
    Analysis,
    CircleResult,
    HoldResult,
    RepResult,
    SetResult,
    VideoInfo,
)
from hipwise.pose.sequence import PoseFrame, PoseSequence, PoseValidationError

__version__ = "0.1.0"

__all__ = [
    "FAULT_IDS",
    "SCHEMA_ID",
    "Analysis",
    "CircleResult",
    "HoldResult",
    "PoseFrame",
    "PoseSequence",
    "PoseValidationError",
    "RepResult",
    "SetResult",
    "VideoInfo",
    "__version__",
]
