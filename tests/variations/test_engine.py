"""Variations end to end on landmarks: recognition, the variation flag, contract output."""

import numpy as np
import pytest

from hipwise.analysis.engine import analyze_sequence, to_contract
from hipwise.contract import Analysis, VideoInfo
from hipwise.pose.sequence import PoseSequence
from hipwise.settings import AnalysisConfig, ConfigError, load_settings
from hipwise.synth.kinematic import landmarks_from_track
from hipwise.synth.variations import clamshell_landmarks, hold_track
from tests.conftest import assert_contract, make_sequence

T = np.arange(0, 30, 1 / 15)


def _contract(seq: PoseSequence, cfg: AnalysisConfig | None = None) -> Analysis:
    res = analyze_sequence(seq, cfg)
    vi = VideoInfo(duration_s=float(seq.t[-1]), fps=15.0, frames=len(seq))
    return to_contract(res, vi)


def _check_schema(a: Analysis) -> None:
    assert_contract(a.to_json())


def test_isometric_hold_recognised_and_measured() -> None:
    track, truth, _ = hold_track(T, hold_s=20.0, sag_deg=5.0, shaking_deg=1.5)
    a = _contract(landmarks_from_track(track, "left", noise_px=1.0))
    _check_schema(a)
    (s,) = a.sets
    assert s.variation == "isometric_hold"
    assert s.working_leg == "right"
    assert s.reps == []
    assert s.circles is None
    (h,) = s.holds or []
    assert h.start_s == pytest.approx(truth.start_s, abs=0.3)
    assert h.hold_s == pytest.approx(20.0, abs=0.5)
    assert h.sag_deg == pytest.approx(truth.sag_deg, abs=1.0)
    assert h.mean_abduction_deg == pytest.approx(truth.mean_abduction_deg, abs=1.0)
    assert h.shaking


def test_isometric_circles_recognised_counted_and_sized() -> None:
    track, _, labels = hold_track(
        T, lying_on="right", hold_s=22.0,
        circles=(("clockwise", 5), ("counterclockwise", 5)), diameter_cm=25.0,
    )
    a = _contract(landmarks_from_track(track, "right", noise_px=1.0))
    _check_schema(a)
    (s,) = a.sets
    assert s.variation == "isometric_circles"
    assert s.working_leg == "left"
    circles = s.circles or []
    assert [c.direction for c in circles] == [c.direction for c in labels]
    assert [c.index for c in circles] == list(range(1, 11))
    assert np.median([c.diameter_cm for c in circles]) == pytest.approx(25.0, abs=2.5)
    (h,) = s.holds or []
    assert not h.shaking


def test_clamshell_recognised_with_opening_angles() -> None:
    openings = tuple((1.0 + 4.5 * k, 1.0, 1.0, 2.0, 40.0) for k in range(5))
    seq, _ = clamshell_landmarks(T, openings, noise_px=0.4)
    a = _contract(seq)
    _check_schema(a)
    (s,) = a.sets
    assert s.variation == "clamshell"
    assert len(s.reps) == 5
    for r in s.reps:
        # read from the image: see tests/variations/test_clamshell.py
        assert r.peak_abduction_deg == pytest.approx(40.0, abs=4.0)
        assert r.peak_opening_deg == r.peak_abduction_deg
        assert r.good


def test_leg_lifts_stay_leg_lifts_with_variation_absent() -> None:
    seq, _ = make_sequence([{}, {"peak_deg": 25}, {"hold_s": 3.0}], noise_px=0.5)
    a = _contract(seq)
    assert len(a.sets) == 1
    assert a.sets[0].variation is None
    assert a.sets[0].holds is None and a.sets[0].circles is None
    assert len(a.sets[0].reps) == 3
    assert '"variation"' not in a.to_json()


def test_wall_slide_by_flag_labels_and_judges_drift() -> None:
    mags = {"forward_drift_deg": 20.0}
    seq, _ = make_sequence([{}, {"faults": ["forward_drift"], "magnitudes": mags}], noise_px=0.3)
    assert _contract(seq).sets[0].variation is None
    (s,) = _contract(seq, AnalysisConfig(variation="wall_slide")).sets
    assert s.variation == "wall_slide"
    assert s.reps[0].good
    assert "forward_drift" in s.reps[1].faults and not s.reps[1].good


def test_wall_slide_drift_limit_is_stricter_than_the_floor() -> None:
    from dataclasses import replace

    from hipwise.variations.engine import _wall_faults

    cfg = AnalysisConfig()
    seq, _ = make_sequence([{}], noise_px=0.3)
    rec = analyze_sequence(seq).sets[0].reps[0]
    assert rec.good
    drift = 0.5 * (cfg.variations.wall_slide.max_drift_deg + cfg.faults.forward_drift_deg)
    drifted = replace(rec, measurement=replace(rec.measurement, forward_drift_deg=drift))
    assert _wall_faults(drifted, cfg).faults == ["forward_drift"]
    assert _wall_faults(rec, cfg).faults == []


def test_flag_overrides_recognition() -> None:
    track, _, _ = hold_track(T, hold_s=12.0)
    seq = landmarks_from_track(track, "left")
    a = _contract(seq, AnalysisConfig(variation="leg_lift"))
    assert a.sets[0].variation is None
    assert a.sets[0].holds is None
    assert len(a.sets[0].reps) == 1


def test_variation_setting_is_validated() -> None:
    assert load_settings(overrides={"variation": "clamshell"}).variation == "clamshell"
    with pytest.raises(ConfigError, match="variation"):
        load_settings(overrides={"variation": "plank"})
    with pytest.raises(ConfigError, match="min_diameter"):
        load_settings(overrides={"variations.circles.min_diameter_cm": -1})


def test_leg_lifts_before_a_hold_on_the_same_side_stay_leg_lifts() -> None:
    lifts, _ = make_sequence([{}, {}], noise_px=0.5)
    t_hold = np.arange(0, 20, 1 / 30)
    track, truth, _ = hold_track(t_hold, hold_s=12.0, sag_deg=3.0)
    hold = landmarks_from_track(track, "left", noise_px=0.5)
    from hipwise.pose.sequence import PoseSequence

    off = float(lifts.t[-1]) + 1.0 / 30
    seq = PoseSequence(
        t=np.concatenate([lifts.t, hold.t + off]),
        xy=np.concatenate([lifts.xy, hold.xy]),
        depth=np.concatenate([lifts.depth, hold.depth]),
        world=np.concatenate([lifts.world, hold.world]),
        visibility=np.concatenate([lifts.visibility, hold.visibility]),
        image_size=lifts.image_size,
    )
    a = _contract(seq)
    assert [s.variation for s in a.sets] == [None, "isometric_hold"]
    assert [r.index for r in a.sets[0].reps] == [1, 2]
    (h,) = a.sets[1].holds or []
    assert h.start_s == pytest.approx(truth.start_s + off, abs=0.3)
