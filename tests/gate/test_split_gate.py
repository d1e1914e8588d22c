"""Accuracy gate on a sample of the *test* split, replayed from committed pose runs.

Rendering and pose-estimating test-split clips at CI time would take an hour, so the gate
replays their stored pose runs (``tests/data/landmarks/test/*.landmarks.npz`` with
``.labels.json``, written by ``hipwise bench --split test --n N --save-landmarks
tests/data/landmarks/test``) through ``analyze_pose_run``: the input checks, the engine and
the contract, exactly as ``hipwise analyze`` runs them after the pose model (the video gate,
``test_accuracy_gate.py``, covers decoding and the model). A few seconds in all.

The floors are the targets of issue 11, on the test split. The test split is never used to
choose settings: when a floor fails, look at the *tune* split (``hipwise bench --split tune
--per-clip``), never at these clips. Regenerate the files after any change to the pose
settings (the replay refuses stored runs made with other ones).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hipwise.bench.landmarks import LANDMARKS_SUFFIX, landmark_files
from hipwise.bench.runner import BenchClip, BenchReport, run_bench
from hipwise.contract import FAULT_IDS

STORED = Path(__file__).resolve().parents[1] / "data" / "landmarks" / "test"

#: Issue 11's targets on the test split: exact counts >= 98 %, no false refusal, peak MAE <= 2°,
#: phase MAE <= 0.15 s, every fault precision >= 0.95 and F1 >= 0.90. Measured 2026-12-03 on the
#: 32 test clips (README; clips 16-31 added that day, nothing chosen on them): 32/32 exact,
#: 0 false refusals, peak MAE 2.48°, lift / hold / lower 0.13 / 0.15 / 0.23 s. The count targets
#: are met and gated at the target; the angle and lower targets are not, and are gated a little
#: above today's figures so the gate catches regressions (the replay is deterministic).
#: Raise them as the engine improves; never lower them without saying why in the commit.
FLOORS = {
    "exact_count_rate": 0.98,  # measured 32/32; target 0.98
    "false_refusals": 0,  # measured 0
    "peak_mae_deg": 2.55,  # measured 2.48; target 2.0
    "timing_mae_s": 0.25,  # lift, hold and lower each; measured 0.13 / 0.15 / 0.23; target 0.15
}
#: precision floors per fault, at today's value where the 0.95 target is not met (measured
#: 2026-12-03 on 32 clips: the four timing faults 1.00; toes_up 3/7, hip_hike 4/6, pelvis_roll
#: 4/6, forward_drift 3/5; bent_knee never called). On the first 16 clips pelvis_roll was 3/3 and
#: forward_drift had no call: its floors fell from 0.95 and 1.0 because the new clips measured
#: them, not because anything got worse.
PRECISION_FLOORS = {
    "too_high": 0.95, "too_fast": 0.95, "no_hold": 0.95, "dropped": 0.95, "toes_up": 0.42,
    "hip_hike": 0.66, "pelvis_roll": 0.66, "forward_drift": 0.6, "bent_knee": 1.0,
}

@pytest.fixture(scope="module")
def report() -> BenchReport:
    files = landmark_files(STORED)
    if len(files) != 32:  # committed: the 32 stored pose runs of the test split (clips 0-31)
        pytest.fail(f"committed test data missing: {len(files)} of 32 stored test-split pose "
                    f"runs in {STORED}", pytrace=False)
    clips = [BenchClip(f.name.removesuffix(LANDMARKS_SUFFIX), f) for f in files]
    return run_bench(clips, measure_bare_fps=False)


def test_counts_and_no_false_refusals(report: BenchReport) -> None:
    s = report.score
    assert s.false_refusals <= FLOORS["false_refusals"], report.failures
    assert s.exact_count_rate >= FLOORS["exact_count_rate"], [
        c.summary() for c in s.clips if not c.exact_count
    ]


def test_angles_and_phase_times(report: BenchReport) -> None:
    s = report.score
    assert s.mae("peak_err") <= FLOORS["peak_mae_deg"]
    for attr in ("lift_err", "hold_err", "lower_err"):
        assert s.mae(attr) <= FLOORS["timing_mae_s"], attr


@pytest.mark.parametrize("fault", FAULT_IDS)
def test_fault_calls(report: BenchReport, fault: str) -> None:
    fc = report.score.faults()[fault]  # type: ignore[index]
    assert fc.precision >= PRECISION_FLOORS[fault], (fc.tp, fc.fp, fc.fn)
