"""``hipwise bench``: accuracy and speed on rendered, labelled clips, as one table."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]

_DESCRIPTION = """\
Render (or reuse from the cache) a labelled set of side-lying leg lift clips over body shapes,
cameras, sides, tempos and faults, run the full `hipwise analyze` path on each, and print one
table: exact rep counts, angle and phase-time errors, per-fault precision / recall / F1,
working-leg accuracy, the real-time factor of the whole analysis and the bare pose model's
speed measured in the same run.
"""

_EPILOG = """\
examples:
  hipwise bench                          the default 40-clip suite (renders once, then cached)
  hipwise bench --n 8                    a quick look
  hipwise bench --clips tests/data/clips analyse existing labelled clips instead
  hipwise bench --markdown bench.md      also write the table as Markdown
  hipwise bench fuzz --minutes 10        fuzz the live protocol, settings and video reader
                                         (needs the dev extra: hypothesis); exit 1 on a find
"""


def register(sub: Any) -> None:
    """Add the ``bench`` subcommand."""
    p = sub.add_parser(
        "bench",
        help="accuracy and speed benchmark on rendered clips",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("what", nargs="?", choices=["fuzz"],
                   help="'fuzz': run the property-based fuzz suite instead (see --minutes)")
    p.add_argument("--minutes", type=float, default=10.0,
                   help="how long 'bench fuzz' runs (default 10)")
    p.add_argument("--n", type=int, default=40, help="clips in the rendered suite (default 40)")
    p.add_argument("--seed", type=int, default=2026, help="seed of the scenario sweep")
    p.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="where rendered clips are kept (default: $HIPWISE_BENCH_CACHE or "
        "~/.cache/hipwise/bench)",
    )
    p.add_argument(
        "--clips",
        type=Path,
        metavar="DIR",
        action="append",
        help="analyse the labelled *.mp4 in DIR instead of the rendered suite (repeatable)",
    )
    p.add_argument("--config", type=Path, metavar="FILE", help="analysis settings (TOML)")
    p.add_argument("--markdown", type=Path, metavar="OUT", help="write the table here too")
    p.add_argument("--per-clip", action="store_true", help="also list every clip's errors")
    p.add_argument("--no-bare-fps", action="store_true", help="skip the bare pose-model timing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``hipwise bench``."""
    if getattr(args, "what", None) == "fuzz":
        return run_fuzz_cli(args.minutes, args.seed)
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    from hipwise.bench.runner import (
        BenchClip,
        build_suite,
        default_cache,
        format_table,
        labels_for,
        run_bench,
    )
    from hipwise.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE
    from hipwise.config import ConfigError, load_config

    console = Console(stderr=True)
    try:
        cfg = load_config(args.config)
    except ConfigError as exc:
        console.print(f"[red]error:[/red] {exc}")
        return EXIT_USAGE
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        console=console, transient=True,
    ) as bar:
        task = bar.add_task("preparing", total=None)

        def progress(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        if args.clips:
            vids = sorted(
                v for d in args.clips for v in d.glob("*.mp4") if labels_for(v).exists()
            )
            if not vids:
                dirs = ", ".join(str(d) for d in args.clips)
                console.print(f"[red]error:[/red] no labelled clips (*.mp4 + .labels.json) in "
                              f"{dirs}")
                return EXIT_BAD_INPUT
            clips = [BenchClip(v.stem, v) for v in vids]
        else:
            cache = args.cache or default_cache()
            clips = build_suite(cache, args.n, args.seed, progress)
        report = run_bench(clips, cfg, progress, measure_bare_fps=not args.no_bare_fps)
    table = format_table(report)
    print(table)
    if args.per_clip:
        for c in report.score.clips:
            peaks = ", ".join(f"{e:+.1f}" for e in c.peak_err)
            print(f"{c.name}: reps {c.predicted_reps}/{c.true_reps} peak err [{peaks}]")
    for f in report.failures:
        console.print(f"[yellow]refused:[/yellow] {f}")
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(table + "\n", encoding="utf-8")
    return EXIT_OK


def run_fuzz_cli(minutes: float, seed: int) -> int:
    """``hipwise bench fuzz``: the fuzz suite for ``minutes``; 0 when nothing was found,
    1 with the failures printed, 2 without Hypothesis or with a bad duration."""
    from rich.console import Console

    from hipwise.cli import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE

    err = Console(stderr=True)
    if not 0 < minutes <= 24 * 60:
        err.print(f"[red]error:[/red] --minutes must be in (0, 1440], got {minutes}")
        return EXIT_USAGE
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        err.print("[red]error:[/red] the fuzz suite needs Hypothesis: "
                  "pip install 'hipwise[dev]' (or pip install hypothesis)")
        return EXIT_USAGE
    import logging

    from hipwise.bench.fuzz import FuzzReport, run_fuzz

    lib = logging.getLogger("hipwise")
    level = lib.level
    lib.setLevel(logging.ERROR)  # damaged inputs warn by the thousand

    def show(r: FuzzReport) -> None:
        done = ", ".join(f"{k} {v}" for k, v in r.examples.items())
        err.print(f"[dim]{r.seconds / 60:5.1f} min: {done} examples[/dim]")

    try:
        report = run_fuzz(minutes, seed=seed, progress=show)
    finally:
        lib.setLevel(level)
    print(f"fuzz: {report.seconds / 60:.1f} min, "
          + ", ".join(f"{k}: {v} examples, {len(report.failures.get(k, []))} failure(s)"
                      for k, v in report.examples.items()))
    for name, fails in report.failures.items():
        for f in fails:
            print(f"--- {name}\n{f}")
    return EXIT_OK if report.ok() else EXIT_INTERNAL
