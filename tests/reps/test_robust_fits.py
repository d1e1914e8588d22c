"""Rep timing that stays sane on awkward movements (render-free landmarks): a set whose first
lift is under way when the recording starts, and a hold that sags a long way before the
lower."""

import numpy as np
import pytest

from hipwise.analysis.engine import analyze_sequence, to_contract
from hipwise.config import FilterConfig, RepConfig
from hipwise.contract import Analysis, VideoInfo
from hipwise.pose.sequence import PoseSequence
from hipwise.reps.segment import fit_step, segment_rep
from tests.conftest import MakeSeq
from tests.reps.test_late_and_fast import _thin


def _contract(seq: PoseSequence) -> Analysis:
    info = VideoInfo(
        duration_s=float(seq.t[-1]), fps=30.0, frames=len(seq.t), width=640, height=480,
        rotation_deg=0,
    )
    return to_contract(analyze_sequence(seq), info)


def test_a_set_whose_first_lift_is_timed_from_before_the_video_is_still_reported(
    make_seq: MakeSeq,
) -> None:
    # the first lift starts 0.05 s in: its fitted start falls before the first frame, which
    # used to drop the whole set (it was matched to a working-leg bout by its start time)
    rep = {"peak_deg": 30.0, "lift_s": 1.8}
    seq, truth = make_seq([rep] * 2, noise_px=1.0, motion={"lead_in_s": 0.05})
    got = _contract(_thin(seq))
    assert len(got.sets) == 1
    assert len(got.sets[0].reps) >= 1
    assert got.sets[0].working_leg == truth.sets[0].working_leg


def test_a_long_sag_before_the_lower_is_not_read_as_a_lower_of_many_seconds() -> None:
    # rest, a 1.5 s lift to 25°, held while sagging to 19° over 2.5 s, lowered over 3 s, rest:
    # a step fit with free levels read the sag and lower as a 30 s lower toward -114°
    t = np.arange(0.0, 10.0, 1.0 / 12.0)
    lift = 25.0 * (0.5 - 0.5 * np.cos(np.pi * np.clip((t - 1.0) / 1.5, 0.0, 1.0)))
    sag = 25.0 - 2.4 * np.clip(t - 2.5, 0.0, 2.5)
    down = 1.0 - (0.5 - 0.5 * np.cos(np.pi * np.clip((t - 5.0) / 3.0, 0.0, 1.0)))
    a = np.where(t < 2.5, lift, sag * down)
    rng = np.random.default_rng(0)
    ph = segment_rep(t, a + rng.normal(0.0, 0.3, len(t)), RepConfig(), FilterConfig())
    assert abs(ph.lift_start - 1.0) < 0.3
    assert ph.lower_end < 9.0
    assert 2.0 < ph.lower_end - ph.lower_start < 6.0
    # the fitted levels stay within what was seen
    late = t >= 2.5
    fit = fit_step(t[late], a[late], 3.0, 2.0)
    assert min(fit.lo, fit.hi) >= float(a[late].min()) - 5.0
    assert max(fit.lo, fit.hi) <= float(a[late].max()) + 5.0


@pytest.mark.parametrize("frames", [1, 2])
def test_misread_frames_in_a_hold_do_not_split_the_rep(make_seq: MakeSeq, frames: int) -> None:
    # the pose model reads one or two frames of the held leg mirrored across the body line (35° up
    # read as 35° down, as a rendered clip had it): that frame is skipped, not taken for a
    # lower and a new lift
    seq, truth = make_seq([{"peak_deg": 35.0}] * 2, noise_px=0.5)  # lying on the left
    thin = _thin(seq)
    true_rep = truth.sets[0].reps[0]
    k = int(np.argmin(np.abs(thin.t - 0.5 * (true_rep.peak_s + true_rep.end_s - true_rep.lower_s))))
    xy = thin.xy.copy()
    hip = xy[k, 24]
    axis = 0.5 * (xy[k, 23] + xy[k, 24]) - 0.5 * (xy[k, 11] + xy[k, 12])
    axis = axis / np.linalg.norm(axis)
    for f in range(k, k + frames):
        for j in (26, 28, 30, 32):  # right (top) knee, ankle, heel, toe
            v = xy[f, j] - hip
            xy[f, j] = hip + 2.0 * (v @ axis) * axis - v
    bad = PoseSequence(t=thin.t, xy=xy, depth=thin.depth, world=thin.world,
                       visibility=thin.visibility, image_size=thin.image_size)
    got = _contract(bad)
    reps = [r for s in got.sets for r in s.reps]
    assert len(reps) == 2
    assert abs(reps[0].hold_s - true_rep.hold_s) < 0.4
