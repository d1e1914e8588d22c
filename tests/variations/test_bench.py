"""Benchmark rows of the variations: scoring against labels (pure)."""

import pytest

from hipwise.bench.variations import score_variations, variation_rows
from hipwise.contract import Analysis, CircleResult, HoldResult, SetResult, Variation, VideoInfo

VIDEO = VideoInfo(duration_s=30.0, fps=15.0, frames=450)


def _hold(t0: float, t1: float, sag: float = 3.0, shaking: bool = False) -> HoldResult:
    return HoldResult(start_s=t0, end_s=t1, hold_s=t1 - t0, mean_abduction_deg=28.0,
                      sag_deg=sag, shaking=shaking)


def _circles(dirs: list[str], cm: float = 25.0) -> list[CircleResult]:
    return [CircleResult(index=i + 1, start_s=3 + 1.6 * i, end_s=4.6 + 1.6 * i,
                         direction=d, diameter_cm=cm)
            for i, d in enumerate(dirs)]


def _analysis(variation: Variation, holds: list[HoldResult], circles: list[CircleResult]
              ) -> Analysis:
    return Analysis(video=VIDEO, sets=[SetResult(working_leg="right", variation=variation,
                                                 reps=[], holds=holds, circles=circles)])


def test_perfect_prediction_scores_perfectly() -> None:
    a = _analysis("isometric_circles", [_hold(2.5, 22.0)], _circles(["clockwise"] * 5))
    sc = score_variations("c", a, a)
    assert sc.variation_right == sc.sets_true == 1
    assert sc.circles_matched == sc.direction_right == 5
    assert sc.hold_s_err == [0.0]
    rows = dict(variation_rows([sc]))
    assert rows["variation label accuracy (sets)"] == "1/1 (100%)"
    assert rows["circle direction accuracy (matched)"] == "5/5 (100%)"
    assert rows["circle clips with exact count"] == "1/1 (100%)"


def test_errors_are_counted() -> None:
    true = _analysis("isometric_circles", [_hold(2.5, 22.0, shaking=True)],
                     _circles(["clockwise"] * 3 + ["counterclockwise"] * 3))
    pred = _analysis("isometric_hold", [_hold(2.7, 21.5, sag=4.0)],
                     _circles(["clockwise"] * 3 + ["clockwise"] * 2, cm=20.0))
    sc = score_variations("c", pred, true)
    assert sc.variation_right == 0
    assert sc.hold_s_err == [pytest.approx(-0.7)]
    assert sc.sag_err == [pytest.approx(1.0)]
    assert sc.hold_shaking_right == 0
    assert (sc.circles_pred, sc.circles_true, sc.circles_matched) == (5, 6, 5)
    assert sc.direction_right == 3
    rows = dict(variation_rows([sc]))
    assert rows["circle count MAE (circles/clip)"] == "1.00"
    assert rows["circle diameter MAE (cm)"].startswith("5.00")


def test_plain_leg_lift_clips_add_no_rows() -> None:
    a = Analysis(video=VIDEO, sets=[SetResult(working_leg="left", reps=[])])
    assert variation_rows([score_variations("x", a, a)]) == []
