import dataclasses

import pytest

from hipwise.config import ConditionsConfig, FaultConfig
from hipwise.contract import FAULT_IDS
from hipwise.faults import FAULT_RULES, evaluate_faults
from hipwise.reps.measure import RepMeasurement
from hipwise.reps.segment import RepPhases

GOOD = RepMeasurement(
    phases=RepPhases(lift_start=1.0, lift_end=2.5, lower_start=4.5, lower_end=7.5, peak_deg=30),
    foot_rotation_deg=-10.0,
    side_bend_change_deg=1.0,
    pelvis_roll_deg=2.0,
    forward_drift_deg=3.0,
    min_knee_deg=176.0,
    shaking=False,
    shaking_amp_deg=0.1,
)

BAD = {
    "too_high": {"phases": dataclasses.replace(GOOD.phases, peak_deg=52.0)},
    "too_fast": {"phases": RepPhases(1.0, 1.6, 3.6, 5.0, 30.0)},
    "no_hold": {"phases": RepPhases(1.0, 2.5, 3.0, 6.0, 30.0)},
    "dropped": {"phases": RepPhases(1.0, 2.5, 4.5, 6.0, 30.0)},
    "toes_up": {"foot_rotation_deg": 20.0},
    "hip_hike": {"side_bend_change_deg": 14.0},
    "pelvis_roll": {"pelvis_roll_deg": -16.0},
    "forward_drift": {"forward_drift_deg": 18.0},
    "bent_knee": {"min_knee_deg": 140.0},
}


def test_every_contract_fault_has_a_rule_with_its_domain_text_and_cue() -> None:
    assert set(FAULT_RULES) == set(FAULT_IDS)
    for rule in FAULT_RULES.values():
        assert len(rule.rule_text) > 20
        assert rule.cue.endswith(".")
    assert len({r.priority for r in FAULT_RULES.values()}) == len(FAULT_RULES)


def test_good_rep_has_no_fault() -> None:
    assert evaluate_faults(GOOD, FaultConfig(), ConditionsConfig()) == []


@pytest.mark.parametrize("fault", FAULT_IDS)
def test_each_fault_alone(fault: str) -> None:
    m = dataclasses.replace(GOOD, **BAD[fault])
    assert evaluate_faults(m, FaultConfig(), ConditionsConfig()) == [fault]


def test_combined_faults_in_contract_order() -> None:
    m = dataclasses.replace(GOOD, **BAD["hip_hike"], **BAD["toes_up"], **BAD["too_high"])
    assert evaluate_faults(m, FaultConfig(), ConditionsConfig()) == [
        "too_high",
        "toes_up",
        "hip_hike",
    ]


def test_labral_tear_accepts_a_neutral_foot_but_not_toes_up() -> None:
    lt = ConditionsConfig(labral_tear=True)
    neutral = dataclasses.replace(GOOD, foot_rotation_deg=0.0)
    assert evaluate_faults(neutral, FaultConfig(), lt) == []
    assert evaluate_faults(dataclasses.replace(GOOD, **BAD["toes_up"]), FaultConfig(), lt) == [
        "toes_up"
    ]


def test_thresholds_are_settings() -> None:
    m = dataclasses.replace(GOOD, phases=dataclasses.replace(GOOD.phases, peak_deg=40.0))
    assert evaluate_faults(m, FaultConfig(too_high_deg=35.0), ConditionsConfig()) == ["too_high"]
