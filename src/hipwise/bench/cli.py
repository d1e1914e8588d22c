"""``hipwise bench``: accuracy and speed on rendered, labelled clips, as one table."""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from hipwise.cli import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE
from hipwise.settings import ConfigError, load_settings

__all__ = ["register", "run"]

_DESCRIPTION = """\
Render (or reuse from the cache) a labelled set of side-lying leg lift clips over body shapes,
cameras, sides, tempos and faults, run the full `hipwise analyze` path on each, and print one
table: exact rep counts, angle and phase-time errors, per-fault precision / recall / F1,
working-leg accuracy, the real-time factor of the whole analysis and the bare pose model's
speed measured in the same run.

Splits (--split): two disjoint, fixed draws of the randomised synth domain (bodies, cameras
from the floor to a chair seat, light, compression, move profiles, late and early first lifts,
short rests, fault pairs, fast swings). 'tune' (seed 1000) is the only split to look at while
choosing thresholds and settings; 'test' (seed 2000) is only ever scored. 'hipwise bench
render --split S' renders a split into the cache without scoring it (resumable: clips already
rendered are skipped), so rendering can run in the background and scoring later.

'hipwise bench stress' needs no renderer and no pose model: it turns N scenarios of the domain
(--n, default 100, drawn from the tune split's seed 1000, or --split test, or --seed-base S)
into stick-figure landmarks as a camera like the scenario's would see them, adds pose errors
(Gaussian noise of --noise-px px per landmark and frame, a slowly wandering error of
--drift-px px, and misreads: a misread starts on a frame with probability --misread-rate and
mirrors the working leg's knee, ankle, heel and toe across the body's long axis for 1 or 2
frames), runs the engine of 'hipwise analyze' on each clip twice and prints the two side by
side: "with guard" uses the settings as loaded (reps.max_leg_speed_deg_s, 400 deg/s by
default, skips a frame whose leg angle jumps faster than a leg moves); "without guard" is the
same with reps.max_leg_speed_deg_s at its maximum, 100000 deg/s, which no change between two
frames reaches, so no frame is ever skipped as a misread. Deterministic: the same arguments
give the same table. About 2-3 s per scenario on one core.
"""

