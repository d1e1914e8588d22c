"""``hipwise analyze``: a recorded video in, counted, measured and judged reps out."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from hipwise.cli import EXIT_BAD_INPUT, EXIT_NOT_ANALYSABLE, EXIT_OK, EXIT_USAGE
from hipwise.contract import Analysis, SetResult, analysis_schema_text
from hipwise.settings import (
    VARIATION_CHOICES,
    AnalysisConfig,
    ConfigError,
    Settings,
    add_settings_arguments,
    settings_from_args,
    settings_toml,
)

if TYPE_CHECKING:
    from hipwise.analysis.video import VideoAnalysis

__all__ = ["print_analysis", "register", "run"]

logger = logging.getLogger(__name__)

_DESCRIPTION = """\
Analyse a recorded side-lying leg lift video: find the person, count the reps on each leg,
measure every rep (peak hip abduction, lift / hold / lower times, foot rotation, trunk
side-bend, pelvis roll, forward drift, knee) and name every fault.

Camera: put the phone or webcam on the floor 2-3 m in front of you, level, so your whole body
(head to feet) is in view while you lie on your side facing it. Landscape works best.
The video never leaves your machine.
"""

_EPILOG = """\
examples:
  hipwise analyze --sample                       the bundled 3-rep sample clip
  hipwise analyze set1.mp4 --json set1.json      also write the JSON contract
  hipwise analyze set1.mp4 --condition labral_tear   a neutral foot is fine
  hipwise analyze holds.mp4 --variation isometric_circles   say which variation it is
  hipwise analyze set1.mp4 --set faults.too_high_deg=40 --set reps.min_peak_deg=8
  hipwise analyze --print-config > hipwise.toml  every setting with its default
  hipwise analyze --print-schema > analysis-v1.schema.json   the --json contract

exit codes: 0 ok, 2 usage/config error, 3 unreadable video, 4 video not analysable
(no person, standing, two people, out of frame, camera moved, no movement), 5 mediapipe
missing (the message says how to install it; see hipwise doctor).
"""


def register(sub: Any) -> None:
    """Add the ``analyze`` subcommand."""
    p = sub.add_parser(
        "analyze",
        help="analyse a recorded video",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("video", nargs="?", type=Path, help="the video file (mp4, mov, webm, ...)")
    p.add_argument("--sample", action="store_true", help="analyse the bundled sample clip")
    p.add_argument("--json", type=Path, metavar="OUT", help="write the analysis JSON here")
    add_settings_arguments(p)
    p.add_argument(
        "--variation",
        choices=VARIATION_CHOICES,
        help="which exercise the video shows (default: auto, recognised from the motion; "
        "wall_slide is never guessed)",
    )
    p.add_argument("--report", type=Path, metavar="DIR", help="write the HTML/video/CSV report")
    p.add_argument("--save", action="store_true",
                   help="store the results (landmarks, no video); the profile's conditions "
                   "apply to the analysis")
    p.add_argument("--person", metavar="NAME", help="whose session this is (with --save)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or tables")
    p.add_argument(
        "--print-config", action="store_true", help="print every setting as TOML and exit"
    )
    p.add_argument(
        "--print-schema",
        action="store_true",
        help="print the JSON Schema of the --json output (analysis-v1) and exit",
    )
    p.set_defaults(func=run)


def _fmt_faults(faults: Sequence[str]) -> str:
    return ", ".join(f.replace("_", " ") for f in faults) if faults else "good"


def print_analysis(analysis: Analysis, console: Any) -> None:
    """Per-set summary (good reps first) and a per-rep table."""
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.faults import FAULT_RULES

    if not analysis.sets:
        console.print("[yellow]No reps counted.[/yellow]")
    for i, s in enumerate(analysis.sets, start=1):
        _print_set(i, s, console, Table, FAULT_RULES)
    for w in analysis.warnings:
        console.print(f"[yellow]note:[/yellow] {w}")


def _print_set(i: int, s: SetResult, console: Any, table_cls: Any, rules: Any) -> None:
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.variations.summary import describe_set

    leg = f"{s.working_leg} leg"
    if s.variation in ("isometric_hold", "isometric_circles"):
        console.print(f"\n[bold]Set {i} · {leg}[/bold]")
        for line in describe_set(s):
            console.print(f"  {line}")
        return
    good = s.good_reps
    total = len(s.reps)
    colour = "green" if good == total else ("yellow" if good else "red")
    console.print(
        f"\n[bold]Set {i} · {leg}[/bold]: [{colour}]{good} good rep{'s' if good != 1 else ''}"
        f"[/{colour}] of {total}"
    )
    for line in describe_set(s):
        console.print(f"  {line}")
    if s.reps and s.variation != "clamshell":  # tempo targets are the leg lift's
        peaks = [r.peak_abduction_deg for r in s.reps]
        lifts = [r.lift_s for r in s.reps]
        holds = [r.hold_s for r in s.reps]
        lowers = [r.lower_s for r in s.reps]
        console.print(
            f"  peak {min(peaks):.0f}-{max(peaks):.0f}°  ·  lift {sum(lifts)/total:.1f} s, "
            f"hold {sum(holds)/total:.1f} s (target 2), lower {sum(lowers)/total:.1f} s "
            f"(target {2 * sum(lifts)/total:.1f})"
        )
    tbl = table_cls(show_header=True, header_style="bold", box=None, pad_edge=False)
    for col in ("#", "time", "peak°", "lift s", "hold s", "lower s", "verdict", "cue"):
        tbl.add_column(col)
    for r in s.reps:
        cue = rules[r.faults[0]].cue if r.faults else ""
        if r.shaking:
            cue = (cue + " " if cue else "") + "(shaking: tiring)"
        verdict = f"[green]{_fmt_faults(r.faults)}[/green]" if r.good else (
            f"[red]{_fmt_faults(r.faults)}[/red]"
        )
        tbl.add_row(
            str(r.index),
            f"{r.start_s:.1f}",
            f"{r.peak_abduction_deg:.0f}",
            f"{r.lift_s:.1f}",
            f"{r.hold_s:.1f}",
            f"{r.lower_s:.1f}",
            verdict,
            cue,
        )
    console.print(tbl)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``hipwise analyze``; returns the exit code."""
    err = Console(stderr=True)
    out = Console()
    if getattr(args, "print_schema", False):
        sys.stdout.write(analysis_schema_text())
        return EXIT_OK
    try:
        if args.print_config:
            print(settings_toml(_settings(args)), end="")
            return EXIT_OK
        if args.sample == (args.video is not None):
            err.print("[red]error:[/red] give a VIDEO or --sample (one of them). "
                      "Try: hipwise analyze --sample")
            return EXIT_USAGE
        settings = _settings(args, with_profile=args.save)
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {exc}")
        return EXIT_USAGE
    cfg = settings.analysis

    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.analysis.video import NotAnalysableError, sample_video_path
    from hipwise.video.errors import VideoError

    path = sample_video_path() if args.sample else Path(args.video)
    try:
        result = _analyze_with_progress(path, cfg, quiet=args.quiet, console=err)
    except VideoError as exc:
        err.print(f"[red]cannot read {path}:[/red] {exc}")
        return EXIT_BAD_INPUT
    except NotAnalysableError as exc:
        err.print(f"[red]cannot analyse {path.name}:[/red]")
        for p in exc.problems:
            err.print(f"  • {p.message}\n    [dim]→ {p.hint}[/dim]")
        return EXIT_NOT_ANALYSABLE
    if not args.quiet:
        out.print(f"[bold]{path.name}[/bold]: {result.analysis.video.duration_s:.1f} s, "
                  f"analysed in {result.seconds_total:.1f} s")
        print_analysis(result.analysis, out)
    partial: Path | None = None
    if args.json is not None:
        # written beside its place and renamed there once the report succeeded too: a run
        # that fails leaves no JSON behind (an older file at that path stays as it was)
        partial = args.json.with_name(args.json.name + ".partial")
        try:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(result.analysis.to_json() + "\n", encoding="utf-8")
        except OSError as exc:
            err.print(f"[red]cannot write {args.json}:[/red] {exc.strerror}")
            return EXIT_BAD_INPUT
    return _after(args, result, settings, out, err, partial)


