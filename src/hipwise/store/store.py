"""The store: open a database by URL, migrate it, and reach its repositories.

SQLite (default, a file in the user's data directory) and PostgreSQL (``HIPWISE_DATABASE_URL``,
e.g. ``postgresql://user@host/db``) behave the same:

* every write is one transaction: an analysis with all its sets, reps, faults, landmarks and
  self-report is saved completely or not at all;
* writers take the lock up front (SQLite ``BEGIN IMMEDIATE``; PostgreSQL row lock on the
  person), wait up to :attr:`StoreConfig.lock_timeout_s`, then fail with
  :class:`DatabaseLockedError`;
* saving the same source (fingerprint) twice for a person stores it once, also when two
  processes save it at the same moment;
* the schema is migrated to the newest revision on open (Alembic, serialised between processes).

:class:`Store` is a thin facade over one :class:`~hipwise.store.database.Database` (the engine
and its session factory) and the repositories that share it, one per aggregate:

========================  ======================================================================
``store.schema``          :class:`~hipwise.store.migrations.Migrations`: revision, upgrade, check,
                          row counts
``store.people``          :class:`~hipwise.store.people.PeopleRepository`: profiles and settings
``store.analyses``        :class:`~hipwise.store.recordings.AnalysisRepository`: recordings and
                          their analyses and landmarks
``store.live``            :class:`~hipwise.store.live.LiveSetRepository`: sets from the live page
``store.programme``       :class:`~hipwise.store.programme.ProgrammeRepository`: self-reports,
                          programme events and the programme engine's read model
========================  ======================================================================
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hipwise.store.config import StoreConfig, default_database_url, sqlite_url
from hipwise.store.database import Database
from hipwise.store.inputs import ProfileInput, SelfReportInput
from hipwise.store.live import LiveSetRepository
from hipwise.store.migrations import MIGRATIONS_LOCATION, Migrations
from hipwise.store.people import DEFAULT_PERSON_KEY, DEFAULT_PERSON_NAME, PeopleRepository
from hipwise.store.programme import EventSpec, ProgrammeRepository
from hipwise.store.recordings import AnalysisRepository, save_analysis

__all__ = [
    "DEFAULT_PERSON_KEY",
    "DEFAULT_PERSON_NAME",
    "MIGRATIONS_LOCATION",
    "EventSpec",
    "ProfileInput",
    "SelfReportInput",
    "Store",
    "save_analysis",
]


class Store:
    """A hipwise database and its repositories. Open with :meth:`open`; use as a context
    manager to close it.

    >>> with Store.open("sqlite:///:memory:") as store:          # doctest: +SKIP
    ...     result = store.analyses.save("me", analysis, "sha256:...")
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.schema = Migrations(db)
        self.people = PeopleRepository(db)
        self.analyses = AnalysisRepository(db)
        self.live = LiveSetRepository(self.analyses)
        self.programme = ProgrammeRepository(db)

    @classmethod
    def open(
        cls, url: str | None = None, *, config: StoreConfig | None = None, migrate: bool = True
    ) -> Store:
        """Open the database at ``url`` (default :func:`default_database_url`; a plain file path
        means a SQLite file) and, unless ``migrate`` is False, upgrade its schema to the newest
        revision.

        Raises:
            DatabaseCorruptError, DatabaseLockedError, DatabaseUnavailableError,
            SchemaTooNewError: with a message saying what to do.
        """
        url = url or default_database_url()
        if "://" not in url:  # a plain file path means a SQLite file
            url = sqlite_url(url)
        store = cls(Database.connect(url, config or StoreConfig()))
        try:
            if migrate:
                store.schema.upgrade()
            else:
                store.schema.current_revision()  # fails early on a corrupt/unreachable database
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Release all connections."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine."""
        return self.db.engine

    @property
    def url(self) -> str:
        """The database URL the store was opened with."""
        return self.db.url

    @property
    def config(self) -> StoreConfig:
        """The store's settings."""
        return self.db.config

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.db.backend

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction (see :meth:`Database.transaction`)."""
        with self.db.transaction() as db:
            yield db

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (see :meth:`Database.read`)."""
        with self.db.read() as db:
            yield db
