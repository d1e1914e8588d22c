"""LiveSession: the same engine as ``hipwise analyze``, setup gate, alerts, persistence."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from hipwise.analysis.engine import analyze_sequence, to_contract
from hipwise.contract import VideoInfo
from hipwise.pose.sequence import PoseFrame
from hipwise.settings import AnalysisConfig, LiveConfig
from hipwise.web.session import LiveSession, SessionStore, frame_luma
from tests.web.conftest import three_reps


def _feed(session: LiveSession, frames: list[PoseFrame], people: int = 1,
          luma: float = 120.0) -> list[dict]:  # type: ignore[type-arg]
    return [session.process_pose(f, people, luma) for f in frames]


def test_live_counts_and_faults_equal_the_offline_engine() -> None:
    seq, truth = three_reps()
    cfg = AnalysisConfig()
    session = LiveSession("abc", cfg, LiveConfig())
    out = _feed(session, seq.frames())
    assert out[-1]["counts"]["right"] == {"reps": 3, "good": 2}
    assert [r["faults"] for r in out[-1]["reps"]] == [[], ["hip_hike"], []]
    live = session.finish()
    offline = analyze_sequence(seq, cfg)
    ref = to_contract(offline, VideoInfo(duration_s=1.0, fps=30.0, frames=1))
    assert [r.model_dump() for s in live.sets for r in s.reps] == [
        r.model_dump() for s in ref.sets for r in s.reps
    ]
    assert [[r.faults for r in s.reps] for s in live.sets] == [
        [r.faults for r in s.reps] for s in truth.sets
    ]


def test_result_carries_pose_phase_tempo_and_cues() -> None:
    seq, _ = three_reps()
    session = LiveSession("abc", AnalysisConfig(), LiveConfig())
    out = _feed(session, seq.frames())
    first = out[0]
    assert len(first["pose"]) == 33 and all(0 <= p[0] <= 1 for p in first["pose"][11:])
    phases = {o["phase"] for o in out}
    assert {"rest", "lift", "hold", "lower"} <= phases
    assert all(0.0 <= o["tempo"]["progress"] <= 1.0 for o in out)
    cues = [o["cue"]["id"] for o in out if o["cue"]]
    assert "hip_hike" in cues
    assert out[-1]["setup"]["passed"]


def test_setup_gate_then_alert_when_the_person_leaves() -> None:
    seq, _ = three_reps()
    session = LiveSession("abc", AnalysisConfig(), LiveConfig())
    frames = seq.frames()[:90]  # 3 s at rest
    out = _feed(session, frames)
    assert out[0]["setup"]["passed"] is False
    assert out[-1]["setup"]["passed"] is True
    t0 = frames[-1].t
    gone = [PoseFrame.missing(t0 + 0.1 * (i + 1)) for i in range(20)]
    out = _feed(session, gone, people=0)
    assert [a["code"] for a in out[-1]["alerts"]] == ["no_person"]
    said = [o["cue"] for o in out if o["cue"]]
    assert said and said[0]["kind"] == "warning" and "can't see you" in said[0]["text"]
    assert out[-1]["counts"]["right"]["reps"] == 0  # nothing invented


def test_second_person_and_darkness_are_reported() -> None:
    seq, _ = three_reps()
    session = LiveSession("abc", AnalysisConfig(), LiveConfig())
    _feed(session, seq.frames()[:90])
    out = _feed(session, seq.frames()[90:100], people=2)
    assert "two_people" in [a["code"] for a in out[-1]["alerts"]]
    out = _feed(session, seq.frames()[100:110], luma=10.0)
    assert "too_dark" in [a["code"] for a in out[-1]["alerts"]]


def test_clock_keeps_increasing_across_reconnects() -> None:
    s = LiveSession("abc", AnalysisConfig(), LiveConfig())
    t1 = s.clock(500.0, wall=1000.0)
    s.last_t, s.last_wall = t1, 1000.0
    assert t1 == 0.0
    s.new_connection()
    t2 = s.clock(3.0, wall=1004.0)  # a reloaded page restarts its clock
    assert t2 == 4.0
    assert s.clock(3.5, wall=1004.5) == t2 + 0.5  # same connection: its own offset


def test_store_saves_and_resumes_after_a_restart(tmp_path: Path) -> None:
    seq, _ = three_reps()
    cfg, live = AnalysisConfig(), LiveConfig()
    store = SessionStore(tmp_path, cfg, live, None)
    s, resumed = store.open(None)
    assert not resumed
    frames = seq.frames()
    half = len(frames) // 2
    _feed(s, frames[:half])
    before = s.state()["counts"]
    store.save(s)
    # a new server process: a fresh store over the same folder
    store2 = SessionStore(tmp_path, cfg, live, None)
    s2, resumed = store2.open(s.id)
    assert resumed and s2 is not s
    assert s2.state()["counts"] == before
    out = _feed(s2, frames[half:])
    assert out[-1]["counts"]["right"]["reps"] == 3


def test_store_refuses_unknown_bad_or_damaged_ids(tmp_path: Path) -> None:
    store = SessionStore(tmp_path, AnalysisConfig(), LiveConfig(), None)
    s, resumed = store.open("../../etc")
    assert not resumed and s.id != "../../etc"
    (tmp_path / "abcdef").mkdir()
    (tmp_path / "abcdef" / "session.pkl").write_bytes(b"not a pickle")
    s2, resumed = store.open("abcdef")
    assert not resumed and s2.id != "abcdef"


def test_session_pickles_without_its_pose_model() -> None:
    s = LiveSession("abc", AnalysisConfig(), LiveConfig(), factory=lambda c: None)  # type: ignore[arg-type,return-value]
    s._estimator = object()  # type: ignore[assignment]
    back = pickle.loads(pickle.dumps(s))
    assert back._estimator is None and back.factory is None


def test_frame_luma() -> None:
    img = np.zeros((48, 64, 3), dtype=np.uint8)
    assert frame_luma(img) == 0.0
    img[:] = 200
    assert abs(frame_luma(img) - 200.0) < 0.5


def test_an_upright_person_is_never_counted() -> None:
    seq, _ = three_reps()
    c = np.array([320.0, 240.0])
    rot = np.array([[0.0, -1.0], [1.0, 0.0]])  # the same movement, body axis vertical
    frames = [
        PoseFrame(t=f.t, xy=(f.xy - c) @ rot.T * 0.8 + c, depth=f.depth, world=f.world,
                  visibility=f.visibility)
        for f in seq.frames()
    ]
    session = LiveSession("abc", AnalysisConfig(), LiveConfig())
    out = _feed(session, frames)
    assert out[-1]["counts"]["right"]["reps"] == 0 and out[-1]["counts"]["left"]["reps"] == 0
    assert out[-1]["pose"] is not None  # still drawn
    assert [i["code"] for i in out[-1]["setup"]["issues"]] == ["standing"]
