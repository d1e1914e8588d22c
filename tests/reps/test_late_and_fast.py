"""Failure modes 1 and 2 of issue 11 on render-free landmarks: a set that starts soon after the
recording does, and fast swings with short rests, must be counted rep for rep."""

import numpy as np
from numpy.typing import NDArray

from hipwise.analysis.engine import analyze_sequence, to_contract
from hipwise.contract import Analysis, VideoInfo
from hipwise.pose.landmarks import LM, leg_indices
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


def _with(
    seq: PoseSequence, xy: NDArray[np.float64], visibility: NDArray[np.float64] | None = None
) -> PoseSequence:
    return PoseSequence(
        t=seq.t, xy=xy, depth=seq.depth, world=seq.world,
        visibility=seq.visibility if visibility is None else visibility,
        image_size=seq.image_size,
    )


def test_a_rep_is_kept_through_a_short_loss_of_the_person_in_its_hold(make_seq: MakeSeq) -> None:
    """Tune clip 39: the pose model dropped a small body for 0.7 s during the first hold, and
    the rep was discarded as 'lost sight of the leg' (filter.max_gap_s was 0.5 s)."""
    seq, truth = make_seq([{"peak_deg": 30.0}] * 2, noise_px=0.5)
    hold0 = truth.sets[0].reps[0].peak_s
    gone = (seq.t > hold0 - 0.35) & (seq.t < hold0 + 0.35)
    vis = seq.visibility.copy()
    vis[gone] = 0.0
    reps = [r for s in _contract(_thin(_with(seq, seq.xy, vis))).sets for r in s.reps]
    assert len(reps) == 2
    assert abs(reps[0].peak_abduction_deg - 30.0) < 2.0


def test_a_flip_of_the_hips_alone_does_not_measure_the_bottom_leg(make_seq: MakeSeq) -> None:
    """Tune clip 39: for half a second the pose model swapped the left and right hips and
    shoulders but not the legs; the session followed the trunk to the other 'top' leg, read
    -20° (the bottom leg), took that for the rest, and read the next reps 25-30° high."""
    seq, _ = make_seq([{"peak_deg": 30.0, "rest_s": 3.0}] * 3, noise_px=0.5)
    xy = seq.xy.copy()
    mid_rest = (seq.t > 9.6) & (seq.t < 10.2)  # in the rest before the second rep
    swap = np.array([LM.LEFT_HIP, LM.RIGHT_HIP, LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER])
    to = np.array([LM.RIGHT_HIP, LM.LEFT_HIP, LM.RIGHT_SHOULDER, LM.LEFT_SHOULDER])
    rows = np.flatnonzero(mid_rest)
    xy[np.ix_(rows, to)] = seq.xy[np.ix_(rows, swap)]
    # the bottom leg, bent forward, lies 25° below the body's line in the picture
    hip, *rest = leg_indices("left")  # lying on the left: the left leg is the bottom one
    top_hip = int(LM.RIGHT_HIP)
    for i in np.flatnonzero(mid_rest):
        h = seq.xy[i, hip]
        best = None
        for sign in (1.0, -1.0):
            c, s_ = np.cos(np.radians(25.0 * sign)), np.sin(np.radians(25.0 * sign))
            rot = np.array([[c, -s_], [s_, c]])
            pts = (seq.xy[i, rest] - h) @ rot.T + h
            d = float(np.linalg.norm(pts[1] - seq.xy[i, top_hip]))
            if best is None or d > best[0]:
                best = (d, pts)
        assert best is not None
        xy[i, rest] = best[1]
    reps = [r for s in _contract(_thin(_with(seq, xy))).sets for r in s.reps]
    assert len(reps) == 3
    assert all(abs(r.peak_abduction_deg - 30.0) < 2.0 for r in reps)


def test_a_rest_lower_than_any_leg_can_lie_is_not_taken() -> None:
    """A still stretch read far below the body's line (the bottom leg measured) is a misread:
    it is skipped, never becomes the rest, nor the trough a lift is measured from
    (reps.min_rest_deg)."""
    from hipwise.reps import CHANNELS, RepCompleted, RepTracker
    from hipwise.settings import FilterConfig, RepConfig

    t = np.arange(0.0, 26.0, 1 / 12)
    a = np.full_like(t, 3.0)
    for t0 in (1.0, 10.0, 17.5):  # three 30° reps, at rest from 7 to 10 s
        x = t - t0
        a += 30.0 * (np.clip(x / 1.5, 0, 1) - np.clip((x - 3.5) / 2.5, 0, 1))
    a[(t > 8.0) & (t < 9.0)] = -25.0  # a second of the other leg, at rest
    tr = RepTracker(RepConfig(), FilterConfig())
    done = []
    for ti, ai in zip(t, a, strict=True):
        v = np.zeros(len(CHANNELS))
        v[0] = ai
        done += [e for e in tr.update(float(ti), v) if isinstance(e, RepCompleted)]
    assert len(done) == 3
    assert all(abs(e.measurement.phases.peak_deg - 30.0) < 1.5 for e in done)
    assert tr.baseline_deg is not None and abs(tr.baseline_deg - 3.0) < 0.5

