"""Landmark-level engine tests: scripted motions with known reps, angles and faults."""

import pytest

from hipwise.analysis import analyze_sequence, rep_to_contract
from hipwise.analysis.engine import KNEE_NOTE, EngineResult
from hipwise.contract import FAULT_IDS, RepResult
from hipwise.pose.sequence import PoseSequence
from hipwise.settings import AnalysisConfig
from tests.conftest import concat, make_sequence

POSTURE_FAULTS = ["toes_up", "hip_hike", "pelvis_roll", "forward_drift", "bent_knee"]
TIMING = {
    "too_high": {"peak_deg": 55.0},
    "too_fast": {"lift_s": 0.6, "lower_s": 1.4},
    "no_hold": {"hold_s": 0.6},
    "dropped": {"lower_s": 1.6},
}


def contract_reps(seq: PoseSequence) -> tuple[EngineResult, list[RepResult]]:
    res = analyze_sequence(seq)
    return res, [rep_to_contract(r) for s in res.sets for r in s.reps]


@pytest.mark.parametrize("lying_on", ["left", "right"])
def test_counts_angles_and_working_leg(lying_on: str) -> None:
    seq, truth = make_sequence(
        [{"peak_deg": 30}, {"peak_deg": 22}, {"peak_deg": 38, "lift_s": 2.0, "lower_s": 4.0}],
        lying_on=lying_on,
        noise_px=0.5,
    )
    res, reps = contract_reps(seq)
    assert [s.side for s in res.sets] == [truth.sets[0].working_leg]
    assert len(reps) == 3
    for got, want in zip(reps, truth.sets[0].reps, strict=True):
        assert got.peak_abduction_deg == pytest.approx(want.peak_abduction_deg, abs=1.0)
        assert got.lift_s == pytest.approx(want.lift_s, abs=0.25)
        assert got.hold_s == pytest.approx(want.hold_s, abs=0.3)
        assert got.lower_s == pytest.approx(want.lower_s, abs=0.35)
        assert got.good


@pytest.mark.parametrize("fault", FAULT_IDS)
def test_each_fault_is_found_where_present_and_not_elsewhere(fault: str) -> None:
    bad = {"faults": [fault]} if fault in POSTURE_FAULTS else dict(TIMING[fault])
    seq, truth = make_sequence([{}, bad, {}], noise_px=0.3)
    res, reps = contract_reps(seq)
    assert len(reps) == 3
    assert reps[0].good and reps[2].good
    if fault == "bent_knee":
        # the stick figure bends the knee away from the front camera, which does not show it:
        # no guess, and the analysis says what it could not judge
        assert reps[1].good
        assert KNEE_NOTE in res.notes
        return
    assert [r.faults for r in reps] == [r.faults for r in truth.sets[0].reps]
    assert reps[1].faults == [fault]


def test_combined_faults() -> None:
    seq, truth = make_sequence(
        [{"faults": ["toes_up", "hip_hike"]}, {"faults": ["bent_knee"], "lift_s": 0.7,
                                               "lower_s": 1.6}],
        noise_px=0.3,
    )
    _, reps = contract_reps(seq)
    # the bent knee bends away from the front camera: not seen, not called (see above)
    assert [sorted(r.faults) for r in reps] == [
        sorted(set(r.faults) - {"bent_knee"}) for r in truth.sets[0].reps
    ]


def test_turning_over_starts_a_set_on_the_other_leg() -> None:
    a, _ = make_sequence([{}, {}], lying_on="left")
    b, _ = make_sequence([{}, {}, {}], lying_on="right")
    res = analyze_sequence(concat(a, b, gap_s=2.0))
    assert [(s.side, len(s.reps)) for s in res.sets] == [("right", 2), ("left", 3)]


def test_a_long_pause_splits_sets() -> None:
    a, _ = make_sequence([{}, {}])
    b, _ = make_sequence([{}, {}])
    res = analyze_sequence(concat(a, b, gap_s=20.0))
    assert [len(s.reps) for s in res.sets] == [2, 2]
    res = analyze_sequence(concat(a, b, gap_s=20.0), AnalysisConfig.model_validate(
        {"sets": {"pause_split_s": 60.0}}))
    assert [len(s.reps) for s in res.sets] == [4]


def test_a_person_lying_still_has_no_reps() -> None:
    seq, _ = make_sequence([], motion={"lead_in_s": 5.0})
    assert analyze_sequence(seq).sets == []