def _settings(args: argparse.Namespace, with_profile: bool = False) -> Settings:
    """The settings the flags ask for; with ``with_profile`` (``--save``) the conditions of
    the profile the analysis is saved to apply too (one path in for conditions: a flag or the
    profile). Raises ConfigError."""
    conditions: tuple[str, ...] = ()
    if with_profile:
        # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
        from hipwise.program.commands.save import profile_conditions

        conditions = profile_conditions(args.person)
    variation = {"variation": args.variation} if getattr(args, "variation", None) else None
    return settings_from_args(args, variation, conditions)


def _after(args: argparse.Namespace, result: VideoAnalysis, settings: Settings, out: Any,
           err: Any, partial: Path | None = None) -> int:
    """Optional outputs after a successful analysis: the JSON (``partial``, renamed to
    ``--json`` once the report is written), the report and the store."""
    if args.report is not None:
        # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
        from hipwise.report.cli import report_after_analysis

        try:
            code = report_after_analysis(result, settings.analysis, args.report,
                                         quiet=args.quiet, out=out, err=err,
                                         report=settings.report)
        except BaseException:
            if partial is not None:
                partial.unlink(missing_ok=True)
            raise
        if code != EXIT_OK:
            if partial is not None:
                partial.unlink(missing_ok=True)
                err.print(f"[yellow]{args.json} was not written: the report failed.[/yellow]")
            return code
    if partial is not None:
        try:
            partial.replace(args.json)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            err.print(f"[red]cannot write {args.json}:[/red] {exc.strerror}")
            return EXIT_BAD_INPUT
        if not args.quiet:
            out.print(f"JSON written to {args.json}")
    if args.save:
        # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
        from hipwise.program.commands.save import save_after_analysis

        code = save_after_analysis(result, person=args.person, quiet=args.quiet, out=out, err=err,
                                   settings=settings)
        if code != EXIT_OK:
            return code
    return EXIT_OK


def _analyze_with_progress(
    path: Path, cfg: AnalysisConfig, quiet: bool, console: Any
) -> VideoAnalysis:
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.analysis.video import analyze_video

    if quiet or not sys.stderr.isatty():
        return analyze_video(path, cfg)

    with Progress(
        TextColumn("[bold]analysing[/bold] {task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} frames"),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(path.name, total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total or None)

        return analyze_video(path, cfg, progress)
