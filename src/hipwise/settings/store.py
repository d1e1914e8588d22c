"""Settings of the store (``[store]``): locks, sessions, SQLite journal, connection timeout.
Where the database lives is not a setting here: ``--db`` / ``$HIPWISE_DATABASE_URL``."""

from __future__ import annotations

from pydantic import Field

from hipwise.settings_base import FrozenSettings

__all__ = ["StoreConfig"]


class StoreConfig(FrozenSettings):
    """Store settings (each field documents itself)."""

    lock_timeout_s: float = Field(default=10.0, gt=0, le=3600)
    """How long (seconds) a write waits for another process's lock before failing with
    :class:`~hipwise.store.errors.DatabaseLockedError` (up to an hour). 10 s covers a
    concurrent save of a long video (a few thousand rep rows) with a wide margin."""
    session_gap_s: float = Field(default=3 * 3600.0, gt=0, le=7 * 86400)
    """Recordings of one person closer together than this (seconds, between the end of one and the
    start of the next) belong to the same training session. 3 hours: a morning and an evening
    workout are two sessions, sets minutes apart are one."""
    sqlite_wal: bool = True
    """Use SQLite's write-ahead log, so readers never block the writer. Turn off for databases on
    network file systems, where WAL is unsafe."""
    connect_timeout_s: int = Field(default=10, gt=0, le=600)
    """PostgreSQL connection timeout (seconds)."""
