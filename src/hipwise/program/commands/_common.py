"""Shared CLI plumbing: ``--db`` / ``--person`` options and store errors as exit codes."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from hipwise.cli import EXIT_BAD_INPUT, EXIT_USAGE
from hipwise.store.config import DATABASE_URL_ENV
from hipwise.store.errors import InvalidProfileError, PersonNotFoundError, StoreError

if TYPE_CHECKING:
    from hipwise.store.store import Store

__all__ = ["add_store_args", "fail", "with_store"]

log = logging.getLogger(__name__)


def add_store_args(parser: argparse.ArgumentParser, *, person: bool = True) -> None:
    """Add ``--db URL`` and (optionally) ``--person NAME``."""
    parser.add_argument(
        "--db", metavar="URL", default=None,
        help=f"database URL (default: ${DATABASE_URL_ENV}, else hipwise.db in your data folder)",
    )
    if person:
        parser.add_argument("--person", "-p", metavar="NAME", default=None,
                            help="whose profile (default: the default profile)")


def fail(message: str, code: int) -> int:
    """Print ``message`` for the user on stderr and return ``code``."""
    print(f"hipwise: {message}", file=sys.stderr)
    return code


def with_store(args: argparse.Namespace, body: Callable[[Store], int]) -> int:
    """Open the store from ``args.db``, run ``body``, map store errors to exit codes
    (profile problems: usage error 2; database problems: input error 3)."""
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.store.store import Store

    try:
        with Store.open(getattr(args, "db", None)) as store:
            return body(store)
    except (InvalidProfileError, PersonNotFoundError) as exc:
        return fail(str(exc), EXIT_USAGE)
    except StoreError as exc:
        log.debug("store error", exc_info=True)
        return fail(str(exc), EXIT_BAD_INPUT)
