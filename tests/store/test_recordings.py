"""Saving and reading analyses: every metric kept, duplicates stored once, nothing lost on a
crash mid-save or with two writers at once.
Each on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp
import os
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from hipwise.store import Store
from hipwise.store.blobs import decode_landmarks, encode_landmarks
from tests.store.helpers import make_analysis, make_landmarks

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


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


def test_landmark_blob_is_compact() -> None:
    seq = make_landmarks(900)  # 30 s at 30 fps, random (worst case for compression)
    blob = encode_landmarks(seq)
    raw = seq.xy.nbytes + seq.depth.nbytes + seq.world.nbytes + seq.visibility.nbytes
    assert len(blob) < 0.55 * raw
    assert len(decode_landmarks(blob)) == 900
    with pytest.raises(ValueError, match="damaged"):
        decode_landmarks(blob[: len(blob) // 2])


def test_exception_inside_the_save_transaction_leaves_nothing(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hipwise.store.recordings as store_mod

    def boom(seq: object) -> bytes:  # runs after the sets and reps were flushed
        raise RuntimeError("injected crash while encoding landmarks")

    with Store.open(db_url) as store:
        store.people.create("Ana")
        before = store.schema.counts()
        monkeypatch.setattr(store_mod, "encode_landmarks", boom)
        with pytest.raises(RuntimeError, match="injected"):
            store.analyses.save("Ana", make_analysis(), "v1", landmarks=make_landmarks(10))
        assert store.schema.counts() == before
        monkeypatch.undo()
        res = store.analyses.save("Ana", make_analysis(), "v1", landmarks=make_landmarks(10))
        assert res.created
        assert store.schema.counts()["reps"] == 3


def _die_mid_save(url: str) -> None:
    """Child process: start saving, then die without cleanup after the rows are flushed."""
    import hipwise.store.recordings as store_mod

    def die(seq: object) -> bytes:
        os._exit(17)

    store_mod.encode_landmarks = die  # type: ignore[attr-defined]
    with Store.open(url) as store:
        store.analyses.save("Ana", make_analysis(), "v1", landmarks=make_landmarks(10))


def test_process_killed_mid_save_leaves_nothing(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.people.create("Ana")
        before = store.schema.counts()
    proc = mp.get_context("spawn").Process(target=_die_mid_save, args=(db_url,))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 17
    with Store.open(db_url) as store:
        assert store.schema.counts() == before
        assert store.schema.check() == []
        assert store.analyses.save("Ana", make_analysis(), "v1").created


def _save_many(url: str, tag: str, n: int, barrier: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    with Store.open(url) as store:  # both also race to create the schema
        for i in range(n):
            store.analyses.save("Ana", make_analysis(), f"{tag}-{i}",
                                recorded_at=T0 + timedelta(minutes=i))
            store.analyses.save("Ana", make_analysis(), f"shared-{i}",
                                recorded_at=T0 + timedelta(minutes=i))


def test_two_processes_saving_at_once_lose_and_duplicate_nothing(db_url: str) -> None:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(2)
    n = 8
    procs = [ctx.Process(target=_save_many, args=(db_url, tag, n, barrier)) for tag in "ab"]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    with Store.open(db_url) as store:
        counts = store.schema.counts()
        data = store.programme.person_data("Ana")
    assert counts["people"] == 1
    assert counts["recordings"] == 3 * n  # a-i, b-i and shared-i once each
    assert counts["reps"] == 3 * 3 * n
    assert sum(len(s.sets) for s in data.sessions) == 3 * n
