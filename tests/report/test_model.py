"""Pure views of the contract: phase times, cues, headlines, summaries."""

from __future__ import annotations

import pytest

from hipwise.contract import Analysis, RepResult, SetResult, VideoInfo
from hipwise.faults import FAULT_RULES
from hipwise.report.html import overall_headline
from hipwise.report.model import (
    by_priority,
    primary_cue,
    rep_phase_times,
    set_headline,
    set_window,
    side_summaries,
    summarise_set,
)


def rep(index: int, faults: list[str], start: float = 1.0, peak: float = 30.0) -> RepResult:
    return RepResult(index=index, start_s=start, peak_s=start + 2.5, end_s=start + 6.5,
                     peak_abduction_deg=peak, lift_s=1.5, hold_s=2.0, lower_s=3.0,
                     faults=faults, good=not faults)


def test_phase_times_come_from_start_end_and_durations() -> None:
    p = rep_phase_times(rep(1, [], start=10.0))
    assert (p.lift_start, p.lift_end, p.lower_start, p.lower_end) == pytest.approx(
        (10.0, 11.5, 13.5, 16.5))


def test_primary_cue_is_the_most_important_fault() -> None:
    # hip_hike has a lower (more important) priority than toes_up and too_fast
    assert primary_cue(["too_fast", "toes_up", "hip_hike"]) == FAULT_RULES["hip_hike"].cue
    assert primary_cue([]) is None
    assert by_priority(["too_fast", "toes_up", "hip_hike"]) == ["hip_hike", "toes_up", "too_fast"]


def test_headlines_lead_with_good_reps() -> None:
    s = SetResult(working_leg="right", reps=[rep(1, []), rep(2, ["toes_up"]), rep(3, [])])
    assert set_headline(s) == "2 good reps of 3 · right leg"
    one = SetResult(working_leg="left", reps=[rep(1, []), rep(2, ["too_high"], peak=50.0)])
    assert set_headline(one) == "1 good rep of 2 · left leg"
    a = Analysis(video=VideoInfo(duration_s=30, fps=30, frames=900), sets=[s, one])
    assert side_summaries(a) == {"right": (2, 3), "left": (1, 2)}
    assert overall_headline(a) == "2 good reps of 3 · right leg | 1 good rep of 2 · left leg"
    empty = Analysis(video=VideoInfo(duration_s=3, fps=30, frames=90), sets=[])
    assert overall_headline(empty) == "No reps counted"


def test_summary_numbers() -> None:
    s = SetResult(working_leg="right",
                  reps=[rep(1, [], peak=22.0), rep(2, ["toes_up"], peak=31.0)])
    sm = summarise_set(s, lower_ratio_target=2.0)
    assert (sm.good, sm.total) == (1, 2)
    assert (sm.peak_min_deg, sm.peak_max_deg) == (22.0, 31.0)
    assert sm.lift_mean_s == pytest.approx(1.5) and sm.lower_target_s == pytest.approx(3.0)
    assert sm.faults == {"toes_up": 1}
    assert set_window(s, 1.5, t_max=7.0) == (0.0, 7.0)
