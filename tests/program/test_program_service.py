"""The programme service on a real store (SQLite and, when configured, PostgreSQL)."""

from __future__ import annotations

import multiprocessing as mp
from datetime import UTC, date, datetime, timedelta

from hipwise.program import apply_programme_updates, history_for, today_for
from hipwise.store import SelfReportInput, Store
from tests.store.helpers import make_analysis

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _apply(url: str, barrier: object, out: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    with Store.open(url) as store:
        out.put(len(apply_programme_updates(store, "Ana")))  # type: ignore[attr-defined]


def test_two_processes_record_a_progression_once(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.analyses.save("Ana", make_analysis(faults=[()] * 20), "v1", recorded_at=T0)
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_apply, args=(db_url, barrier, out)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0]
    assert sorted([out.get(timeout=5), out.get(timeout=5)]) == [0, 1]
    with Store.open(db_url) as store:
        (ev,) = store.programme.person_data("Ana").events
    assert (ev.kind, ev.side, ev.load_kg) == ("progress", "left", 0.5)


def test_saved_sets_use_the_progressed_load_and_history_shows_it(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.analyses.save("Ana", make_analysis(faults=[()] * 20), "v1", recorded_at=T0)
        plan, changes = today_for(store, "Ana", today=date(2026, 11, 4))
        assert [c.kind for c in changes] == ["progress"]
        assert plan.load_kg["left"] == 0.5
        store.analyses.save("Ana", make_analysis(faults=[()] * 5), "v2",
                            recorded_at=T0 + timedelta(days=2))
        hist = history_for(store, "Ana")
    assert [r.load_kg for r in hist.side("left")] == [0.0, 0.5]


def test_sharp_pain_reported_with_a_live_set_switches_to_safe_variation(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.live.save("Ana", make_analysis().sets[0], "live:1", started_at=T0,
                            duration_s=30.0,
                            self_report=SelfReportInput(feelings=("sharp_pain",)))
        plan, changes = today_for(store, "Ana", today=date(2026, 11, 4), pain_now=False)
    assert [c.kind for c in changes] == ["safe_variation"]
    assert plan.variation == "isometric_hold"
