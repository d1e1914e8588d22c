"""The accuracy and speed benchmark on rendered, labelled clips.

The scoring (:mod:`hipwise.bench.score`) is re-exported here; the runner, which loads the pose
model and the video stack, is :mod:`hipwise.bench.runner` (imported by ``hipwise bench`` only,
so that ``hipwise``'s other commands start without it).
"""

from hipwise.bench.score import ClipScore, FaultCounts, SuiteScore, match_reps, score_clip

__all__ = [
    "ClipScore",
    "FaultCounts",
    "SuiteScore",
    "match_reps",
    "score_clip",
]
