"""``hipwise db``: upgrade, check and describe the database."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from hipwise.cli import EXIT_BAD_INPUT, EXIT_OK
from hipwise.store.config import DATABASE_URL_ENV, default_database_url
from hipwise.store.errors import StoreError

__all__ = ["register"]

_EPILOG = f"""\
The database is ${DATABASE_URL_ENV} if set (e.g. postgresql://user@host/hipwise), else a
SQLite file hipwise.db in your data folder. Every command migrates it on open; 'db upgrade'
does only that.

examples:
  hipwise db upgrade
  hipwise db check
  hipwise db info --db sqlite:////tmp/test.db
"""


def register(subparsers: Any) -> None:
    """Add the ``db`` subcommand."""
    p = subparsers.add_parser(
        "db", help="upgrade, check or describe the database",
        description="Manage the hipwise database (profiles, sessions, reps, landmarks).",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", choices=("upgrade", "check", "info"), help="what to do")
    p.add_argument("--db", metavar="URL", default=None, help="database URL")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``hipwise db``."""
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.store.store import Store

    url = args.db or default_database_url()
    try:
        if args.action == "upgrade":
            with Store.open(url, migrate=False) as store:
                before, after = store.schema.upgrade()
            print(f"schema: {before or 'empty'} -> {after}" if before != after
                  else f"schema already at {after}")
            return EXIT_OK
        with Store.open(url, migrate=args.action != "check") as store:
            if args.action == "check":
                problems = store.schema.check()
                for p in problems:
                    print(f"problem: {p}")
                print("ok" if not problems else f"{len(problems)} problem(s)")
                return EXIT_OK if not problems else EXIT_BAD_INPUT
            print(f"database: {store.engine.url.render_as_string(hide_password=True)}")
            print(f"schema: {store.schema.current_revision()}")
            for table, n in store.schema.counts().items():
                print(f"{table}: {n}")
            return EXIT_OK
    except StoreError as exc:
        print(f"hipwise: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