_EPILOG = """\
examples:
  hipwise bench render --split test --n 24          render the test split (resumable)
  hipwise bench --split tune --n 24 --per-clip       score the tune split, list misses per clip
  hipwise bench --split test --n 24 --rendered-only  score what is rendered so far
  hipwise bench --split both --n 24 --markdown t.md  test beside tune, for the README
  hipwise bench --split tune --save-landmarks lm/tune  keep the pose runs, then
  hipwise bench --from-landmarks lm/tune --per-clip  re-score engine changes in seconds
  hipwise bench                          the default 40-clip suite (renders once, then cached)
  hipwise bench --n 8                    a quick look
  hipwise bench --clips tests/data/clips analyse existing labelled clips instead
  hipwise bench --markdown bench.md      also write the table as Markdown
  hipwise bench fuzz --minutes 10        fuzz the live protocol, settings and video reader
                                         (needs the dev extra: hypothesis); exit 1 on a find
  hipwise bench stress                   100 render-free tune scenarios with pose noise and
                                         0.5 % misreads, misread guard on vs off (minutes)
  hipwise bench stress --n 20 --misread-rate 0.03 --per-clip  a harder, quicker look
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
    p.add_argument(
        "action",
        nargs="?",
        choices=("score", "render", "fuzz", "stress"),
        default="score",
        help="score (default: render what is missing, analyse, print the table), render "
        "(only render the split into the cache), fuzz (run the property-based fuzz suite "
        "instead, see --minutes) or stress (render-free landmarks with pose noise and "
        "misreads through the engine, misread guard on and off; see above)",
    )
    p.add_argument("--split", choices=("tune", "test", "both"),
                   help="use a split of the randomised domain instead of the classic sweep "
                   "suite; 'both' prints test and tune side by side")
    p.add_argument("--minutes", type=float, default=10.0,
                   help="how long 'bench fuzz' runs (default 10)")
    p.add_argument("--n", type=int, default=None,
                   help="clips in the suite or split (default 40), scenarios for stress "
                   "(default 100)")
    p.add_argument("--seed", type=int, default=2026, help="seed of the classic scenario sweep")
    p.add_argument("--seed-base", type=int, default=None, metavar="S",
                   help="draw the split from seed S instead of its fixed seed (experiments "
                   "only; cached apart, never reported); for stress, the domain seed")
    p.add_argument("--misread-rate", type=float, default=None, metavar="P",
                   help="stress: chance per analysed frame that a 1- or 2-frame misread of "
                   "the working leg starts (default 0.005)")
    p.add_argument("--noise-px", type=float, default=None, metavar="PX",
                   help="stress: Gaussian landmark noise per frame, px (default 1.5)")
    p.add_argument("--drift-px", type=float, default=None, metavar="PX",
                   help="stress: slowly wandering landmark error, px RMS (default 1.0)")
    p.add_argument("--jobs", type=int, default=1,
                   help="clips rendered at once (default 1; each needs a core and ~1 GB)")
    p.add_argument("--rendered-only", action="store_true",
                   help="score only the split's clips already rendered (render nothing)")
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
    p.add_argument(
        "--from-landmarks",
        type=Path,
        metavar="DIR",
        action="append",
        help="replay the stored pose runs in DIR (*.landmarks.npz + .labels.json, written by "
        "--save-landmarks) through the engine instead of analysing videos: seconds instead "
        "of minutes, same results (repeatable)",
    )
    p.add_argument(
        "--save-landmarks",
        type=Path,
        metavar="DIR",
        help="store each analysed clip's pose run and slim labels in DIR for --from-landmarks",
    )
    p.add_argument("--config", type=Path, metavar="FILE", help="analysis settings (TOML)")
    p.add_argument("--markdown", type=Path, metavar="OUT", help="write the table here too")
    p.add_argument("--per-clip", action="store_true",
                   help="also list every clip: what it shows, reps found / true, first rep "
                   "missed, missed and extra reps (times), faults missed (-) and called "
                   "falsely (+) per rep, peak and phase-time errors")
    p.add_argument("--no-bare-fps", action="store_true", help="skip the bare pose-model timing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Entry point of ``hipwise bench``."""
    if args.action == "fuzz":
        return run_fuzz_cli(args.minutes, args.seed)
    stress_opts = [o for o, v in (("--misread-rate", args.misread_rate),
                                  ("--noise-px", args.noise_px),
                                  ("--drift-px", args.drift_px)) if v is not None]
    if args.action == "stress":
        return run_stress_cli(args)
    if stress_opts:
        Console(stderr=True).print(f"[red]error:[/red] {', '.join(stress_opts)} only go with "
                                   "'hipwise bench stress'")
        return EXIT_USAGE
    if args.n is None:
        args.n = 40

    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.bench.landmarks import LandmarkFileError
    from hipwise.bench.runner import (
        BenchClip,
        BenchReport,
        PoseSettingsMismatchError,
        build_suite,
        default_cache,
        format_comparison,
        format_table,
        labels_for,
        run_bench,
    )
    console = Console(stderr=True)
    if args.n < 1 or args.jobs < 1:
        console.print("[red]error:[/red] --n and --jobs must be at least 1")
        return EXIT_USAGE
    if args.action == "render" and args.split is None:
        console.print("[red]error:[/red] 'hipwise bench render' needs --split tune, test or both")
        return EXIT_USAGE
    sources = [args.split is not None, bool(args.clips), bool(args.from_landmarks)]
    if sum(sources) > 1:
        console.print("[red]error:[/red] --split, --clips and --from-landmarks exclude each other")
        return EXIT_USAGE
    try:
        cfg = load_settings(args.config).analysis
    except ConfigError as exc:
        console.print(f"[red]error:[/red] {exc}")
        return EXIT_USAGE
    cache = args.cache or default_cache()
    runs: dict[str, list[BenchClip]] = {}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        console=console, transient=True,
    ) as bar:
        task = bar.add_task("preparing", total=None)

        def progress(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)
            if what.startswith("rendered "):
                console.print(f"{what} ({done}/{total})")

        if args.from_landmarks:
            # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
            from hipwise.bench.landmarks import LANDMARKS_SUFFIX, landmark_files

            files = [f for d in args.from_landmarks for f in landmark_files(d)]
            if not files:
                dirs = ", ".join(str(d) for d in args.from_landmarks)
                console.print(f"[red]error:[/red] no stored pose runs (*{LANDMARKS_SUFFIX} + "
                              f".labels.json) in {dirs}")
                return EXIT_BAD_INPUT
            runs["value"] = [BenchClip(f.name.removesuffix(LANDMARKS_SUFFIX), f) for f in files]
        elif args.clips:
            vids = sorted(
                v for d in args.clips for v in d.glob("*.mp4") if labels_for(v).exists()
            )
            if not vids:
                dirs = ", ".join(str(d) for d in args.clips)
                console.print(f"[red]error:[/red] no labelled clips (*.mp4 + .labels.json) in "
                              f"{dirs}")
                return EXIT_BAD_INPUT
            runs["value"] = [BenchClip(v.stem, v) for v in vids]
        elif args.split is not None:
            # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
            from hipwise.bench.splits import cached_split, render_split, split_dir

            for split in ("test", "tune") if args.split == "both" else (args.split,):
                where = split_dir(cache, split, args.seed_base)
                if args.rendered_only:
                    clips, missing = cached_split(cache, split, args.n, args.seed_base)
                    if missing:
                        console.print(f"{len(missing)} of {args.n} {split} clips not rendered "
                                      f"yet: scoring the {len(clips)} in {where}")
                    if not clips:
                        console.print(f"[red]error:[/red] no {split} clips rendered in "
                                      f"{where}: run 'hipwise bench render --split {split}' "
                                      "first")
                        return EXIT_BAD_INPUT
                else:
                    t0 = time.perf_counter()
                    clips = render_split(cache, split, args.n, args.seed_base, args.jobs,
                                         progress)
                    if args.action == "render":
                        console.print(f"{split} split: {len(clips)} clips in {where} "
                                      f"({time.perf_counter() - t0:.0f} s)")
                runs[split] = clips
            if args.action == "render":
                return EXIT_OK
        else:
            runs["value"] = build_suite(cache, args.n, args.seed, progress)
        try:
            reports: dict[str, BenchReport] = {
                name: run_bench(clips, cfg, progress, measure_bare_fps=not args.no_bare_fps,
                                save_landmarks=args.save_landmarks)
                for name, clips in runs.items()
            }
        except (PoseSettingsMismatchError, LandmarkFileError) as exc:
            console.print(f"[red]error:[/red] {exc}")
            return EXIT_USAGE if isinstance(exc, PoseSettingsMismatchError) else EXIT_BAD_INPUT
    if len(reports) == 1:
        table = format_table(next(iter(reports.values())))
    else:
        table = format_comparison(reports)
    print(table)
    for name, report in reports.items():
        if args.per_clip:
            if len(reports) > 1:
                print(f"\n{name}:")
            for c in report.score.clips:
                print(c.summary())
        for f in report.failures:
            console.print(f"[yellow]refused:[/yellow] {f}")
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(table + "\n", encoding="utf-8")
    return EXIT_OK


