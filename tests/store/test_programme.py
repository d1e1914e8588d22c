"""The programme: self-reports, loads and programme events.
Each on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hipwise.store import SelfReportInput, Store
from tests.store.helpers import make_analysis

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


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
