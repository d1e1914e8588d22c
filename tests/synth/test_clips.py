"""The committed test clips: present, small, labelled consistently with their scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from hipwise.contract import Analysis
from hipwise.synth.scenario import Scenario
from hipwise.synth.script import script_motion

ROOT = Path(__file__).parents[2]
CLIPS = ROOT / "tests" / "data" / "clips"
SAMPLE = ROOT / "src" / "hipwise" / "data" / "sample.mp4"

EXPECTED_WARNINGS = {
    "bad_standing": "standing",
    "bad_two_people": "two_people",
    "bad_out_of_frame": "body_out_of_frame",
    "bad_camera_moved": "camera_moved",
    "bad_lying_still": "no_movement",
}


def _names() -> list[str]:
    return sorted(p.stem for p in CLIPS.glob("*.toml"))


def test_every_scenario_has_its_clip_and_the_set_is_small() -> None:
    names = _names()
    assert len(names) >= 9
    for n in names:
        for suffix in (".mp4", ".labels.json", ".frames.npz"):
            assert (CLIPS / f"{n}{suffix}").is_file(), f"{n}{suffix} missing"
    total = sum(p.stat().st_size for p in CLIPS.iterdir())
    assert total < 8.5e6


@pytest.mark.parametrize("name", _names())
def test_labels_match_the_scenario(name: str) -> None:
    doc = json.loads((CLIPS / f"{name}.labels.json").read_text())
    truth = Analysis.model_validate(doc)
    sc = Scenario.from_toml(CLIPS / f"{name}.toml")
    scripted = script_motion(sc).truth()
    assert [r.faults for s in truth.sets for r in s.reps] == [
        r.faults for s in scripted.sets for r in s.reps
    ]
    assert truth.video.frames == sc.n_frames
    if name in EXPECTED_WARNINGS:
        assert EXPECTED_WARNINGS[name] in truth.warnings
    else:
        assert truth.warnings == []
        assert len(truth.sets) == 1 and len(truth.sets[0].reps) == 3
        arrays = np.load(CLIPS / f"{name}.frames.npz")
        assert np.allclose(arrays["true_abduction_deg"], arrays["track_abduction_deg"], atol=0.5)
        assert arrays["keypoints_visible"].mean() > 0.8


def test_sample_clip_is_small_with_one_faulty_rep() -> None:
    assert SAMPLE.is_file() and SAMPLE.stat().st_size <= 2_000_000
    truth = Analysis.model_validate_json(SAMPLE.with_suffix(".labels.json").read_text())
    reps = truth.sets[0].reps
    assert len(reps) == 3
    assert sum(1 for r in reps if not r.good) == 1