def run_fuzz_cli(minutes: float, seed: int) -> int:
    """``hipwise bench fuzz``: the fuzz suite for ``minutes``; 0 when nothing was found,
    1 with the failures printed, 2 without Hypothesis or with a bad duration."""
    err = Console(stderr=True)
    if not 0 < minutes <= 24 * 60:
        err.print(f"[red]error:[/red] --minutes must be in (0, 1440], got {minutes}")
        return EXIT_USAGE
    try:
        # optional: hypothesis is a dev dependency (pip install 'hipwise[dev]')
        import hypothesis  # noqa: F401
    except ImportError:
        err.print("[red]error:[/red] the fuzz suite needs Hypothesis: "
                  "pip install 'hipwise[dev]' (or pip install hypothesis)")
        return EXIT_USAGE

    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
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


def run_stress_cli(args: argparse.Namespace) -> int:
    """``hipwise bench stress``: 0 with the table printed, 2 on a bad argument or settings."""
    console = Console(stderr=True)
    others = [o for o, v in (("--clips", args.clips), ("--from-landmarks", args.from_landmarks),
                             ("--save-landmarks", args.save_landmarks),
                             ("--rendered-only", args.rendered_only)) if v]
    if others or args.split == "both":
        what = ", ".join(others) or "--split both"
        console.print(f"[red]error:[/red] 'hipwise bench stress' does not take {what}")
        return EXIT_USAGE
    n = 100 if args.n is None else args.n
    if n < 1:
        console.print("[red]error:[/red] --n must be at least 1")
        return EXIT_USAGE

    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.bench.splits import SPLIT_SEEDS
    from hipwise.bench.stress import StressSettings, format_stress, run_stress

    defaults = StressSettings()
    try:
        settings = StressSettings(
            noise_px=defaults.noise_px if args.noise_px is None else args.noise_px,
            drift_px=defaults.drift_px if args.drift_px is None else args.drift_px,
            misread_rate=(defaults.misread_rate if args.misread_rate is None
                          else args.misread_rate),
        )
        cfg = load_settings(args.config).analysis
    except (ValueError, ConfigError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        return EXIT_USAGE
    seed = args.seed_base if args.seed_base is not None else SPLIT_SEEDS[args.split or "tune"]
    if seed < 0:
        console.print("[red]error:[/red] --seed-base must be at least 0")
        return EXIT_USAGE
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
        console=console, transient=True,
    ) as bar:
        task = bar.add_task("preparing", total=None)
        res = run_stress(n, seed, settings, cfg,
                         lambda what, done, total: bar.update(task, description=what,
                                                              completed=done, total=total))
    table = format_stress(res)
    print(table)
    if args.per_clip:
        runs = list(res.reports.values())
        for clips in zip(*(r.score.clips for r in runs), strict=True):
            if not all(c.exact_count for c in clips):
                for name, c in zip(res.reports, clips, strict=True):
                    print(f"{name}: {c.summary()}")
    console.print(f"stress: {len(next(iter(res.reports.values())).score.clips)} scenarios from "
                  f"seed {seed} in {res.seconds:.0f} s")
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(table + "\n", encoding="utf-8")
    return EXIT_OK
