"""Circles of the foot: count, direction as seen in the image, diameter (render-free)."""

import numpy as np
import pytest
from numpy.typing import NDArray

from hipwise.pose.landmarks import Side, leg_indices
from hipwise.settings import CircleConfig
from hipwise.synth.kinematic import landmarks_from_track
from hipwise.synth.variations import hold_track
from hipwise.variations.circles import circle_phase, find_circles, px_per_cm


def _ellipse(t: NDArray[np.float64], sense: float, turns_s: float = 1.5) -> NDArray[np.float64]:
    """A narrow image ellipse (24 x 8 px) traced ``sense`` (+1 = clockwise on screen)."""
    phi = sense * 2 * np.pi * t / turns_s
    return np.stack([300 + 4 * np.cos(phi), 200 + 12 * np.sin(phi)], axis=1)


@pytest.mark.parametrize(("sense", "want"), [(1.0, "clockwise"), (-1.0, "counterclockwise")])
def test_direction_on_screen(sense: float, want: str) -> None:
    t = np.arange(0, 7.5, 1 / 15)
    cs = find_circles(t, _ellipse(t, sense), np.array([1.0, 0.0]), 1.0, CircleConfig())
    assert len(cs) == 5
    assert {c.direction for c in cs} == {want}
    # across a horizontal leg = vertical excursion 24 px at 1 px/cm
    assert all(c.diameter_cm == pytest.approx(24.0, abs=2.0) for c in cs)


def test_phase_grows_for_clockwise() -> None:
    t = np.arange(0, 3.0, 1 / 15)
    ph = circle_phase(t, _ellipse(t, 1.0), CircleConfig())
    assert ph[-1] - ph[0] > 2 * np.pi * 1.5


def test_still_foot_draws_no_circles() -> None:
    t = np.arange(0, 10, 1 / 15)
    p = np.array([300.0, 200.0]) + np.random.default_rng(0).normal(0, 1.0, (len(t), 2))
    assert find_circles(t, p, np.array([1.0, 0.0]), 3.0, CircleConfig()) == []


def test_scale_from_world_or_assumed() -> None:
    hip = np.zeros((5, 2))
    ankle = np.tile([260.0, 0.0], (5, 1))
    world_h = np.zeros((5, 3))
    world_a = np.tile([0.8, 0.0, 0.0], (5, 1))
    assert px_per_cm(hip, ankle, CircleConfig(), world_h, world_a) == pytest.approx(3.25)
    assumed = CircleConfig(scale="assumed", assumed_leg_m=0.65)
    assert px_per_cm(hip, ankle, assumed, world_h, world_a) == pytest.approx(4.0)


@pytest.mark.parametrize("lying_on", ["left", "right"])
def test_scripted_circles_both_ways(lying_on: str) -> None:
    t = np.arange(0, 30, 1 / 15)
    track, _, labels = hold_track(
        t, lying_on=lying_on, hold_s=22.0,  # type: ignore[arg-type]
        circles=(("clockwise", 5), ("counterclockwise", 5)), diameter_cm=25.0,
    )
    seq = landmarks_from_track(track, lying_on, noise_px=1.0)  # type: ignore[arg-type]
    top: Side = "right" if lying_on == "left" else "left"
    hip, _, ankle, _, _ = leg_indices(top)
    sel = (t >= 2.5) & (t <= 24.5)
    scale = px_per_cm(seq.xy[sel, hip], seq.xy[sel, ankle], CircleConfig(),
                      seq.world[sel, hip], seq.world[sel, ankle])
    leg = np.median(seq.xy[sel, ankle] - seq.xy[sel, hip], axis=0)
    got = find_circles(t[sel], seq.xy[sel, ankle], leg, scale, CircleConfig())
    assert [c.direction for c in got] == [c.direction for c in labels]
    assert np.mean([c.diameter_cm for c in got]) == pytest.approx(25.0, abs=2.5)
    for g, w in zip(got[1:], labels[1:], strict=True):
        assert g.end_s == pytest.approx(w.end_s, abs=0.5)


def test_mirrored_video_flips_the_image_direction() -> None:
    t = np.arange(0, 12, 1 / 15)
    plain, _, lab = hold_track(t, hold_s=9.0, circles=(("clockwise", 3),))
    mirrored, _, lab_m = hold_track(t, hold_s=9.0, circles=(("clockwise", 3),), mirrored=True)
    assert lab[0].direction == lab_m[0].direction == "clockwise"
    assert not np.allclose(plain.abduction_deg, mirrored.abduction_deg)
