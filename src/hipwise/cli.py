"""The ``hipwise`` command line: one subcommand per module listed in ``COMMAND_MODULES``.

Each module exposes ``register(subparsers) -> None``, which adds its subparser and sets
``func`` (a callable taking the parsed namespace and returning an exit code). Modules are
imported only when the CLI runs, and heavy libraries only inside the command that needs them.

Exit codes (all commands):
    0  success
    1  unexpected internal error (a bug: please report it)
    2  usage error (bad flags or config)
    3  input error (missing/unreadable/corrupt video, bad file)
    4  the video was read but cannot be analysed as a side-lying leg lift (no person, standing
       person, two people, body out of frame, camera moved, no movement)
    5  the installation is incomplete (mediapipe missing or the wrong version; ``hipwise
       doctor`` found a problem): the message names the command that fixes it

MediaPipe's native log lines (absl/glog, TensorFlow Lite) are hidden unless ``-v`` is given,
whether stderr is a terminal, a pipe or a file.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence

from hipwise.pose.engine import MediaPipeMissingError

__all__ = ["COMMAND_MODULES", "EXIT_BAD_INPUT", "EXIT_NOT_ANALYSABLE", "EXIT_OK", "EXIT_SETUP",
           "EXIT_USAGE", "build_parser", "main"]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_NOT_ANALYSABLE = 4
EXIT_SETUP = 5

# One entry per subcommand module (each has ``register(subparsers)``).
COMMAND_MODULES: tuple[str, ...] = (
    "hipwise.analysis.cli",
    "hipwise.bench.cli",
    "hipwise.clinic.cli",
    "hipwise.doctor",
    "hipwise.program.commands.profile",
    "hipwise.program.commands.today",
    "hipwise.program.commands.feel",
    "hipwise.program.commands.history",
    "hipwise.store.cli",
    "hipwise.synth.cli",
    "hipwise.web.cli",
)

_EPILOG = """\
examples:
  hipwise analyze --sample                 analyse the bundled sample clip
  hipwise analyze my_set.mp4 --json out.json
  hipwise analyze my_set.mp4 --report report/   HTML report, annotated video, CSV
  hipwise synth scenario.toml -o clip.mp4  render a labelled clip
  hipwise doctor                           check the installation
Run 'hipwise COMMAND --help' for each command's options.
"""


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="hipwise",
        description="hipwise: counts, measures and coaches side-lying leg lifts from video.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output (-v also shows MediaPipe's native log lines)")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="%(levelname)s %(name)s: %(message)s",
    )
    if args.version:
        from hipwise import __version__

        print(f"hipwise {__version__}")
        return EXIT_OK
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        with _quiet_native_stderr(enabled=args.verbose == 0 and _stderr_is_fd2()):
            return func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except MediaPipeMissingError as exc:
        print(f"error: {exc}\n(`hipwise doctor` checks the whole installation)",
              file=sys.stderr)
        return EXIT_SETUP


def _stderr_is_fd2() -> bool:
    """Whether ``sys.stderr`` writes to the process's file descriptor 2 (a terminal, pipe or
    file): then native libraries share it. Not when something replaced ``sys.stderr`` (a
    test capturing the output), which the redirection would bypass."""
    try:
        return sys.stderr.fileno() == 2
    except (AttributeError, ValueError, OSError):
        return False


@contextlib.contextmanager
def _quiet_native_stderr(enabled: bool) -> Iterator[None]:
    """Silence what native libraries (MediaPipe/TFLite, absl) print straight to file
    descriptor 2, while Python's ``sys.stderr`` (progress bars, error messages, log records)
    keeps going where stderr went. ``-v`` shows everything. (MediaPipe 0.10.21 ignores
    ``GLOG_minloglevel`` and ``TF_CPP_MIN_LOG_LEVEL``, and its worker threads log during the
    whole run, so fd 2 is redirected for the whole command.)"""
    if not enabled:
        yield
        return
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError):  # no real fd 2 (embedded, tests capturing it)
        yield
        return
    old_stderr = sys.stderr
    # log handlers made before (logging.basicConfig) hold the old stream: follow the swap
    handlers = [h for h in logging.root.handlers
                if isinstance(h, logging.StreamHandler) and h.stream is old_stderr]
    try:
        py_stderr = os.fdopen(
            os.dup(saved), "w", buffering=1,
            encoding=getattr(old_stderr, "encoding", None) or "utf-8",
            errors=getattr(old_stderr, "errors", None) or "backslashreplace",
        )
        os.dup2(devnull, 2)
        sys.stderr = py_stderr
        for h in handlers:
            h.setStream(py_stderr)
        yield
    finally:
        sys.stderr.flush()
        for h in handlers:
            h.setStream(old_stderr)
        sys.stderr = old_stderr
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
        with contextlib.suppress(Exception):
            py_stderr.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
