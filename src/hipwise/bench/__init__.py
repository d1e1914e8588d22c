"""The accuracy and speed benchmark on rendered, labelled clips."""

from hipwise.bench.runner import BenchClip, BenchReport, build_suite, format_table, run_bench
from hipwise.bench.score import ClipScore, FaultCounts, SuiteScore, match_reps, score_clip

__all__ = [
    "BenchClip",
    "BenchReport",
    "ClipScore",
    "FaultCounts",
    "SuiteScore",
    "build_suite",
    "format_table",
    "match_reps",
    "run_bench",
    "score_clip",
]
