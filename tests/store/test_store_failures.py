"""Bad input, nothing lost: crashes mid-save, concurrent writers, locks, corruption, old and
new schemas, invalid profile values. Each on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from hipwise.store import (
    DatabaseCorruptError,
    DatabaseLockedError,
    DatabaseUnavailableError,
    InvalidProfileError,
    PersonNotFoundError,
    SchemaTooNewError,
    Store,
    StoreConfig,
)
from tests.store.helpers import make_analysis, make_landmarks

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
EMPTY = {
    "people": 0, "sessions": 0, "recordings": 0, "landmarks": 0, "sets": 0, "reps": 0,
    "rep_faults": 0, "self_reports": 0, "program_events": 0,
}


# --- a crash in the middle of saving -----------------------------------------------------------


def test_exception_inside_the_save_transaction_leaves_nothing(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hipwise.store.store as store_mod

    def boom(seq: object) -> bytes:  # runs after the sets and reps were flushed
        raise RuntimeError("injected crash while encoding landmarks")

    with Store.open(db_url) as store:
        store.create_person("Ana")
        before = store.counts()
        monkeypatch.setattr(store_mod, "encode_landmarks", boom)
        with pytest.raises(RuntimeError, match="injected"):
            store.save_analysis("Ana", make_analysis(), "v1", landmarks=make_landmarks(10))
        assert store.counts() == before
        monkeypatch.undo()
        res = store.save_analysis("Ana", make_analysis(), "v1", landmarks=make_landmarks(10))
        assert res.created
        assert store.counts()["reps"] == 3


def _die_mid_save(url: str) -> None:
    """Child process: start saving, then die without cleanup after the rows are flushed."""
    import hipwise.store.store as store_mod

    def die(seq: object) -> bytes:
        os._exit(17)

    store_mod.encode_landmarks = die  # type: ignore[attr-defined]  # imported there, not exported
    with Store.open(url) as store:
        store.save_analysis("Ana", make_analysis(), "v1", landmarks=make_landmarks(10))


def test_process_killed_mid_save_leaves_nothing(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.create_person("Ana")
        before = store.counts()
    proc = mp.get_context("spawn").Process(target=_die_mid_save, args=(db_url,))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 17
    with Store.open(db_url) as store:
        assert store.counts() == before
        assert store.check() == []
        assert store.save_analysis("Ana", make_analysis(), "v1").created


# --- two processes saving at once ------------------------------------------------------------


def _save_many(url: str, tag: str, n: int, barrier: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    with Store.open(url) as store:  # both also race to create the schema
        for i in range(n):
            store.save_analysis("Ana", make_analysis(), f"{tag}-{i}",
                                recorded_at=T0 + timedelta(minutes=i))
            store.save_analysis("Ana", make_analysis(), f"shared-{i}",
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
        counts = store.counts()
        data = store.person_data("Ana")
    assert counts["people"] == 1
    assert counts["recordings"] == 3 * n  # a-i, b-i and shared-i once each
    assert counts["reps"] == 3 * 3 * n
    assert sum(len(s.sets) for s in data.sessions) == 3 * n


# --- a locked database -----------------------------------------------------------------------


def test_locked_database_gives_a_clear_error_and_saves_nothing(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.create_person("Ana")
    cfg = StoreConfig(lock_timeout_s=0.3)
    locker = sa.create_engine(db_url)
    with Store.open(db_url, config=cfg) as store:
        if store.backend == "sqlite":
            raw = sqlite3.connect(store.engine.url.database or "", isolation_level=None)
            raw.execute("BEGIN EXCLUSIVE")
            release = raw.close  # rolls the open transaction back
        else:
            conn = locker.connect()
            conn.exec_driver_sql("LOCK TABLE people IN ACCESS EXCLUSIVE MODE")
            release = conn.close  # rolls back and returns the connection to the pool
        try:
            with pytest.raises(DatabaseLockedError, match="locked by another process"):
                store.save_analysis("Ana", make_analysis(), "v1")
        finally:
            release()
        assert store.counts()["recordings"] == 0
        assert store.save_analysis("Ana", make_analysis(), "v1").created
    locker.dispose()


# --- corrupt databases (SQLite files) --------------------------------------------------------


def test_garbage_file_is_reported_as_corrupt_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "hipwise.db"
    junk = b"this is not a database, it is a shopping list\n" * 200
    path.write_bytes(junk)
    with pytest.raises(DatabaseCorruptError, match="damaged or is not a hipwise database"):
        Store.open(f"sqlite:///{path}")
    assert path.read_bytes() == junk


def test_damaged_pages_are_reported_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "hipwise.db"
    url = f"sqlite:///{path}"
    with Store.open(url, config=StoreConfig(sqlite_wal=False)) as store:
        for i in range(30):
            store.save_analysis("Ana", make_analysis(faults=[()] * 15), f"v{i}",
                                landmarks=make_landmarks(30, seed=i))
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    for k in range(2, len(data) // page):  # keep the header page, scramble the rest
        data[k * page + 8:k * page + 400] = os.urandom(392)
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseCorruptError), Store.open(url) as store:
        store.person_data("Ana")
        store.counts()


def test_path_that_cannot_be_a_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailableError, match="folder"):
        Store.open(f"sqlite:///{tmp_path}")
    with pytest.raises(DatabaseUnavailableError, match="not a database URL"):
        Store.open("no such thing://")
    with pytest.raises(DatabaseUnavailableError, match="unsupported database"):
        Store.open("mysql://u@localhost/db")
    with Store.open(str(tmp_path / "plain path.db")) as store:  # a path means SQLite
        assert store.backend == "sqlite" and store.current_revision() == "0003"


def test_unreachable_postgres_is_reported() -> None:
    cfg = StoreConfig(connect_timeout_s=2)
    with pytest.raises(DatabaseUnavailableError, match="cannot connect"):
        Store.open("postgresql://nobody@127.0.0.1:9/none", config=cfg)


# --- schemas ---------------------------------------------------------------------------------


def test_old_schema_is_migrated_to_head_keeping_its_data(db_url: str) -> None:
    with Store.open(db_url, migrate=False) as store:
        store.upgrade("0001")
        assert store.current_revision() == "0001"
        insp = sa.inspect(store.engine)
        assert "program_events" not in insp.get_table_names()
        with store.engine.begin() as conn:  # rows written by the old version
            conn.execute(sa.text(
                "INSERT INTO people (id, name, conditions, goals, created_at, updated_at) "
                "VALUES (1, 'Old', '[]', '[]', :t, :t)"), {"t": T0.replace(tzinfo=None)})
            conn.execute(sa.text(
                "INSERT INTO settings (id, person_id, key, value, updated_at) "
                "VALUES (1, NULL, 'default_person', '\"Old\"', :t)"),
                {"t": T0.replace(tzinfo=None)})
    with Store.open(db_url) as store:
        assert store.current_revision() == "0003"
        assert store.get_person().name == "Old"
        res = store.save_analysis(None, make_analysis(), "v1")
        assert res.created
        assert store.counts()["program_events"] == 0


def test_newer_schema_is_refused(db_url: str) -> None:
    with Store.open(db_url) as store, store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(SchemaTooNewError, match="newer hipwise"):
        Store.open(db_url)


# --- invalid profile values ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "conditions", "goals", "match"),
    [
        ("", (), (), "name"),
        ("   ", (), (), "blank"),
        ("x" * 81, (), (), "at most 80"),
        ("Ana\x00", (), (), "printable"),
        ("Ana", ("broken_leg",), (), "conditions"),
        ("Ana", (), ("lose_weight",), "goals"),
    ],
)
def test_invalid_profile_values_are_rejected(
    db_url: str, name: str, conditions: tuple[str, ...], goals: tuple[str, ...], match: str
) -> None:
    with Store.open(db_url) as store:
        with pytest.raises(InvalidProfileError, match=match):
            store.create_person(name, conditions, goals)
        assert store.counts() == EMPTY


def test_duplicate_and_missing_profiles(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.create_person("Ana", ["trochanteric_bursitis"], ["pre_run_activation"])
        with pytest.raises(InvalidProfileError, match="exists already"):
            store.create_person("Ana")
        with pytest.raises(PersonNotFoundError, match="profile create"):
            store.get_person("Nobody")
        store.create_person("Bo")
        with pytest.raises(InvalidProfileError, match="exists already"):
            store.update_person("Bo", new_name="Ana")
        with pytest.raises(InvalidProfileError, match="conditions"):
            store.update_person("Ana", conditions=["flu"])
        ana = store.get_person("Ana")
        assert ana.conditions == ("trochanteric_bursitis",)
        renamed = store.update_person("Ana", new_name="Ana B", goals=[])
        assert renamed.goals == () and store.get_person().name == "Ana B"
