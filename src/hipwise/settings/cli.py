"""The settings flags every command that analyses shares (``--config``, ``--set``,
``--condition``) and the one function that turns them into :class:`~hipwise.settings.Settings`."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from hipwise.settings.root import CONDITION_FLAGS, Settings, load_settings, parse_overrides

__all__ = ["add_settings_arguments", "settings_from_args"]


def add_settings_arguments(
    parser: argparse.ArgumentParser, *, set_example: str = "faults.too_high_deg=40"
) -> None:
    """Add ``--config FILE``, ``--set SECTION.KEY=VALUE`` (repeatable) and ``--condition NAME``
    (repeatable) to ``parser``; ``set_example`` is shown in ``--set``'s help."""
    parser.add_argument("--config", type=Path, metavar="FILE", help="settings file (TOML)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help=f"override one setting (repeatable), e.g. {set_example}",
    )
    parser.add_argument(
        "--condition",
        action="append",
        default=[],
        choices=list(CONDITION_FLAGS),
        help="a condition that changes the rules (repeatable)",
    )


def settings_from_args(
    args: argparse.Namespace,
    overrides: Mapping[str, Any] | None = None,
    conditions: Iterable[str] = (),
) -> Settings:
    """The settings the flags of :func:`add_settings_arguments` ask for: the ``--config`` file,
    its ``--set`` overrides and ``overrides`` (a command's own flags, applied after ``--set``),
    and the ``--condition`` flags plus ``conditions`` (e.g. the profile's).

    Raises:
        ConfigError: naming the bad key, value or condition.
    """
    merged = parse_overrides(args.set)
    merged.update(overrides or {})
    return load_settings(args.config, merged, [*args.condition, *conditions])
