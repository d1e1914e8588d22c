"""The hipwise store: people, sessions, sets, reps (every metric and fault), landmarks,
self-reports, programme events and settings, in SQLite (default) or PostgreSQL.

Open with :meth:`Store.open` (URL from ``HIPWISE_DATABASE_URL`` or a SQLite file in the user's
data directory); the schema is migrated on open. Importing this package has no side effects;
Alembic is imported only when a database is opened.
"""

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
from hipwise.store.store import ProfileInput, SelfReportInput, Store, save_analysis

__all__ = [
    "DatabaseCorruptError",
    "DatabaseLockedError",
    "DatabaseUnavailableError",
    "EventRecord",
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
