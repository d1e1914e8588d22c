"""The schema: migrated on open, old schemas upgraded keeping their data, newer ones refused.
Each on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from hipwise.store import SchemaTooNewError, Store
from tests.store.helpers import make_analysis

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


def test_migrations_ship_inside_the_package() -> None:
    from importlib.resources import files

    root = files("hipwise.migrations")
    assert root.joinpath("env.py").is_file()
    names = {p.name for p in root.joinpath("versions").iterdir()}
    assert {"0001_core.py", "0002_programme.py"} <= names


def test_old_schema_is_migrated_to_head_keeping_its_data(db_url: str) -> None:
    with Store.open(db_url, migrate=False) as store:
        store.schema.upgrade("0001")
        assert store.schema.current_revision() == "0001"
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
        assert store.schema.current_revision() == "0003"
        assert store.people.get().name == "Old"
        res = store.analyses.save(None, make_analysis(), "v1")
        assert res.created
        assert store.schema.counts()["program_events"] == 0


def test_newer_schema_is_refused(db_url: str) -> None:
    with Store.open(db_url) as store, store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(SchemaTooNewError, match="newer hipwise"):
        Store.open(db_url)
