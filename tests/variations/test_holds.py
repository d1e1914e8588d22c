"""Holds: time, sag, mean angle and shaking from the zeroed abduction (pure functions)."""

import numpy as np
import pytest
from numpy.typing import NDArray

from hipwise.settings import HoldConfig
from hipwise.variations.holds import (
    HoldTracker,
    find_holds,
    oscillation_amplitude,
    shaking_amplitude,
)


def _hold_signal(fps: float = 15.0, sag: float = 0.0, shake: float = 0.0, hz: float = 5.0,
                 hold_s: float = 12.0, noise: float = 0.3
                 ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    t = np.arange(0.0, hold_s + 8.0, 1.0 / fps)
    lift = np.clip((t - 1.0) / 1.5, 0, 1)
    lower = np.clip((t - 2.5 - hold_s) / 3.0, 0, 1)
    s = (3 * lift**2 - 2 * lift**3) - (3 * lower**2 - 2 * lower**3)
    u = np.clip((t - 2.5) / hold_s, 0, 1)
    a = (30.0 - sag * u) * s + shake * np.sin(np.pi * u) ** 2 * np.sin(2 * np.pi * hz * t)
    a = a + np.random.default_rng(1).normal(0, noise, t.shape)
    return t, a


def test_one_hold_with_time_mean_and_sag() -> None:
    t, a = _hold_signal(sag=4.0)
    holds = find_holds(t, a, HoldConfig())
    assert len(holds) == 1
    h = holds[0]
    assert h.start_s == pytest.approx(2.5, abs=0.4)
    assert h.end_s == pytest.approx(14.5, abs=0.4)
    assert h.hold_s == pytest.approx(12.0, abs=0.6)
    assert h.mean_abduction_deg == pytest.approx(28.0, abs=0.6)
    # linear 4 deg over 12 s: first-second mean minus last-second mean = 4 * 11/12
    assert h.sag_deg == pytest.approx(4.0 * 11 / 12, abs=0.6)
    assert not h.shaking


def test_short_leg_lift_hold_is_not_an_isometric_hold() -> None:
    t, a = _hold_signal(hold_s=2.0)
    assert find_holds(t, a, HoldConfig()) == []


def test_two_holds_in_time_order() -> None:
    t1, a1 = _hold_signal(hold_s=6.0)
    t2, a2 = _hold_signal(hold_s=8.0)
    t = np.concatenate([t1, t2 + t1[-1] + 1.0 / 15])
    holds = find_holds(t, np.concatenate([a1, a2]), HoldConfig())
    assert [round(h.hold_s) for h in holds] == [6, 8]
    assert holds[0].end_s < holds[1].start_s


@pytest.mark.parametrize(("hz", "fps"), [(5.0, 15.0), (6.0, 30.0), (9.0, 30.0)])
def test_shaking_is_flagged(hz: float, fps: float) -> None:
    t, a = _hold_signal(fps=fps, shake=1.5, hz=hz)
    h = find_holds(t, a, HoldConfig())[0]
    assert h.shaking
    assert h.shaking_amp_deg == pytest.approx(1.5, abs=0.35)


def test_jitter_alone_is_not_shaking() -> None:
    t, a = _hold_signal(noise=0.6)
    h = find_holds(t, a, HoldConfig())[0]
    assert not h.shaking
    assert h.shaking_amp_deg < 0.8


def test_late_shaking_in_a_long_hold_is_found_by_windows() -> None:
    t, a = _hold_signal(hold_s=30.0)
    late = (t > 26.0) & (t < 31.0)
    a[late] += 1.5 * np.sin(2 * np.pi * 5.0 * t[late])
    h = find_holds(t, a, HoldConfig())[0]
    assert h.shaking
    assert shaking_amplitude(t, a, (4.0, 12.0), 0.08) < h.shaking_amp_deg


def test_fit_near_nyquist_stays_finite() -> None:
    t = np.arange(0, 1.2, 1 / 15)
    amp = oscillation_amplitude(t, np.zeros_like(t) + 0.1 * (-1.0) ** np.arange(len(t)),
                                (4.0, 7.5))
    assert 0.0 <= amp < 0.5


def test_streaming_tracker_matches_offline() -> None:
    t, a = _hold_signal(sag=3.0)
    tracker = HoldTracker(HoldConfig())
    got = []
    ups = []
    for ti, ai in zip(t, a, strict=True):
        got.extend(tracker.update(float(ti), float(ai)))
        ups.append(tracker.up_s)
    offline = find_holds(t, a, HoldConfig())
    assert len(got) == 1
    assert got[0].start_s == pytest.approx(offline[0].start_s, abs=0.1)
    assert got[0].sag_deg == pytest.approx(offline[0].sag_deg, abs=0.2)
    assert max(ups) > 10.0
