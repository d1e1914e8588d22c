"""The hipwise store: people, sessions, sets, reps (every metric and fault), landmarks,
self-reports, programme events and settings, in SQLite (default) or PostgreSQL.

Open with :meth:`Store.open` (URL from ``HIPWISE_DATABASE_URL`` or a SQLite file in the user's
data directory); the schema is migrated on open. Importing this package has no side effects and
is cheap: SQLAlchemy is imported when :class:`Store` or :func:`save_analysis` is first used,
Alembic when a database is opened.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from hipwise.store.config import StoreConfig, default_data_dir, default_database_url
from hipwise.store.errors import (
    DatabaseCorruptError,
    DatabaseLockedError,
    DatabaseUnavailableError,
    InvalidProfileError,
    PersonNotFoundError,
    SchemaTooNewError,
    StoreError,
)
from hipwise.store.inputs import ProfileInput, SelfReportInput
from hipwise.store.records import (
    EventRecord,
    PersonData,
    PersonRecord,
    RepRecord,
    SaveResult,
    SelfReportRecord,
    SessionRecord,
    SetRecord,
)

if TYPE_CHECKING:
    from hipwise.store.programme import EventSpec
    from hipwise.store.recordings import save_analysis
    from hipwise.store.store import Store

__all__ = [
    "DatabaseCorruptError",
    "DatabaseLockedError",
    "DatabaseUnavailableError",
    "EventRecord",
    "EventSpec",
    "InvalidProfileError",
    "PersonData",
    "PersonNotFoundError",
    "PersonRecord",
    "ProfileInput",
    "RepRecord",
    "SaveResult",
    "SchemaTooNewError",
    "SelfReportInput",
    "SelfReportRecord",
    "SessionRecord",
    "SetRecord",
    "Store",
    "StoreConfig",
    "StoreError",
    "default_data_dir",
    "default_database_url",
    "save_analysis",
]

_LAZY = {
    "EventSpec": "hipwise.store.programme",
    "Store": "hipwise.store.store",
    "save_analysis": "hipwise.store.recordings",
}


def __getattr__(name: str) -> object:
    """Import the module of a store name (SQLAlchemy) on first use of it."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'hipwise.store' has no attribute {name!r}")
