"""Self-report after a set combined with measured faults (docs/rules.md "What the person feels")."""

from __future__ import annotations

from collections import Counter

from hipwise.contract import FAULT_IDS
from hipwise.program.feedback import FAULT_CUES, NEUTRAL_FOOT_CUE, advice_after_set, cue_for


def test_every_fault_has_a_cue() -> None:
    assert set(FAULT_CUES) == set(FAULT_IDS)
    assert cue_for("toes_up", accept_neutral_foot=True) == NEUTRAL_FOOT_CUE
    assert "toes" in cue_for("toes_up") and "floor" in cue_for("toes_up")


def test_sharp_pain_stops_and_switches_to_the_safe_variation() -> None:
    a = advice_after_set(["sharp_pain", "side_of_hip"], Counter())
    assert a.stop_session and a.switch_to == "isometric_hold" and a.breaks_streak
    assert a.messages[0].startswith("Stop the session")


def test_side_of_hip_is_the_right_muscle() -> None:
    a = advice_after_set(["side_of_hip"], Counter())
    assert not a.stop_session and a.switch_to is None and not a.breaks_streak
    assert "right muscle" in a.messages[0] and len(a.messages) == 1
    with_faults = advice_after_set(["side_of_hip"], Counter({"no_hold": 4, "too_fast": 1}))
    assert with_faults.messages[-1] == "Still work on: " + FAULT_CUES["no_hold"]


def test_nothing_felt_points_at_the_measured_cheat() -> None:
    a = advice_after_set(["nothing"], Counter({"toes_up": 6}), total_reps=15)
    assert "toes up on 6 of 15 reps" in a.messages[0]
    assert FAULT_CUES["toes_up"] in a.messages[0]
    unseen = advice_after_set(["nothing"], Counter())
    assert "cheated" in unseen.messages[0]


def test_front_of_hip_uses_toes_or_drift_else_suggests_the_wall_slide() -> None:
    toes = advice_after_set(["front_of_hip"], Counter({"toes_up": 3}), total_reps=15)
    assert "TFL" in toes.messages[0] and toes.switch_to is None
    labral = advice_after_set(["front_of_hip"], Counter({"toes_up": 3}), accept_neutral_foot=True)
    assert NEUTRAL_FOOT_CUE in labral.messages[0]
    drift = advice_after_set(["front_of_hip"], Counter({"forward_drift": 5}))
    assert "wall slide" in drift.messages[0] and drift.switch_to == "wall_slide"
    unseen = advice_after_set(["front_of_hip"], Counter())
    assert "cannot always see" in unseen.messages[0] and unseen.switch_to == "wall_slide"


def test_lower_back_means_hip_hike_and_breaks_the_streak() -> None:
    a = advice_after_set(["lower_back"], Counter({"hip_hike": 7}), total_reps=15)
    assert a.breaks_streak and not a.stop_session
    assert "hip hike on 7 of 15 reps" in a.messages[0]
    assert "don't count toward ankle weights" in a.messages[0]


def test_no_report_falls_back_to_the_top_fault() -> None:
    a = advice_after_set([], Counter({"dropped": 2, "bent_knee": 5}))
    assert a.messages == (FAULT_CUES["bent_knee"],)
