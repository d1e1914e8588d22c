"""Failure modes 1 and 2 of issue 11 on render-free landmarks: a set that starts soon after the
recording does, and fast swings with short rests, must be counted rep for rep."""

import numpy as np

from hipwise.analysis.engine import analyze_sequence, to_contract
from hipwise.contract import Analysis, VideoInfo
from hipwise.pose.sequence import PoseSequence
from tests.conftest import MakeSeq


def _thin(seq: PoseSequence, fps: float = 12.0) -> PoseSequence:
    """Every frame the analysis would see with ``pose.max_fps`` = ``fps``."""
    keep = np.unique(np.searchsorted(seq.t, np.arange(0.0, seq.t[-1], 1.0 / fps)))
    return PoseSequence(
        t=seq.t[keep], xy=seq.xy[keep], depth=seq.depth[keep], world=seq.world[keep],
        visibility=seq.visibility[keep], image_size=seq.image_size,
    )


def _contract(seq: PoseSequence) -> Analysis:
    info = VideoInfo(
        duration_s=float(seq.t[-1]), fps=30.0, frames=len(seq.t), width=640, height=480,
        rotation_deg=0,
    )
    return to_contract(analyze_sequence(seq), info)


def test_a_first_lift_soon_after_the_recording_starts_is_counted(make_seq: MakeSeq) -> None:
    # 0.35 s of rest, then three cosine reps: the first still posture is the first rep's hold
    rep = {"peak_deg": 30.0, "profile": "cosine"}
    seq, truth = make_seq([rep] * 3, noise_px=1.0, motion={"lead_in_s": 0.35})
    got = _contract(_thin(seq))
    reps = [r for s in got.sets for r in s.reps]
    assert len(reps) == 3
    true_starts = [r.start_s for r in truth.sets[0].reps]
    assert np.allclose([r.start_s for r in reps], true_starts, atol=0.2)
    assert all(abs(r.peak_abduction_deg - 30.0) < 2.0 for r in reps)


def _cut(seq: PoseSequence, t0: float) -> PoseSequence:
    later = seq.t >= t0
    return PoseSequence(
        t=seq.t[later] - seq.t[later][0], xy=seq.xy[later], depth=seq.depth[later],
        world=seq.world[later], visibility=seq.visibility[later], image_size=seq.image_size,
    )


def test_a_video_that_starts_near_the_top_of_a_lift_does_not_count_that_rep(
    make_seq: MakeSeq,
) -> None:
    rep = {"peak_deg": 30.0}
    seq, _ = make_seq([rep] * 2, motion={"lead_in_s": 0.3})
    # the first frame is 1.4 s into the first 1.5 s lift: too little of it was seen
    reps = [r for s in _contract(_thin(_cut(seq, 1.7))).sets for r in s.reps]
    assert len(reps) == 1


def test_a_video_that_starts_early_in_a_lift_counts_that_rep(make_seq: MakeSeq) -> None:
    # the first frame is 0.5 s into the first 1.5 s lift (well under half of its 30°): most of
    # the lift was seen, so the rep counts (tune clip 81 lost such a swing)
    rep = {"peak_deg": 30.0}
    seq, _ = make_seq([rep] * 2, motion={"lead_in_s": 0.3})
    reps = [r for s in _contract(_thin(_cut(seq, 0.8))).sets for r in s.reps]
    assert len(reps) == 2
    assert reps[0].start_s < 0.0  # its lift began before the first frame
    assert abs(reps[0].peak_abduction_deg - 30.0) < 3.5


def test_fast_swings_with_short_rests_are_counted_not_taken_for_a_hold(
    make_seq: MakeSeq,
) -> None:
    rests = [0.5, 0.3, 0.6, 0.4, 0.3, 1.5]
    swings = [
        {"peak_deg": 60.0, "lift_s": 0.6, "hold_s": 0.0, "lower_s": 0.6, "rest_s": r,
         "profile": "cosine"}
        for r in rests
    ]
    seq, _ = make_seq(swings, noise_px=1.0, motion={"lead_in_s": 1.0})
    got = _contract(_thin(seq))
    assert [s.variation for s in got.sets] == [None]  # a leg lift, not an isometric hold
    reps = got.sets[0].reps
    assert len(reps) == 6
    assert all({"too_high", "too_fast", "no_hold"} <= set(r.faults) for r in reps)
