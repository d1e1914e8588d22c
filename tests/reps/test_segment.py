import numpy as np
import pytest

from hipwise.config import FilterConfig, RepConfig
from hipwise.reps import SegmentationError, fit_step, segment_rep


def cosine(x: np.ndarray) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(x, 0, 1))


def min_jerk(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0, 1)
    return x**3 * (10 - 15 * x + 6 * x * x)


def one_rep(profile, peak=30.0, lift=1.5, hold=2.0, lower=3.0, t0=1.5, fps=30.0):
    t = np.arange(0, t0 + lift + hold + lower + 1.5, 1 / fps)
    a = peak * (profile((t - t0) / lift) - profile((t - t0 - lift - hold) / lower))
    return t, a


@pytest.mark.parametrize("profile", [cosine, min_jerk])
@pytest.mark.parametrize(
    ("lift", "hold", "lower"), [(1.5, 2.0, 3.0), (0.6, 0.5, 0.7), (2.0, 2.5, 4.0)]
)
def test_phase_boundaries_are_where_motion_starts_and_stops(profile, lift, hold, lower) -> None:
    t, a = one_rep(profile, lift=lift, hold=hold, lower=lower)
    ph = segment_rep(t, a, RepConfig(), FilterConfig())
    tol = 0.15 * max(lift, lower) + 0.05
    assert ph.lift_start == pytest.approx(1.5, abs=tol)
    assert ph.lift_s == pytest.approx(lift, abs=tol)
    assert ph.hold_s == pytest.approx(hold, abs=2 * tol)
    assert ph.lower_s == pytest.approx(lower, abs=tol)
    assert ph.peak_deg == pytest.approx(30.0, abs=0.5)


def test_a_smooth_lift_is_not_timed_by_its_10_to_90_percent_part() -> None:
    # DOMAIN.md: timing only the 10-90 % part of a smooth 1.5 s lift reads about 0.9 s
    t, a = one_rep(cosine, lift=1.5)
    ph = segment_rep(t, a, RepConfig(), FilterConfig())
    assert ph.lift_s > 1.35


def test_noise_keeps_timing_within_a_fifth_of_a_second() -> None:
    rng = np.random.default_rng(3)
    t, a = one_rep(min_jerk)
    errs = []
    for _ in range(10):
        ph = segment_rep(t, a + rng.normal(0, 0.5, len(t)), RepConfig(), FilterConfig())
        errs.append([ph.lift_s - 1.5, ph.hold_s - 2.0, ph.lower_s - 3.0])
    assert np.all(np.mean(np.abs(errs), axis=0) < 0.2)


def test_fit_step_recovers_a_step() -> None:
    t = np.linspace(0, 4, 121)
    a = 5 + 20 * cosine((t - 1.0) / 2.0)
    fit = fit_step(t, a, 2.2, 1.0)
    assert fit.t0 == pytest.approx(1.0, abs=0.05)
    assert fit.t1 == pytest.approx(3.0, abs=0.05)
    assert fit.hi - fit.lo == pytest.approx(20.0, abs=0.2)


def test_flat_signal_is_not_a_rep() -> None:
    t = np.linspace(0, 3, 91)
    with pytest.raises(SegmentationError):
        segment_rep(t, np.zeros_like(t), RepConfig(), FilterConfig())
