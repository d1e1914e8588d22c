import numpy as np
import pytest

from hipwise.kinematics import LowPass, gaussian_smooth


def test_lowpass_settles_on_a_step_with_variable_frame_times() -> None:
    lp = LowPass(cutoff_hz=4.0)
    rng = np.random.default_rng(0)
    t = np.cumsum(rng.uniform(0.02, 0.05, 200))
    out = [lp.update(float(ti), np.array([0.0 if ti < 1.0 else 10.0]))[0] for ti in t]
    assert out[0] == 0.0
    assert out[-1] == pytest.approx(10.0, abs=1e-3)
    # causal: nothing moves before the step
    assert max(o for o, ti in zip(out, t, strict=True) if ti < 1.0) == 0.0


def test_lowpass_holds_last_value_over_nan() -> None:
    lp = LowPass(cutoff_hz=4.0)
    lp.update(0.0, np.array([5.0]))
    assert lp.update(0.1, np.array([np.nan]))[0] == pytest.approx(5.0)


def test_lowpass_removes_shaking() -> None:
    lp = LowPass(cutoff_hz=2.0)
    t = np.arange(0, 5, 1 / 30)
    x = 1.5 * np.sin(2 * np.pi * 8 * t)
    y = np.array([lp.update(float(ti), np.array([xi]))[0] for ti, xi in zip(t, x, strict=True)])
    assert np.max(np.abs(y[60:])) < 0.2


def test_gaussian_smooth_keeps_a_line_and_ignores_nan() -> None:
    t = np.linspace(0, 2, 61)
    x = 3.0 * t + 1.0
    x[10] = np.nan
    y = gaussian_smooth(t, x, 0.08)
    inner = slice(20, 45)
    assert np.allclose(y[inner], (3.0 * t + 1.0)[inner], atol=1e-6)
