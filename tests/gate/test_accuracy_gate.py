"""Accuracy regression gate: the full ``hipwise analyze`` path on a small fixed set of
rendered, labelled clips (tests/data/clips/lift_*.mp4 and the bundled sample). It fails when
accuracy drops below the floors below; raise them as the engine improves, never lower them
without saying why in the commit."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipwise.bench.runner import BenchClip, BenchReport, labels_for, run_bench
from tests.conftest import committed

CLIPS = Path(__file__).resolve().parents[1] / "data" / "clips"
SAMPLE = Path(__file__).resolve().parents[2] / "src" / "hipwise" / "data" / "sample.mp4"

FLOORS = {
    "exact_count_rate": 1.0,  # every clip counted exactly
    "leg_accuracy": 1.0,  # working leg always right
    "peak_mae_deg": 2.0,  # measured 1.6, 1.3 since the head-left frames are mirrored
    # lift, hold and lower each; measured 0.06 / 0.07 / 0.14 with the phase fit fixed to the
    # minimum-jerk shape these clips were rendered with; 0.08 / 0.25 / 0.25 since it weighs
    # cosine and fast-start shapes too (issue 11: a fixed shape read other profiles 0.2-0.5 s
    # off on clips rendered elsewhere)
    "timing_mae_s": 0.3,
    # measured 0.74 on 2026-11-25, 0.88 once hip hike was read from the top-side waist, 0.94
    # with foot rotation scaled right, roll sized by the bottom foot and drift read from the
    # foot's pitch; 0.89 since a bent knee is called only where the image shows it (issue 11:
    # wrong bent-knee calls on held-out clips), which these clips' front camera does not
    "fault_micro_f1": 0.85,
}


@pytest.fixture(scope="module")
def report() -> BenchReport:
    videos = sorted(CLIPS.glob("lift_*.mp4"))
    committed(SAMPLE, *(labels_for(v) for v in [*videos, SAMPLE]))
    videos.append(SAMPLE)
    assert len(videos) >= 5, "the gate needs its labelled clips"
    return run_bench([BenchClip(v.stem, v) for v in videos], measure_bare_fps=False)


@pytest.mark.slow
def test_rep_counts_and_working_leg(report: BenchReport) -> None:
    s = report.score
    assert not report.failures
    assert s.exact_count_rate >= FLOORS["exact_count_rate"], [
        (c.name, c.predicted_reps, c.true_reps) for c in s.clips
    ]
    assert s.leg_accuracy >= FLOORS["leg_accuracy"]


@pytest.mark.slow
def test_angles_and_phase_times(report: BenchReport) -> None:
    s = report.score
    assert s.mae("peak_err") <= FLOORS["peak_mae_deg"]
    for attr in ("lift_err", "hold_err", "lower_err"):
        assert s.mae(attr) <= FLOORS["timing_mae_s"], attr


@pytest.mark.slow
def test_fault_calls(report: BenchReport) -> None:
    faults = report.score.faults().values()
    tp = sum(f.tp for f in faults)
    fp = sum(f.fp for f in faults)
    fn = sum(f.fn for f in faults)
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    assert f1 >= FLOORS["fault_micro_f1"], {
        k: (v.tp, v.fp, v.fn) for k, v in report.score.faults().items() if v.tp + v.fp + v.fn
    }
