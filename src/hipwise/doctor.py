"""``hipwise doctor``: is this installation complete? One line per check, and for each problem
the command that fixes it.

Checks: MediaPipe imports and is the release hipwise is built on; the pose model in its wheel
is there and loads; Debian's chromium (the browser tests of the live page and the report);
the vendored MediaPipe Tasks for Web files (the live page's in-browser pose model); the
database URL (``$HIPWISE_DATABASE_URL``, else the SQLite file in the data directory) connects.

Exit codes: 0 when every check passes, 5 (``EXIT_SETUP``) when any has a problem.

Everything the checks ask of the machine goes through :class:`Probes`, so tests can fake a
missing or broken part at that boundary. The probes import what they check (MediaPipe, the pose
adapter, SQLAlchemy, the web harness) when they run, not when the CLI builds its parser.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from hipwise.cli import EXIT_OK, EXIT_SETUP
from hipwise.pose.engine import CHECKOUT_INSTALL_COMMAND, INSTALL_COMMAND, MEDIAPIPE_VERSION
from hipwise.store.config import default_database_url

__all__ = ["Check", "Probes", "doctor", "register", "report", "run", "run_checks"]

MEDIAPIPE_FIX = INSTALL_COMMAND
CHECKOUT_FIX = CHECKOUT_INSTALL_COMMAND
CHROMIUM_FIX = "sudo apt-get install chromium"
VENDOR_FIX = "bash scripts/vendor_web.sh"
#: A file the live page's in-browser pose model cannot run without.
VENDOR_FILES = ("vision_bundle.mjs", "wasm/vision_wasm_internal.js",
                "wasm/vision_wasm_internal.wasm")


@dataclass(frozen=True)
class Check:
    """One check's outcome: ``ok``, what was found (``detail``) and, for a problem, the
    command that fixes it (``fix``)."""

    name: str
    ok: bool
    detail: str
    fix: str | None = None


def _load_pose_model() -> str:
    """Build the estimator with MediaPipe's models and run it on one blank frame; returns
    which API it runs (a sentence)."""
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.pose.bundle import wheel_models
    from hipwise.pose.mediapipe_adapter import MediaPipePoseEstimator, PoseConfig

    det, lm = wheel_models()
    with MediaPipePoseEstimator(PoseConfig()) as est:
        est.estimate(np.zeros((64, 64, 3), np.uint8), 0.0)
        backend, warnings = est.backend, list(est.warnings)
    text = f"{lm.name} and {det.name} load ({backend} API)"
    return text + (f"; {warnings[0]}" if warnings else "")


def _chromium() -> str | None:
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.web.harness import chromium_path

    return chromium_path()


def _vendor_dir() -> Path:
    return Path(str(files("hipwise.web") / "static" / "vendor" / "tasks-vision"))


def _database_url() -> str:
    return default_database_url()


def _connect(url: str) -> str:
    """Open ``url`` and run ``SELECT 1``; a SQLite file that does not exist yet is not
    created: its folder must be writable (or creatable) instead. Returns what was found."""
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(str(parsed.database))
        if not path.exists():
            folder = path.parent
            while not folder.exists():
                folder = folder.parent
            if not os.access(folder, os.W_OK):
                raise PermissionError(f"cannot create {path}: {folder} is not writable")
            return f"{path} will be created on first use"
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = 5
    engine = create_engine(url, connect_args=connect_args)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    return "connects"


@dataclass(frozen=True)
class Probes:
    """What the checks ask of the machine (replace any of them in tests)."""

    import_module: Callable[[str], Any] = importlib.import_module
    dist_version: Callable[[str], str] = importlib.metadata.version
    load_pose_model: Callable[[], str] = _load_pose_model
    chromium: Callable[[], str | None] = _chromium
    vendor_dir: Callable[[], Path] = _vendor_dir
    database_url: Callable[[], str] = _database_url
    connect: Callable[[str], str] = _connect


def _mediapipe(p: Probes) -> Check:
    try:
        p.import_module("mediapipe")
    except ImportError as exc:
        return Check("mediapipe", False, f"not installed ({exc}); from a checkout run "
                     f"{CHECKOUT_FIX}", MEDIAPIPE_FIX)
    try:
        version = p.dist_version("mediapipe")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    if version != MEDIAPIPE_VERSION:
        return Check("mediapipe", False, f"version {version}, hipwise needs "
                     f"{MEDIAPIPE_VERSION} (later wheels ship no pose weights)", MEDIAPIPE_FIX)
    return Check("mediapipe", True, version)


def _pose_model(p: Probes, mediapipe_ok: bool) -> Check:
    if not mediapipe_ok:
        return Check("pose model", False, "not checked: mediapipe is missing or the wrong "
                     "version", MEDIAPIPE_FIX)
    try:
        return Check("pose model", True, p.load_pose_model())
    except Exception as exc:  # any failure to load is the problem being reported
        return Check("pose model", False, f"does not load ({type(exc).__name__}: {exc})",
                     f"{sys.executable} -m pip install --force-reinstall --no-deps "
                     f"mediapipe=={MEDIAPIPE_VERSION}")


def _chromium_check(p: Probes) -> Check:
    found = p.chromium()
    if found is None:
        return Check("chromium", False, "Debian's chromium is not installed (the browser "
                     "tests of the live page and the report need it)", CHROMIUM_FIX)
    return Check("chromium", True, found)


def _vendor(p: Probes) -> Check:
    folder = p.vendor_dir()
    missing = [name for name in VENDOR_FILES if not (folder / name).is_file()]
    if missing:
        return Check("tasks-vision", False, f"{len(missing)} vendored file(s) missing in "
                     f"{folder} ({', '.join(missing)}): the live page falls back to the "
                     "server's pose model", VENDOR_FIX)
    return Check("tasks-vision", True, str(folder))


def _database(p: Probes) -> Check:
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from sqlalchemy.engine import make_url

    try:
        url = p.database_url()
        shown = make_url(url).render_as_string(hide_password=True)
    except Exception as exc:  # a malformed URL is the problem being reported
        return Check("database", False, f"bad database URL ({exc})",
                     "unset HIPWISE_DATABASE_URL (or set it to a valid URL)")
    try:
        found = p.connect(url)
    except Exception as exc:  # the driver's own error says why
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if make_url(url).get_backend_name() == "sqlite":
            folder = Path(str(make_url(url).database)).parent
            fix = f"mkdir -p {folder} && chmod u+w {folder}"
        else:
            fix = ("start the server, or point HIPWISE_DATABASE_URL at one "
                   "(a throwaway test server: bash scripts/start_postgres.sh)")
        return Check("database", False, f"{shown}: {reason}", fix)
    return Check("database", True, f"{shown} ({found})")


def run_checks(probes: Probes | None = None) -> list[Check]:
    """Every check, in order."""
    p = probes or Probes()
    mp = _mediapipe(p)
    return [mp, _pose_model(p, mp.ok), _chromium_check(p), _vendor(p), _database(p)]


def report(checks: list[Check]) -> list[str]:
    """The lines ``hipwise doctor`` prints."""
    lines: list[str] = []
    for c in checks:
        lines.append(f"{'ok' if c.ok else 'problem':<8} {c.name}: {c.detail}")
        if not c.ok and c.fix:
            lines.append(f"{'':<8} fix: {c.fix}")
    return lines


def register(sub: Any) -> None:
    """Add the ``doctor`` subcommand."""
    p = sub.add_parser(
        "doctor",
        help="check the installation and say how to fix what is missing",
        description="Is this installation complete? One line per check, and under each "
        "problem the command that fixes it.",
        epilog="checks: mediapipe " + MEDIAPIPE_VERSION + ", the pose model, Debian's "
        "chromium, the vendored tasks-vision files, the database URL.\n"
        "exit codes: 0 all checks pass, 5 a check found a problem (the line after it says "
        "the command that fixes it).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``hipwise doctor``; returns the exit code."""
    return doctor()


def doctor(probes: Probes | None = None) -> int:
    """Run every check, print one line each (and the fix under each problem); returns 0 when
    all pass, else ``EXIT_SETUP`` (5)."""
    checks = run_checks(probes)
    for line in report(checks):
        print(line)
    return EXIT_OK if all(c.ok for c in checks) else EXIT_SETUP
