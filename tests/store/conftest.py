"""Store fixtures: every ``db_url`` test runs against SQLite and, when
``HIPWISE_TEST_POSTGRES_URL`` is set (see scripts/start_postgres.sh), PostgreSQL. Each test gets
a fresh database (a new SQLite file, or a new PostgreSQL schema dropped afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hipwise.contract import Analysis
from tests.store.helpers import make_analysis

PG_ENV = "HIPWISE_TEST_POSTGRES_URL"


def _pg_base() -> str | None:
    return os.environ.get(PG_ENV) or None


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hipwise.db'}"
        return
    base = _pg_base()
    if base is None:
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV} (scripts/start_postgres.sh)")
    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def analysis_factory() -> Callable[..., Analysis]:
    """:func:`make_analysis` as a fixture."""
    return make_analysis
