"""The schema of a store's database: revisions, migrations (Alembic, serialised between
processes), integrity checks and row counts. The migrations themselves live in
``hipwise/migrations``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from hipwise.store.database import Database
from hipwise.store.errors import SchemaTooNewError
from hipwise.store.models import (
    Landmarks,
    Person,
    ProgramEvent,
    Recording,
    Rep,
    RepFault,
    SelfReportRow,
    SetRow,
    TrainingSession,
)

__all__ = [
    "MIGRATIONS_LOCATION",
    "Migrations",
]


log = logging.getLogger(__name__)


MIGRATIONS_LOCATION = "hipwise:migrations"
_PG_MIGRATION_LOCK = 0x68697077  # "hipw": advisory lock id serialising migrations


@dataclass
class _Revisions:
    head: str
    known: frozenset[str]


class Migrations:
    """The schema of a database: its revision, migrating it (Alembic, the migrations of
    ``hipwise/migrations``), integrity checks and row counts."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _alembic_config() -> Any:
        cfg = Config()
        cfg.set_main_option("script_location", MIGRATIONS_LOCATION)
        return cfg

    def _revisions(self) -> _Revisions:
        script = ScriptDirectory.from_config(self._alembic_config())
        head = script.get_current_head()
        assert head is not None
        return _Revisions(head, frozenset(r.revision for r in script.walk_revisions()))

    def current_revision(self) -> str | None:
        """The schema revision of the database (None: empty database)."""
        with self.db.errors(), self.db.engine.connect() as conn:
            rev = MigrationContext.configure(conn).get_current_revision()
            conn.rollback()
            return rev

    def head_revision(self) -> str:
        """The newest schema revision this hipwise knows."""
        return self._revisions().head

    def upgrade(self, target: str = "head") -> tuple[str | None, str | None]:
        """Migrate the schema to ``target``; returns (revision before, revision after).

        Serialised between processes (SQLite write lock, PostgreSQL advisory lock), so two
        processes opening a new database at once create it once.

        Raises:
            SchemaTooNewError: the database has a revision this hipwise does not know.
        """
        revs = self._revisions()
        with self.db.errors(), self.db.write_engine.connect() as conn, conn.begin():
            if self.db.backend == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                             {"k": _PG_MIGRATION_LOCK})
            before = MigrationContext.configure(conn).get_current_revision()
            if before is not None and before not in revs.known:
                raise SchemaTooNewError(
                    f"{self.db.description()} has schema revision {before!r}, written "
                    f"by a newer hipwise (this one knows up to {revs.head!r}). Upgrade "
                    "hipwise, or use another database."
                )
            wanted = revs.head if target == "head" else target
            if before == wanted:
                return before, before
            cfg = self._alembic_config()
            cfg.attributes["connection"] = conn
            log.info("migrating %s from %s to %s", self.db.description(), before, wanted)
            command.upgrade(cfg, target)
            after = MigrationContext.configure(conn).get_current_revision()
        return before, after

    def check(self) -> list[str]:
        """Integrity problems found (empty: healthy). SQLite runs ``PRAGMA quick_check``."""
        problems: list[str] = []
        if self.db.backend == "sqlite":
            with self.db.errors(), self.db.engine.connect() as conn:
                rows = conn.exec_driver_sql("PRAGMA quick_check").all()
                conn.rollback()
            problems += [str(r[0]) for r in rows if str(r[0]).lower() != "ok"]
        rev, head = self.current_revision(), self.head_revision()
        if rev != head:
            problems.append(f"schema revision {rev} is not the newest ({head}): run "
                            "'hipwise db upgrade'")
        return problems

    def counts(self) -> dict[str, int]:
        """Row counts per table (for checks and ``hipwise db info``)."""
        tables = (Person, TrainingSession, Recording, Landmarks, SetRow, Rep, RepFault,
                  SelfReportRow, ProgramEvent)
        with self.db.read() as db:
            return {
                t.__tablename__: int(db.scalar(select(func.count()).select_from(t)) or 0)
                for t in tables
            }
