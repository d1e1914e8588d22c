"""Saving and reading analyses, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from hipwise.store import SelfReportInput, Store
from hipwise.store.blobs import decode_landmarks, encode_landmarks
from tests.store.helpers import make_analysis, make_landmarks

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def test_open_migrates_to_head_and_models_match_migrations(db_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from hipwise.store.models import Base

    with Store.open(db_url) as store:
        assert store.schema.current_revision() == store.schema.head_revision() == "0003"
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
        assert store.schema.check() == []


def test_save_round_trip_keeps_every_metric_and_fault(db_url: str) -> None:
    analysis = make_analysis(faults=[(), ("toes_up", "hip_hike"), ()])
    seq = make_landmarks(120)
    with Store.open(db_url) as store:
        res = store.analyses.save("Ana", analysis, "sha256:aa", landmarks=seq, recorded_at=T0)
        assert res.created
        assert store.schema.counts() == {
            "people": 1, "sessions": 1, "recordings": 1, "landmarks": 1, "sets": 1,
            "reps": 3, "rep_faults": 2, "self_reports": 0, "program_events": 0,
        }
        assert store.analyses.load(res.recording_id) == analysis
        back = store.analyses.landmarks(res.recording_id)
        data = store.programme.person_data("Ana")
    assert back is not None and len(back) == 120
    np.testing.assert_allclose(back.xy, seq.xy, rtol=1e-6)
    np.testing.assert_array_equal(back.t, seq.t)
    np.testing.assert_array_equal(back.detected, seq.detected)
    (sess,) = data.sessions
    (s,) = sess.sets
    assert s.side == "left" and s.variation == "leg_lift" and s.load_kg == 0.0
    assert [r.good for r in s.reps] == [True, False, True]
    assert set(s.reps[1].faults) == {"toes_up", "hip_hike"}
    assert s.reps[1].peak_abduction_deg == pytest.approx(26.0)
    assert s.reps[0].at == T0 + timedelta(seconds=1.0)
    assert s.started_at == T0 + timedelta(seconds=1.0)


def test_saving_the_same_video_twice_stores_it_once(db_url: str) -> None:
    analysis = make_analysis()
    with Store.open(db_url) as store:
        first = store.analyses.save(None, analysis, "sha256:same", recorded_at=T0)
        before = store.schema.counts()
        second = store.analyses.save(None, analysis, "sha256:same", recorded_at=T0)
        assert store.schema.counts() == before
        other = store.analyses.save("Bo", analysis, "sha256:same", recorded_at=T0)
    assert first.created and not second.created
    assert (second.recording_id, second.set_ids) == (first.recording_id, first.set_ids)
    assert other.created and other.recording_id != first.recording_id


def test_recordings_close_in_time_share_a_session(db_url: str) -> None:
    a = make_analysis(duration_s=60)
    with Store.open(db_url) as store:
        r1 = store.analyses.save(None, a, "v1", recorded_at=T0)
        r2 = store.analyses.save(None, a, "v2", recorded_at=T0 + timedelta(minutes=10))
        r3 = store.analyses.save(None, a, "v3", recorded_at=T0 + timedelta(days=2))
        # saved out of order, still joins the first session
        r4 = store.analyses.save(None, a, "v4", recorded_at=T0 - timedelta(minutes=5))
        data = store.programme.person_data()
    assert r1.session_id == r2.session_id == r4.session_id != r3.session_id
    assert [len(s.sets) for s in data.sessions] == [3, 1]
    assert data.sessions[0].started_at == T0 - timedelta(minutes=5)


def test_self_report_and_load_are_stored_with_the_set(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.people.create("Ana")
        store.programme.add_event("Ana", "set_load", effective_at=T0 - timedelta(days=1),
                                side="right", load_kg=1.0)
        res = store.analyses.save(
            "Ana", make_analysis(side="right"), "v", recorded_at=T0,
            self_report=SelfReportInput(feelings=("side_of_hip", "lower_back")),
        )
        later = store.programme.add_self_report("Ana", SelfReportInput(feelings=("nothing",)))
        data = store.programme.person_data("Ana")
    (s,) = data.sessions[0].sets
    assert s.load_kg == 1.0
    assert [r.feelings for r in data.self_reports] == [("side_of_hip", "lower_back"), ("nothing",)]
    assert data.self_reports[0].set_id == res.set_ids[0]
    assert data.self_reports[0].side == "right"
    assert later.set_id == res.set_ids[0]


def test_live_set_is_saved_as_a_live_recording(db_url: str) -> None:
    set_result = make_analysis(side="left").sets[0]
    with Store.open(db_url) as store:
        res = store.live.save(None, set_result, "live:1234", started_at=T0, duration_s=20.0)
        back = store.analyses.load(res.recording_id)
    assert back.sets == [set_result]
    assert back.video.frames == 600


def test_settings_per_person_and_store_wide(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.people.create("Ana")
        store.people.create("Bo")
        store.people.set_setting("program_config", {"sessions_per_week": 4}, "Ana")
        store.people.set_setting("program_config", {"sessions_per_week": 2}, "Ana")
        assert store.people.get_setting("program_config", "Ana") == {"sessions_per_week": 2}
        assert store.people.get_setting("program_config", "Bo") is None
        assert store.people.get_setting("default_person", store_wide=True) == "Ana"
        store.people.set_default("Bo")
        assert store.people.get().name == "Bo"


def test_landmark_blob_is_compact() -> None:
    seq = make_landmarks(900)  # 30 s at 30 fps, random (worst case for compression)
    blob = encode_landmarks(seq)
    raw = seq.xy.nbytes + seq.depth.nbytes + seq.world.nbytes + seq.visibility.nbytes
    assert len(blob) < 0.55 * raw
    assert len(decode_landmarks(blob)) == 900
    with pytest.raises(ValueError, match="damaged"):
        decode_landmarks(blob[: len(blob) // 2])


def test_migrations_ship_inside_the_package() -> None:
    from importlib.resources import files

    root = files("hipwise.migrations")
    assert root.joinpath("env.py").is_file()
    names = {p.name for p in root.joinpath("versions").iterdir()}
    assert {"0001_core.py", "0002_programme.py"} <= names


def test_holds_and_circles_are_stored(db_url: str) -> None:
    iso = {
        "working_leg": "right", "variation": "isometric_circles", "reps": [],
        "holds": [{"start_s": 40.0, "end_s": 70.0, "hold_s": 30.0, "mean_abduction_deg": 22.0,
                   "sag_deg": 3.0, "shaking": True}],
        "circles": [{"index": i + 1, "start_s": 41.0 + 2 * i, "end_s": 42.5 + 2 * i,
                     "direction": "clockwise" if i < 5 else "counterclockwise",
                     "diameter_cm": 24.0} for i in range(10)],
    }
    analysis = make_analysis(extra_sets=[iso], duration_s=80.0)
    with Store.open(db_url) as store:
        res = store.analyses.save(None, analysis, "v", recorded_at=T0)
        assert store.analyses.load(res.recording_id) == analysis
        sets = store.programme.person_data().sessions[0].sets
    assert [(s.side, s.variation) for s in sets] == [
        ("left", "leg_lift"), ("right", "isometric_circles")]
    assert sets[1].holds_s == (30.0,) and sets[1].circles == 10 and sets[1].reps == ()
    assert sets[1].started_at == T0 + timedelta(seconds=40.0)
