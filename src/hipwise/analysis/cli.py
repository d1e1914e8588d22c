"""``hipwise analyze``: a recorded video in, counted, measured and judged reps out."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hipwise.contract import Analysis, SetResult

__all__ = ["parse_overrides", "print_analysis", "register", "run"]

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


# = hipwise.variations.config.VARIATION_CHOICES, spelled out so the parser imports nothing
_VARIATIONS = (
    "auto", "leg_lift", "wall_slide", "clamshell", "isometric_hold", "isometric_circles"
)


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
    p.add_argument("--config", type=Path, metavar="FILE", help="settings file (TOML)")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override one setting (repeatable), e.g. faults.too_high_deg=40",
    )
    p.add_argument(
        "--condition",
        action="append",
        default=[],
        choices=["labral_tear", "bursitis"],
        help="a condition that changes the rules (repeatable)",
    )
    p.add_argument(
        "--variation",
        choices=_VARIATIONS,
        help="which exercise the video shows (default: auto, recognised from the motion; "
        "wall_slide is never guessed)",
    )
    p.add_argument("--report", type=Path, metavar="DIR", help="write the HTML/video/CSV report")
    p.add_argument("--save", action="store_true", help="store the results (landmarks, no video)")
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


def parse_overrides(items: list[str]) -> dict[str, Any]:
    """``["a.b=1", "c.d=true"]`` → ``{"a.b": 1, "c.d": True}`` (values parsed as TOML)."""
    import tomllib

    from hipwise.config import ConfigError

    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set needs SECTION.KEY=VALUE, got {item!r}")
        try:
            value = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw.strip()
        out[key.strip()] = value
    return out


def _print_config() -> None:
    from hipwise.config import AnalysisConfig

    cfg = AnalysisConfig()
    for name, fld in AnalysisConfig.model_fields.items():
        value = getattr(cfg, name)
        if isinstance(value, str):  # top-level keys come before any [section] in TOML
            print(f"# {(fld.description or '').replace(chr(10), ' ')}\n{name} = {value!r}\n")
    sections: list[tuple[str, Any]] = []
    for section, model in cfg:
        if isinstance(model, dict | str):
            continue
        subs = [(k, v) for k, v in model if hasattr(type(v), "model_fields")]
        if subs and len(subs) == len(type(model).model_fields):
            sections.extend((f"{section}.{k}", v) for k, v in subs)
        else:
            sections.append((section, model))
    for section, model in sections:
        print(f"[{section}]")
        for name, fld in type(model).model_fields.items():
            doc = (fld.description or "").replace("\n", " ")
            if doc:
                print(f"# {doc}")
            value = getattr(model, name)
            if isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, tuple):
                text = "[" + ", ".join(str(v) for v in value) + "]"
            else:
                text = repr(value)
            print(f"{name} = {text}")
        print()


def _fmt_faults(faults: Sequence[str]) -> str:
    return ", ".join(f.replace("_", " ") for f in faults) if faults else "good"


def print_analysis(analysis: Analysis, console: Any) -> None:
    """Per-set summary (good reps first) and a per-rep table."""
    from rich.table import Table

    from hipwise.faults import FAULT_RULES

    if not analysis.sets:
        console.print("[yellow]No reps counted.[/yellow]")
    for i, s in enumerate(analysis.sets, start=1):
        _print_set(i, s, console, Table, FAULT_RULES)
    for w in analysis.warnings:
        console.print(f"[yellow]note:[/yellow] {w}")


def _print_set(i: int, s: SetResult, console: Any, table_cls: Any, rules: Any) -> None:
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
    from rich.console import Console

    from hipwise.cli import EXIT_BAD_INPUT, EXIT_NOT_ANALYSABLE, EXIT_OK, EXIT_USAGE
    from hipwise.config import ConfigError, load_config

    err = Console(stderr=True)
    out = Console()
    if args.print_config:
        _print_config()
        return EXIT_OK
    if getattr(args, "print_schema", False):
        from hipwise.contract import analysis_schema_text

        sys.stdout.write(analysis_schema_text())
        return EXIT_OK
    if args.sample == (args.video is not None):
        err.print("[red]error:[/red] give a VIDEO or --sample (one of them). "
                  "Try: hipwise analyze --sample")
        return EXIT_USAGE
    try:
        overrides = parse_overrides(args.set)
        for c in args.condition:
            overrides[f"conditions.{c}"] = True
        if getattr(args, "variation", None):
            overrides["variation"] = args.variation
        cfg = load_config(args.config, overrides)
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {exc}")
        return EXIT_USAGE

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
    return _after(args, result, cfg, out, err, partial)


def _after(args: argparse.Namespace, result: Any, cfg: Any, out: Any, err: Any,
           partial: Path | None = None) -> int:
    """Optional outputs after a successful analysis: the JSON (``partial``, renamed to
    ``--json`` once the report is written), the report and the store."""
    from hipwise.cli import EXIT_BAD_INPUT, EXIT_OK

    if args.report is not None:
        from hipwise.report.cli import report_after_analysis

        try:
            code = report_after_analysis(result, cfg, args.report, quiet=args.quiet, out=out,
                                         err=err)
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
        from hipwise.program.commands.save import save_after_analysis

        code = save_after_analysis(result, person=args.person, quiet=args.quiet, out=out, err=err)
        if code != EXIT_OK:
            return code
    return EXIT_OK


def _analyze_with_progress(path: Path, cfg: Any, quiet: bool, console: Any) -> Any:
    from hipwise.analysis.video import analyze_video

    if quiet or not sys.stderr.isatty():
        return analyze_video(path, cfg)
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

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
