"""The variations on the committed rendered clips (tests/data/variations), through the pose
model: what ``hipwise analyze`` reports against the labels. Slow (about 25 s per clip)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from hipwise.contract import Analysis
from hipwise.settings import AnalysisConfig
from tests.conftest import committed

pytestmark = pytest.mark.slow

CLIPS = Path(__file__).resolve().parents[1] / "data" / "variations"


@cache
def _run(name: str, variation: str = "auto") -> tuple[Analysis, Analysis]:
    from hipwise.analysis.video import analyze_video

    video = CLIPS / f"{name}.mp4"
    committed(video, CLIPS / f"{name}.labels.json")
    truth = Analysis.model_validate_json((CLIPS / f"{name}.labels.json").read_text())
    return analyze_video(video, AnalysisConfig(variation=variation)).analysis, truth


def test_isometric_hold_clip() -> None:
    got, truth = _run("iso_hold_left")
    (s,), (t,) = got.sets, truth.sets
    assert s.variation == t.variation == "isometric_hold"
    (h,), (th,) = s.holds or [], t.holds or []
    assert h.start_s == pytest.approx(th.start_s, abs=0.3)
    assert h.hold_s == pytest.approx(th.hold_s, abs=0.5)
    assert h.sag_deg == pytest.approx(th.sag_deg, abs=1.5)
    assert h.mean_abduction_deg == pytest.approx(th.mean_abduction_deg, abs=3.0)
    assert h.shaking and th.shaking


@pytest.mark.parametrize("name", ["iso_circles_right", "iso_circles_left"])
def test_circles_clip(name: str) -> None:
    got, truth = _run(name)
    (s,), (t,) = got.sets, truth.sets
    assert s.variation == "isometric_circles" and s.working_leg == t.working_leg
    assert [c.direction for c in s.circles or []] == [c.direction for c in t.circles or []]
    want = (t.circles or [])[0].diameter_cm
    sizes = sorted(c.diameter_cm for c in s.circles or [])
    assert sizes[len(sizes) // 2] == pytest.approx(want, rel=0.15)
    assert all(d == pytest.approx(want, rel=0.25) for d in sizes)
    assert not (s.holds or [])[0].shaking


def test_still_hold_clip() -> None:
    got, truth = _run("iso_hold_still_right")
    (s,), (t,) = got.sets, truth.sets
    assert s.variation == "isometric_hold" and s.working_leg == "left"
    (h,), (th,) = s.holds or [], t.holds or []
    assert h.hold_s == pytest.approx(th.hold_s, abs=0.5)
    assert h.sag_deg == pytest.approx(th.sag_deg, abs=1.5)
    assert not h.shaking


def test_wall_slide_clip_needs_the_flag() -> None:
    auto, _ = _run("wall_slide_left")
    assert auto.sets[0].variation is None  # a wall slide moves like a leg lift
    got, truth = _run("wall_slide_left", "wall_slide")
    (s,), (t,) = got.sets, truth.sets
    assert s.variation == t.variation == "wall_slide"
    assert [r.faults for r in s.reps] == [r.faults for r in t.reps] == [[], ["forward_drift"]]


def test_clamshell_clip_counted_and_timed() -> None:
    got, truth = _run("clamshell_left")
    (s,), (t,) = got.sets, truth.sets
    assert s.variation == t.variation == "clamshell"
    assert len(s.reps) == len(t.reps) == 3
    for r, tr in zip(s.reps, t.reps, strict=True):
        assert r.start_s == pytest.approx(tr.start_s, abs=0.4)
        assert r.end_s == pytest.approx(tr.end_s, abs=0.6)
        assert r.peak_opening_deg is not None and r.peak_opening_deg > 10.0
        assert r.faults == []  # pelvis roll is reported, not judged, by default
