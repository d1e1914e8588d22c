"""Errors the store raises. Every message says what happened and what the user can do."""

from __future__ import annotations

__all__ = [
    "DatabaseCorruptError",
    "DatabaseLockedError",
    "DatabaseUnavailableError",
    "InvalidProfileError",
    "PersonNotFoundError",
    "SchemaTooNewError",
    "StoreError",
]


class StoreError(Exception):
    """Base class of every store error; ``str(err)`` is a message fit for the user."""


class DatabaseCorruptError(StoreError):
    """The database file is not a database or is damaged."""


class DatabaseLockedError(StoreError):
    """Another process held a lock on the database for longer than the configured timeout."""


class DatabaseUnavailableError(StoreError):
    """The database server cannot be reached, or the URL/path is unusable."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer hipwise whose schema this version does not know."""


class InvalidProfileError(StoreError, ValueError):
    """A profile value (name, condition, goal, programme setting) is not valid."""


class PersonNotFoundError(StoreError, LookupError):
    """No person with that name is in the store."""
