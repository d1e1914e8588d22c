from hipwise.bench import format_table, score_clip
from hipwise.bench.runner import BenchReport
from hipwise.bench.score import SuiteScore
from hipwise.contract import Analysis, RepResult, SetResult, VideoInfo

VIDEO = VideoInfo(duration_s=20.0, fps=30.0, frames=600)


def rep(i, start, peak=30.0, faults=(), lift=1.5, shaking=False):
    return RepResult(
        index=i, start_s=start, peak_s=start + 2.5, end_s=start + 6.5,
        peak_abduction_deg=peak, lift_s=lift, hold_s=2.0, lower_s=3.0,
        faults=list(faults), good=not faults, shaking=shaking,
    )


def analysis(leg, reps):
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
