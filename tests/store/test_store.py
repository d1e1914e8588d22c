"""The facade: one database (engine and session factory) shared by every repository, and each
repository usable on its own over a :class:`~hipwise.store.database.Database`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from hipwise.store import PersonData, Store, StoreConfig
from hipwise.store.database import Database
from hipwise.store.live import LiveSetRepository
from hipwise.store.migrations import Migrations
from hipwise.store.people import PeopleRepository
from hipwise.store.programme import EventSpec, ProgrammeRepository
from hipwise.store.recordings import AnalysisRepository
from tests.store.helpers import make_analysis

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def test_the_repositories_share_one_database(db_url: str) -> None:
    with Store.open(db_url) as store:
        repos = (store.schema, store.people, store.analyses, store.programme)
        assert all(r.db is store.db for r in repos)
        assert store.live.analyses is store.analyses
        assert store.engine is store.db.engine and store.url == db_url
        assert store.backend in ("sqlite", "postgresql")
        store.people.create("Ana")
        with store.read() as db:  # the facade's sessions are the database's
            assert db.bind is store.db.engine


def test_repositories_work_over_a_bare_database(tmp_path: Path) -> None:
    db = Database.connect(f"sqlite:///{tmp_path / 'h.db'}", StoreConfig())
    try:
        assert Migrations(db).upgrade() == (None, Migrations(db).head_revision())
        people, analyses = PeopleRepository(db), AnalysisRepository(db)
        assert people.create("Ana").name == "Ana"
        res = analyses.save("Ana", make_analysis(), "v1", recorded_at=T0)
        live = LiveSetRepository(analyses).save(
            "Ana", make_analysis(side="left").sets[0], "live:1", started_at=T0 + timedelta(hours=1),
            duration_s=20.0,
        )
        data = ProgrammeRepository(db).person_data("Ana")
        assert [s.recording_id for sess in data.sessions for s in sess.sets] == [
            res.recording_id, live.recording_id,
        ]
        assert Migrations(db).counts()["recordings"] == 2
    finally:
        db.close()


def test_programme_update_decides_on_the_read_model_and_adds_events(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.analyses.save("Ana", make_analysis(), "v1", recorded_at=T0)
        seen: list[int] = []

        def decide(data: PersonData) -> list[EventSpec]:
            seen.append(len(data.sessions))
            return [EventSpec(kind="progress", effective_at=T0 + timedelta(days=1),
                              side="left", load_kg=0.5, reason="all reps good")]

        (ev,) = store.programme.update("Ana", decide)
        assert seen == [1] and ev.load_kg == 0.5 and ev.kind == "progress"
        assert [e.id for e in store.programme.person_data("Ana").events] == [ev.id]
        # the next save on that side carries the new load
        store.analyses.save("Ana", make_analysis(), "v2", recorded_at=T0 + timedelta(days=2))
        sets = [s for sess in store.programme.person_data("Ana").sessions for s in sess.sets]
        assert [s.load_kg for s in sets] == [0.0, 0.5]


def test_people_default_and_listing(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.people.create("Ana")
        store.people.create("Ben")
        assert [p.name for p in store.people.all()] == ["Ana", "Ben"]
        assert store.people.get().name == "Ana"  # the first profile is the default
        store.people.set_default("Ben")
        assert store.people.get().name == "Ben"
        store.people.update("Ben", new_name="Bea")
        assert store.people.get().name == "Bea"  # the default follows a rename
