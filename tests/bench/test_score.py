from collections.abc import Sequence

from hipwise.bench import score_clip
from hipwise.bench.runner import BenchReport, format_table
from hipwise.bench.score import SuiteScore
from hipwise.contract import Analysis, FaultId, RepResult, SetResult, VideoInfo
from hipwise.pose.landmarks import Side

VIDEO = VideoInfo(duration_s=20.0, fps=30.0, frames=600)


def rep(i: int, start: float, peak: float = 30.0, faults: Sequence[FaultId] = (),
        lift: float = 1.5, shaking: bool = False) -> RepResult:
    return RepResult(
        index=i, start_s=start, peak_s=start + 2.5, end_s=start + 6.5,
        peak_abduction_deg=peak, lift_s=lift, hold_s=2.0, lower_s=3.0,
        faults=list(faults), good=not faults, shaking=shaking,
    )


def analysis(leg: Side, reps: list[RepResult]) -> Analysis:
    return Analysis(video=VIDEO, sets=[SetResult(working_leg=leg, reps=reps)] if reps else [])


def test_perfect_prediction_scores_perfectly() -> None:
    truth = analysis("right", [rep(1, 1.0), rep(2, 9.0, faults=["toes_up"])])
    sc = score_clip("a", truth, truth)
    assert sc.exact_count and sc.matched == 2
    assert sc.peak_err == [0.0, 0.0]
    assert sc.faults["toes_up"].tp == 1 and sc.faults["toes_up"].fp == 0
    assert sc.leg_right == 2


def test_missed_rep_and_spurious_fault_are_counted() -> None:
    truth = analysis("right", [rep(1, 1.0), rep(2, 9.0, faults=["hip_hike"])])
    pred = analysis("left", [rep(1, 1.2, peak=33.0, faults=["toes_up"])])
    sc = score_clip("b", pred, truth)
    assert not sc.exact_count
    assert sc.matched == 1
    assert sc.peak_err == [3.0]
    assert sc.faults["toes_up"].fp == 1
    assert sc.faults["hip_hike"].fn == 1
    assert sc.leg_right == 0


def test_posture_measurements_are_scored_where_the_labels_have_them() -> None:
    t1 = rep(1, 1.0).model_copy(update={"foot_rotation_deg": -10.0, "pelvis_roll_deg": 18.0})
    p1 = rep(1, 1.0).model_copy(update={"foot_rotation_deg": -14.0, "pelvis_roll_deg": 15.0,
                                        "forward_drift_deg": 3.0})
    sc = score_clip("p", analysis("right", [p1]), analysis("right", [t1]))
    assert sc.foot_err == [-4.0] and sc.roll_err == [-3.0]
    assert sc.drift_err == []  # no drift label: nothing to compare
    table = format_table(BenchReport(score=SuiteScore([sc])))
    assert "| foot rotation MAE (deg)" in table and "4.00 (bias -4.00)" in table
    assert "forward drift MAE (deg)" in table


def test_reps_that_do_not_overlap_do_not_match() -> None:
    truth = analysis("right", [rep(1, 1.0)])
    pred = analysis("right", [rep(1, 10.0)])
    assert score_clip("c", pred, truth).matched == 0


def test_table_has_every_headline_row() -> None:
    truth = analysis("right", [rep(1, 1.0, faults=["too_fast"], lift=0.6)])
    rep_ = BenchReport(score=SuiteScore([score_clip("a", truth, truth)]), video_seconds=20,
                       analysis_seconds=5, frames_analysed=300, bare_pose_fps=50.0)
    table = format_table(rep_)
    for needle in ("exact rep count", "peak-abduction MAE", "lift MAE", "working-leg",
                   "fault too_fast: P / R / F1", "real-time factor", "bare pose model"):
        assert needle in table
    assert "4.00x" in table
    assert "1.00 / 1.00 / 1.00 (1)" in table


def test_first_rep_recall_false_refusals_and_the_per_clip_line() -> None:
    truth = analysis("right", [rep(1, 1.0), rep(2, 9.0, faults=["hip_hike"]), rep(3, 17.0)])
    pred = analysis("right", [rep(1, 9.1, faults=["bent_knee"]), rep(2, 17.0),
                              rep(3, 25.0, faults=["toes_up"])])
    late = score_clip("late", pred, truth, description="good, hip_hike, good")
    assert late.first_rep_matched is False and not late.false_refusal
    assert late.missed == ["rep 1 [1.0-7.5s]"]
    assert late.extra == ["[25.0-31.5s] toes_up"]
    assert late.fault_errors == ["rep 2: -hip_hike +bent_knee"]
    line = late.summary()
    assert line.startswith("late (good, hip_hike, good): reps 3/3; first rep missed; missed rep 1")
    assert "faults rep 2: -hip_hike +bent_knee" in line
    ok = score_clip("ok", truth, truth)
    assert ok.first_rep_matched is True and ok.fault_errors == [] == ok.missed
    refused = score_clip("refused", analysis("right", []), truth, refused=True)
    silent = score_clip("silent", analysis("right", []), truth)
    still = score_clip("still", analysis("right", []), analysis("right", []))
    assert refused.false_refusal and silent.false_refusal and not still.false_refusal
    assert "REFUSED" in refused.summary()
    suite = SuiteScore([late, ok, refused, silent, still])
    assert suite.first_rep_recall == 0.25  # 1 of the 4 clips with reps
    assert suite.false_refusals == 2
    assert suite.rep_recall == 5 / 12 and suite.rep_precision == 5 / 6
    table = format_table(BenchReport(score=suite))
    assert "| first-rep recall (clips)" in table and "1/4 (25%)" in table
    assert "false refusals" in table and "2/4" in table


def test_comparison_puts_runs_side_by_side() -> None:
    from hipwise.bench.runner import format_comparison

    truth = analysis("right", [rep(1, 1.0), rep(2, 9.0)])
    good = BenchReport(score=SuiteScore([score_clip("a", truth, truth)]))
    half = BenchReport(score=SuiteScore([score_clip("a", analysis("right", [rep(2, 9.0)]),
                                                    truth)]))
    lines = format_comparison({"test": half, "tune": good}).splitlines()
    assert [c.strip() for c in lines[0].split("|")[1:4]] == ["metric", "test", "tune"]
    row = next(x for x in lines if x.startswith("| first-rep recall"))
    cells = [c.strip() for c in row.split("|")[2:4]]
    assert cells == ["0/1 (0%)", "1/1 (100%)"]
    assert len({len(x) for x in lines}) == 1  # aligned
