"""``hipwise bench stress``: render-free landmarks with pose noise and misreads, the engine
with and without its misread guard."""

from __future__ import annotations

import numpy as np
import pytest

from hipwise.bench import stress
from hipwise.bench.runner import table_rows
from hipwise.cli import EXIT_USAGE, main
from hipwise.pose.landmarks import LM, leg_indices, other_side
from hipwise.pose.sequence import FloatArray
from hipwise.settings import AnalysisConfig, RepConfig


def _exact(res: stress.StressResult, run: str) -> int:
    return sum(c.exact_count for c in res.reports[run].score.clips)


def test_without_misreads_every_clip_counts_exactly_and_the_table_builds() -> None:
    st = stress.StressSettings(noise_px=0.5, drift_px=0.5, misread_rate=0.0)
    res = stress.run_stress(4, settings=st)
    assert res.misread_frames == 0 and res.frames > 0
    assert _exact(res, stress.GUARD) == 4
    assert _exact(res, stress.NO_GUARD) == 4
    table = stress.format_stress(res)
    head = table.splitlines()[0]
    assert stress.GUARD in head and stress.NO_GUARD in head
    # the rows of `hipwise bench`, without the pose-model speed rows
    keys = [k for k, _ in table_rows(res.reports[stress.GUARD])]
    assert "clips with exact rep count" in keys and "fault toes_up: P / R / F1 (n)" in keys
    assert not any("real-time" in k or "pose model" in k for k in keys)
    assert "| clips with exact rep count" in table and "4/4 (100%)" in table


def test_misreads_are_seeded_and_mirror_the_top_leg_on_their_frames() -> None:
    sc = stress.stress_scenarios(1)[0]
    st = stress.StressSettings(misread_rate=0.05)
    a, truth, bad = stress.stress_landmarks(sc, st, max_fps=12.0)
    b, _, bad_again = stress.stress_landmarks(sc, st, max_fps=12.0)
    assert np.array_equal(a.xy, b.xy) and np.array_equal(bad, bad_again)
    assert truth.sets and truth.sets[0].working_leg == other_side(sc.person.lying_on)
    clean, _, none = stress.stress_landmarks(sc, stress.StressSettings(misread_rate=0.0), 12.0)
    assert not none.any() and bad.any()
    top = other_side(sc.person.lying_on)
    hip, *leg = (int(j) for j in leg_indices(top))
    changed = np.any(np.abs(a.xy - clean.xy) > 1e-9, axis=2)  # (T, 33)
    assert np.array_equal(np.flatnonzero(changed.any(axis=1)), np.flatnonzero(bad))
    assert set(np.flatnonzero(changed.any(axis=0))) == set(leg)
    # mirrored across the long axis through the top hip: the thigh's angle to it flips sign
    for k in np.flatnonzero(bad):
        c = clean.xy[k]
        axis = 0.5 * (c[int(LM.LEFT_HIP)] + c[int(LM.RIGHT_HIP)]) - 0.5 * (
            c[int(LM.LEFT_SHOULDER)] + c[int(LM.RIGHT_SHOULDER)])

        def angle(p: FloatArray, ax: FloatArray = axis, h: FloatArray = c[hip]) -> float:
            v = p - h
            return float(np.degrees(np.arctan2(ax[0] * v[1] - ax[1] * v[0], ax @ v)))

        assert angle(a.xy[k, leg[0]]) == pytest.approx(-angle(c[leg[0]]), abs=1e-6)
    # a misread starts on `rate` of the frames and lasts 1 or 2 frames
    many = stress.misread_frames(200_000, 0.01, np.random.default_rng(7))
    assert many.mean() == pytest.approx(0.015, rel=0.1)
    assert np.array_equal(many, stress.misread_frames(200_000, 0.01, np.random.default_rng(7)))


def test_the_guard_counts_at_least_as_many_clips_exactly_under_many_misreads() -> None:
    # two quick tune scenarios (the engine runs long on clips full of misreads)
    scs = [stress.stress_scenarios(4)[i] for i in (1, 3)]
    res = stress.run_stress(settings=stress.StressSettings(misread_rate=0.03), scenarios=scs)
    assert res.misread_frames > 0
    # both count exactly: the mirrored frames are caught by the speed guard, and without it by
    # the floors under the rest (reps.min_rest_deg, reps.max_below_rest_deg)
    assert _exact(res, stress.GUARD) == 2
    assert _exact(res, stress.GUARD) >= _exact(res, stress.NO_GUARD)


def test_without_the_guard_means_the_speed_limit_at_its_maximum() -> None:
    off = stress.without_guard(AnalysisConfig())
    assert off.reps.max_leg_speed_deg_s == stress.NO_GUARD_DEG_S
    with pytest.raises(ValueError):
        RepConfig(max_leg_speed_deg_s=stress.NO_GUARD_DEG_S + 1)
    assert stress.NO_GUARD_DEG_S > 360.0 * 240.0  # no change between two frames reaches it
    assert AnalysisConfig().reps.max_leg_speed_deg_s == 400.0


@pytest.mark.parametrize("argv", [
    ["bench", "--misread-rate", "0.1"],
    ["bench", "stress", "--misread-rate", "2"],
    ["bench", "stress", "--noise-px", "-1"],
    ["bench", "stress", "--n", "0"],
    ["bench", "stress", "--split", "both"],
    ["bench", "stress", "--rendered-only"],
])
def test_bad_stress_arguments_are_usage_errors(argv: list[str]) -> None:
    assert main(argv) == EXIT_USAGE
