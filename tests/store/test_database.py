"""The database under a store: locks, damaged files, paths and servers that cannot be used,
each reported with what to do.
Each on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from hipwise.store import (
    DatabaseCorruptError,
    DatabaseLockedError,
    DatabaseUnavailableError,
    Store,
    StoreConfig,
)
from tests.store.helpers import make_analysis, make_landmarks

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def test_locked_database_gives_a_clear_error_and_saves_nothing(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.people.create("Ana")
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
                store.analyses.save("Ana", make_analysis(), "v1")
        finally:
            release()
        assert store.schema.counts()["recordings"] == 0
        assert store.analyses.save("Ana", make_analysis(), "v1").created
    locker.dispose()


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
            store.analyses.save("Ana", make_analysis(faults=[()] * 15), f"v{i}",
                                landmarks=make_landmarks(30, seed=i))
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    for k in range(2, len(data) // page):  # keep the header page, scramble the rest
        data[k * page + 8:k * page + 400] = os.urandom(392)
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseCorruptError), Store.open(url) as store:
        store.programme.person_data("Ana")
        store.schema.counts()


def test_path_that_cannot_be_a_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailableError, match="folder"):
        Store.open(f"sqlite:///{tmp_path}")
    with pytest.raises(DatabaseUnavailableError, match="not a database URL"):
        Store.open("no such thing://")
    with pytest.raises(DatabaseUnavailableError, match="unsupported database"):
        Store.open("mysql://u@localhost/db")
    with Store.open(str(tmp_path / "plain path.db")) as store:  # a path means SQLite
        assert store.backend == "sqlite" and store.schema.current_revision() == "0003"


def test_unreachable_postgres_is_reported() -> None:
    cfg = StoreConfig(connect_timeout_s=2)
    with pytest.raises(DatabaseUnavailableError, match="cannot connect"):
        Store.open("postgresql://nobody@127.0.0.1:9/none", config=cfg)
