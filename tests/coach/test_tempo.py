"""The tempo guide: lift, hold 2 s, lower twice as slowly as this rep's lift."""

from __future__ import annotations

import pytest

from hipwise.coach import TempoConfig, TempoGuide


def test_targets_and_progress_follow_the_phases() -> None:
    g = TempoGuide(TempoConfig(lift_s=1.5, rest_s=1.0))
    s = g.update(0.0, "rest")
    assert (s.label, s.target_s, s.count) == ("rest", 1.0, 1)
    s = g.update(1.0, "lift")
    assert s.target_s == pytest.approx(1.5) and s.progress == 0.0
    s = g.update(1.75, "lift")
    assert s.progress == pytest.approx(0.5) and s.count == 1
    s = g.update(2.2, "hold")  # the lift took 1.2 s
    assert s.target_s == pytest.approx(2.0)
    s = g.update(3.3, "hold")
    assert s.count == 2 and s.progress == pytest.approx(0.55)
    s = g.update(4.2, "lower")
    assert s.target_s == pytest.approx(2.4)  # twice this rep's 1.2 s lift
    s = g.update(7.0, "lower")
    assert s.progress == 1.0 and s.count == 3


def test_a_very_fast_lift_does_not_shrink_the_lowering_target_below_the_rule() -> None:
    g = TempoGuide()
    g.update(0.0, "lift")
    g.update(0.3, "hold")
    s = g.update(2.5, "lower")
    assert s.target_s == pytest.approx(2.0 * 1.0)  # lower_ratio_target x too_fast_lift_s
