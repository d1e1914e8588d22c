"""LiveSession with the variations: the hold timer and circle counts the page gets are the
offline engine's, and Finish reports the holds and circles ``hipwise analyze`` would."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

from hipwise.analysis.engine import analyze_sequence, to_contract
from hipwise.contract import Analysis, VideoInfo
from hipwise.pose.sequence import PoseFrame, PoseSequence
from hipwise.settings import AnalysisConfig, LiveConfig
from hipwise.synth.kinematic import landmarks_from_track
from hipwise.synth.variations import CircleLabel, HoldLabel, hold_track
from hipwise.web.session import LiveSession
from tests.web.conftest import three_reps

FPS = 15.0
T = np.arange(0, 30, 1 / FPS)
CIRCLES = (("clockwise", 5), ("counterclockwise", 5))


def _circles_clip(lying_on: str = "left") -> tuple[PoseSequence, HoldLabel, list[CircleLabel]]:
    track, hold, labels = hold_track(
        T, lying_on=lying_on, hold_s=22.0, circles=CIRCLES, diameter_cm=25.0,  # type: ignore[arg-type]
    )
    return landmarks_from_track(track, lying_on, noise_px=1.0), hold, labels  # type: ignore[arg-type]


def _hold_clip() -> tuple[PoseSequence, HoldLabel]:
    track, hold, _ = hold_track(T, hold_s=20.0, sag_deg=5.0, shaking_deg=1.5)
    return landmarks_from_track(track, "left", noise_px=1.0), hold


def _feed(session: LiveSession, frames: list[PoseFrame]) -> list[dict[str, Any]]:
    return [session.process_pose(f, 1, 120.0) for f in frames]


def _offline(seq: PoseSequence, variation: str) -> Analysis:
    cfg = AnalysisConfig(variation=variation)
    return to_contract(analyze_sequence(seq, cfg), VideoInfo(duration_s=1.0, fps=FPS, frames=1))


def test_hold_with_circles_live_counts_equal_the_script() -> None:
    seq, hold, labels = _circles_clip()
    session = LiveSession("abc", AnalysisConfig(), LiveConfig())
    session.set_variation("isometric_circles")
    out = _feed(session, seq.frames())
    holds = [o["hold"] for o in out]
    assert all(h["show"] and h["circles"]["show"] for h in holds)
    assert holds[0]["circles"]["target"] == 5 and holds[0]["target_s"] == 20.0
    # the running timer: seconds into the hold, close to the script while it lasts
    mid = int((hold.start_s + 10.0) * FPS)
    assert holds[mid]["holding"]
    assert holds[mid]["hold_s"] == pytest.approx(10.0, abs=0.5)
    assert 0.4 < holds[mid]["progress"] < 0.6
    # the running count grows one circle at a time and never goes back
    cw = [h["circles"]["clockwise"] for h in holds]
    ccw = [h["circles"]["counterclockwise"] for h in holds]
    assert np.all(np.diff(cw) >= 0) and np.all(np.diff(ccw) >= 0)
    assert np.all(np.diff(cw) <= 1) and np.all(np.diff(ccw) <= 1)
    want_cw = sum(1 for c in labels if c.direction == "clockwise")
    assert (cw[-1], ccw[-1]) == (want_cw, len(labels) - want_cw) == (5, 5)
    # all clockwise ones are counted before the first counter-clockwise one
    assert cw[ccw.index(1)] == 5
    # the counts keep up: each circle within 1.5 s of the script's end of it
    for k, c in enumerate(labels[:5], start=1):
        i_done = int(np.argmax(np.array(cw) >= k))
        assert seq.t[i_done] <= c.end_s + 1.5
    # the coach says when one direction is done and when both are, never "Good rep."
    said = [o["cue"]["id"] for o in out if o["cue"]]
    assert said == ["circles_switch", "circles_done"]
    switch = next(o for o in out if o["cue"] and o["cue"]["id"] == "circles_switch")
    assert switch["hold"]["circles"]["clockwise"] == 5
    # after the lower, the finished hold as the live tracker measured it
    (done,) = holds[-1]["holds"]
    assert done["hold_s"] == pytest.approx(hold.end_s - hold.start_s, abs=0.5)
    assert done["circles"] == {"clockwise": 5, "counterclockwise": 5}
    assert not holds[-1]["holding"]
    # Finish: the same holds and circles as hipwise analyze with the same variation
    live = session.finish()
    ref = _offline(seq, "isometric_circles")
    assert [s.variation for s in live.sets] == ["isometric_circles"]
    (s,) = live.sets
    (r,) = ref.sets
    assert [c.direction for c in s.circles or []] == [c.direction for c in labels]
    assert len(s.circles or []) == len(r.circles or [])
    for a, b in zip(s.circles or [], r.circles or [], strict=True):
        assert a.direction == b.direction and a.index == b.index
        assert (a.start_s, a.end_s, a.diameter_cm) == pytest.approx(
            (b.start_s, b.end_s, b.diameter_cm), abs=0.11)
    assert s.holds is not None and r.holds is not None
    assert s.holds[0].hold_s == pytest.approx(r.holds[0].hold_s, abs=0.01)
    lines = session.summary_lines()
    assert lines[0][0] == "variation: isometric hold with circles"
    assert any("5 clockwise, 5 counter-clockwise" in ln for ln in lines[0])
    assert any("dinner plate" in ln for ln in lines[0])


def test_isometric_hold_recognised_live_in_auto() -> None:
    seq, hold = _hold_clip()
    session = LiveSession("abc", AnalysisConfig(), LiveConfig())
    assert session.variation == "auto"
    out = _feed(session, seq.frames())
    holds = [o["hold"] for o in out]
    # auto: the timer appears once the leg has been held longer than a rep's hold
    first = next(i for i, h in enumerate(holds) if h["show"])
    assert seq.t[first] == pytest.approx(hold.start_s + 3.0, abs=0.5)
    end = int(hold.end_s * FPS) - 1
    assert holds[end]["hold_s"] == pytest.approx(20.0, abs=0.5)
    assert not holds[end]["circles"]["show"]  # no circles drawn
    said = [(i, o["cue"]["id"]) for i, o in enumerate(out) if o["cue"]]
    assert [c for _, c in said] == ["hold_done"]  # at the 20 s target; no "Good rep."
    i = said[0][0]
    assert holds[i - 1]["hold_s"] < 20.0 <= holds[i]["hold_s"]
    (done,) = holds[-1]["holds"]
    assert done["hold_s"] == pytest.approx(20.0, abs=0.5)
    assert done["sag_deg"] == pytest.approx(hold.sag_deg, abs=1.0)
    assert done["shaking"]
    live = session.finish()
    ref = _offline(seq, "auto")
    (s,) = live.sets
    assert s.variation == "isometric_hold" and s.reps == []
    assert s.holds is not None and ref.sets[0].holds is not None
    a, b = s.holds[0], ref.sets[0].holds[0]
    assert a.shaking == b.shaking
    assert (a.start_s, a.end_s, a.hold_s, a.sag_deg, a.mean_abduction_deg) == pytest.approx(
        (b.start_s, b.end_s, b.hold_s, b.sag_deg, b.mean_abduction_deg), abs=0.02)
    assert s.holds[0].shaking
    (line,) = [ln for ln in session.summary_lines()[0] if ln.startswith("hold 1: ")]
    assert float(line.split()[2]) == pytest.approx(20.0, abs=0.5)
    assert "sagged 5°" in line and "shaking (tiring)" in line


def test_leg_lift_variation_tracks_no_holds_and_keeps_reps() -> None:
    seq, _ = three_reps()
    session = LiveSession("abc", AnalysisConfig(), LiveConfig())
    session.set_variation("leg_lift")
    out = _feed(session, seq.frames())
    assert not any(o["hold"]["show"] for o in out)
    assert session.hold_tracker is None
    live = session.finish()
    assert [len(s.reps) for s in live.sets] == [3] and live.sets[0].variation is None
    assert session.summary_lines() == [[]]


def test_unknown_variation_is_refused() -> None:
    session = LiveSession("abc", AnalysisConfig(), LiveConfig())
    with pytest.raises(ValueError, match="unknown variation"):
        session.set_variation("handstand")
    assert session.variation == "auto"


def test_a_hold_in_progress_survives_a_restart() -> None:
    seq, hold, _ = _circles_clip()
    session = LiveSession("abc", AnalysisConfig(), LiveConfig())
    session.set_variation("isometric_circles")
    frames = seq.frames()
    half = int((hold.start_s + 11.0) * FPS)
    _feed(session, frames[:half])
    back = pickle.loads(pickle.dumps(session))
    assert back.variation == "isometric_circles"
    out = _feed(back, frames[half:])
    assert out[-1]["hold"]["holds"][0]["circles"] == {"clockwise": 5, "counterclockwise": 5}
    assert back.state()["hold"]["variation"] == "isometric_circles"
