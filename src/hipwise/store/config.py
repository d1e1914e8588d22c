"""Where the database lives and how the store talks to it (a frozen settings model)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hipwise.settings.store import StoreConfig

__all__ = [
    "DATABASE_URL_ENV",
    "DATA_DIR_ENV",
    "StoreConfig",
    "default_data_dir",
    "default_database_url",
    "sqlite_url",
]

DATABASE_URL_ENV = "HIPWISE_DATABASE_URL"
DATA_DIR_ENV = "HIPWISE_DATA_DIR"


def default_data_dir() -> Path:
    """The user's hipwise data directory.

    ``$HIPWISE_DATA_DIR`` if set; otherwise ``$XDG_DATA_HOME/hipwise`` or
    ``~/.local/share/hipwise`` (Linux), ``~/Library/Application Support/hipwise`` (macOS),
    ``%LOCALAPPDATA%\\hipwise`` (Windows). The directory is not created here.
    """
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / "hipwise"
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA")
        return (Path(base) if base else home / "AppData" / "Local") / "hipwise"
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else home / ".local" / "share") / "hipwise"


def sqlite_url(path: Path | str) -> str:
    """A SQLAlchemy URL for a SQLite file at ``path``."""
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def default_database_url() -> str:
    """``$HIPWISE_DATABASE_URL`` if set, else SQLite ``hipwise.db`` in :func:`default_data_dir`."""
    env = os.environ.get(DATABASE_URL_ENV)
    if env:
        return env
    return sqlite_url(default_data_dir() / "hipwise.db")
