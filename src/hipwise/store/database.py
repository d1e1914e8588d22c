"""One database for a store: its engine, sessions and transactions (SQLite or PostgreSQL).

* every write is one transaction (:meth:`Database.transaction`), committed when the block ends
  and rolled back on any exception;
* writers take the lock up front (SQLite ``BEGIN IMMEDIATE``; PostgreSQL ``lock_timeout``), wait
  up to :attr:`StoreConfig.lock_timeout_s`, then fail with :class:`DatabaseLockedError`;
* driver errors become the store's errors, each saying what to do.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from hipwise.store.config import StoreConfig
from hipwise.store.errors import (
    DatabaseCorruptError,
    DatabaseLockedError,
    DatabaseUnavailableError,
    StoreError,
)

__all__ = ["Database"]


# errors from the driver -> store errors


def _db_description(url: str) -> str:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"the SQLite database {u.database or ':memory:'}"
    return f"the database {u.render_as_string(hide_password=True)}"


def _translate(exc: BaseException, url: str) -> StoreError | None:
    """A store error for a driver error, or None when ``exc`` is not a database problem."""
    orig: BaseException = exc.orig if isinstance(exc, sa_exc.DBAPIError) else exc  # type: ignore[assignment]
    msg = str(orig).lower()
    where = _db_description(url)
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(exc, sa_exc.IntegrityError):
        return None
    if "locked" in msg or "busy" in msg or sqlstate in ("55P03", "40P01"):
        return DatabaseLockedError(
            f"{where} is locked by another process (another hipwise saving?). "
            "Wait for it to finish and try again."
        )
    if isinstance(orig, sqlite3.DatabaseError) and (
        "not a database" in msg or "malformed" in msg or "corrupt" in msg
        or "disk image" in msg
    ):
        return DatabaseCorruptError(
            f"{where} is damaged or is not a hipwise database ({orig}). Move the file aside "
            "(it may be recoverable with 'sqlite3 FILE .recover') and hipwise will start a new "
            "one, or point HIPWISE_DATABASE_URL at another database."
        )
    if "readonly" in msg or "read-only" in msg:
        return DatabaseUnavailableError(
            f"{where} is read-only: check the permissions of the file and its folder."
        )
    if isinstance(orig, sqlite3.OperationalError) and "unable to open" in msg:
        return DatabaseUnavailableError(
            f"cannot open {where}: check that its folder exists and is writable, or set "
            "HIPWISE_DATABASE_URL / HIPWISE_DATA_DIR."
        )
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) and (
        "connect" in msg or "connection" in msg or "password" in msg or "does not exist" in msg
    ):
        return DatabaseUnavailableError(
            f"cannot connect to {where} ({str(orig).strip()}). Check that the server is running "
            "and the URL in HIPWISE_DATABASE_URL is right."
        )
    if isinstance(exc, sa_exc.DBAPIError | sqlite3.Error):
        return StoreError(f"database error in {where}: {str(orig).strip()}")
    return None


# engine set-up


def _install_sqlite_hooks(engine: Engine, config: StoreConfig) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(config.lock_timeout_s * 1000)}")
            cur.execute("PRAGMA foreign_keys = ON")
            if config.sqlite_wal:
                cur.execute("PRAGMA journal_mode = WAL")
                cur.execute("PRAGMA synchronous = NORMAL")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("hipwise_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _make_engine(url: str, config: StoreConfig) -> Engine:
    try:
        u = make_url(url)
    except sa_exc.ArgumentError as exc:
        raise DatabaseUnavailableError(
            f"{url!r} is not a database URL. Use e.g. sqlite:////path/hipwise.db or "
            "postgresql://user@host/dbname."
        ) from exc
    backend = u.get_backend_name()
    if backend == "sqlite":
        memory = u.database in (None, "", ":memory:")
        if not memory:
            assert u.database is not None
            path = Path(u.database)
            if path.is_dir():
                raise DatabaseUnavailableError(
                    f"{path} is a folder; the database URL must name a file."
                )
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailableError(
                    f"cannot create the folder {path.parent} for the database: {exc}"
                ) from exc
        engine = create_engine(
            u,
            connect_args={"timeout": config.lock_timeout_s, "check_same_thread": False},
            poolclass=StaticPool if memory else None,
        )
        _install_sqlite_hooks(engine, config)
        return engine
    if backend == "postgresql":
        if u.get_driver_name() in ("", "psycopg2") and u.drivername == "postgresql":
            u = u.set(drivername="postgresql+psycopg")
        try:
            return create_engine(
                u, pool_pre_ping=True,
                connect_args={"connect_timeout": config.connect_timeout_s},
            )
        except ModuleNotFoundError as exc:
            raise DatabaseUnavailableError(
                f"the database driver {u.drivername!r} is not installed: use a "
                "postgresql:// URL (psycopg 3, installed with hipwise)"
            ) from exc
    raise DatabaseUnavailableError(
        f"unsupported database {backend!r}: hipwise supports SQLite and PostgreSQL."
    )


class Database:
    """One engine and its session factory: what every repository of a store shares.

    :meth:`transaction` is a write transaction (the lock taken up front), :meth:`read` a
    read-only one; driver errors leave both as store errors (:class:`StoreError` and kinds).
    """

    def __init__(self, engine: Engine, url: str, config: StoreConfig) -> None:
        self.engine = engine
        self.url = url
        self.config = config
        self._write_engine = engine.execution_options(hipwise_write=True)

    @classmethod
    def connect(cls, url: str, config: StoreConfig) -> Database:
        """The engine for ``url`` (SQLite or PostgreSQL) with hipwise's connection settings.

        Raises:
            DatabaseUnavailableError: not a database URL, an unsupported database, or a SQLite
                file whose folder cannot be created.
        """
        return cls(_make_engine(url, config), url, config)

    @property
    def write_engine(self) -> Engine:
        """The engine whose transactions take the write lock at once (SQLite)."""
        return self._write_engine

    def close(self) -> None:
        """Release all connections."""
        self.engine.dispose()

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    def description(self) -> str:
        """The database in words for messages (no password)."""
        return _db_description(self.url)

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Driver errors inside the block raised as store errors (see :func:`_translate`)."""
        try:
            yield
        except (sa_exc.DBAPIError, sqlite3.Error) as exc:
            err = _translate(exc, self.url)
            if err is None:
                raise
            raise err from exc

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back (nothing written) on
        any exception. Takes the write lock at once (SQLite) and applies the lock timeout."""
        with (
            self.errors(),
            Session(self._write_engine, expire_on_commit=False) as db,
            db.begin(),
        ):
            if self.backend == "postgresql":
                ms = int(self.config.lock_timeout_s * 1000)
                db.execute(text(f"SET LOCAL lock_timeout = {ms}"))
            yield db

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (rolled back at the end)."""
        with self.errors(), Session(self.engine, expire_on_commit=False) as db, db.begin():
            yield db
            db.rollback()
