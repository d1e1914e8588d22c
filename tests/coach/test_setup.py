"""The setup check on render-free landmark sequences with known camera placements."""

from __future__ import annotations

from typing import Any

import numpy as np

from hipwise.coach import SetupConfig, SetupGate, SetupIssue, setup_issues
from hipwise.pose.sequence import PoseSequence
from hipwise.synth.kinematic import KinematicCamera
from tests.conftest import MakeSeq


def _seq(make_seq: MakeSeq, **camera: Any) -> PoseSequence:
    seq, _ = make_seq([{"peak_deg": 30}], camera=KinematicCamera(**camera))
    return seq


def codes(issues: list[SetupIssue]) -> list[str]:
    return [i.code for i in issues]


def test_a_good_setup_passes(make_seq: MakeSeq) -> None:
    assert setup_issues(_seq(make_seq), people=1, luma=120.0) == []


def test_each_problem_says_what_to_change(make_seq: MakeSeq) -> None:
    far = setup_issues(_seq(make_seq, distance_m=5.0), 1, 120.0)
    assert codes(far) == ["too_far"] and "closer" in far[0].message
    tilted = setup_issues(_seq(make_seq, roll_deg=20.0), 1, 120.0)
    assert codes(tilted) == ["not_level"] and "level" in tilted[0].message
    dark = setup_issues(_seq(make_seq), 1, 12.0)
    assert codes(dark) == ["too_dark"] and "light" in dark[0].message
    two = setup_issues(_seq(make_seq), 2, 120.0)
    assert codes(two) == ["two_people"]


def test_nobody_in_view(make_seq: MakeSeq) -> None:
    seq = _seq(make_seq)
    empty = PoseSequence(
        t=seq.t, xy=np.full_like(seq.xy, np.nan), depth=np.full_like(seq.depth, np.nan),
        world=np.full_like(seq.world, np.nan), visibility=np.zeros_like(seq.visibility),
        image_size=seq.image_size, detected=np.zeros(len(seq), dtype=bool),
    )
    issues = setup_issues(empty, 0, 120.0)
    assert codes(issues) == ["no_person"] and "whole body" in issues[0].message


def test_body_cut_off_by_the_edge(make_seq: MakeSeq) -> None:
    seq = _seq(make_seq)
    shifted = PoseSequence(
        t=seq.t, xy=seq.xy + np.array([260.0, 0.0]), depth=seq.depth, world=seq.world,
        visibility=seq.visibility, image_size=seq.image_size,
    )
    issues = setup_issues(shifted, 1, 120.0)
    assert codes(issues)[0] == "out_of_frame"
    assert "side" in issues[0].message and "further away" in issues[0].message


def test_standing_person_is_told_to_lie_down(make_seq: MakeSeq) -> None:
    seq = _seq(make_seq)
    c = np.array([320.0, 240.0])
    rot = np.array([[0.0, -1.0], [1.0, 0.0]])  # body axis turned vertical
    xy = (seq.xy - c) @ rot.T * 0.8 + c
    upright = PoseSequence(t=seq.t, xy=xy, depth=seq.depth, world=seq.world,
                           visibility=seq.visibility, image_size=seq.image_size)
    assert codes(setup_issues(upright, 1, 120.0)) == ["standing"]


def test_gate_passes_after_a_clean_stretch_and_stays_passed() -> None:
    gate = SetupGate(SetupConfig(pass_s=1.5))
    bad = [SetupIssue("too_far", "closer")]
    assert not gate.update(0.0, bad).passed
    assert not gate.update(1.0, []).passed
    assert not gate.update(2.0, bad).passed  # interrupted: start again
    assert not gate.update(2.5, []).passed
    st = gate.update(4.0, [])
    assert st.passed and st.ok_for_s == 1.5
    assert gate.update(5.0, bad).passed


def test_with_someone_else_in_view_only_that_is_said(make_seq: MakeSeq) -> None:
    seq = _seq(make_seq, distance_m=5.0)  # also too far, but the pose may be the other person
    assert codes(setup_issues(seq, 2, 120.0)) == ["two_people"]


def test_portrait_phone_is_told_to_turn(make_seq: MakeSeq) -> None:
    seq = _seq(make_seq, width=480, height=640)
    issues = setup_issues(seq, 1, 120.0)
    assert codes(issues)[0] == "portrait" and "landscape" in issues[0].message
    assert "too_far" not in codes(issues)
