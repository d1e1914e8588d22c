"""``hipwise history``: good reps per session and side, peak angle, tempo and faults over
time, as tables in the terminal and optionally as plots (``--plot FILE.png/.svg``)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.table import Table

from hipwise.cli import EXIT_OK, EXIT_USAGE
from hipwise.program.commands._common import add_store_args, fail, with_store
from hipwise.program.config import program_config_for
from hipwise.program.history import build_history, history_to_dict, save_history_plot
from hipwise.program.plan import adherence

if TYPE_CHECKING:
    from hipwise.store.store import Store

__all__ = ["register"]

_EPILOG = """\
examples:
  hipwise history
  hipwise history --last 10 --plot progress.png
  hipwise history --plot progress.svg --json series.json
"""


def register(subparsers: Any) -> None:
    """Add the ``history`` subcommand."""
    p = subparsers.add_parser(
        "history", help="your progress over time (tables, plots)",
        description="Shows good reps per session per side, the peak-angle trend, the tempo "
        "trend and fault frequencies over time, and your adherence to the weekly plan.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_store_args(p)
    p.add_argument("--last", type=int, default=None, metavar="N", help="only the last N sessions")
    p.add_argument("--plot", type=Path, default=None, metavar="FILE",
                   help="write the plots to FILE (.png, .svg or .pdf)")
    p.add_argument("--json", type=Path, default=None, metavar="FILE",
                   help="write the series as JSON ('-' for stdout)")
    p.set_defaults(func=run)


def _fmt(x: float | None, spec: str = ".1f") -> str:
    return "-" if x is None else format(x, spec)


def run(args: argparse.Namespace) -> int:
    """Run ``hipwise history``."""
    if args.last is not None and args.last < 1:
        return fail("--last needs a positive number of sessions", EXIT_USAGE)
    if args.plot is not None and args.plot.suffix.lower() not in (".png", ".svg", ".pdf"):
        return fail(f"--plot {args.plot}: use a .png, .svg or .pdf file name", EXIT_USAGE)

    def body(store: Store) -> int:
        data = store.programme.person_data(args.person)
        sessions = data.sessions[-args.last:] if args.last else data.sessions
        hist = build_history(sessions)
        if args.json is not None:
            text = json.dumps(history_to_dict(hist), indent=2)
            if str(args.json) == "-":
                print(text)
                return EXIT_OK
            args.json.write_text(text)
        console = Console()
        if not hist.rows:
            console.print(f"No sessions stored for {data.person.name} yet. Save one with "
                          "'hipwise analyze VIDEO --save'.")
        else:
            t = Table(title=f"{data.person.name}: {hist.sessions} session(s)", box=box.SIMPLE,
                      caption="good/all reps; peak°: mean and max abduction; tempo: mean "
                      "lift/hold/lower seconds; kg: ankle weight")
            t.add_column("date", no_wrap=True)
            t.add_column("side", no_wrap=True)
            t.add_column("good", justify="right", no_wrap=True)
            t.add_column("peak°", justify="right", no_wrap=True)
            t.add_column("max°", justify="right", no_wrap=True)
            t.add_column("tempo s", justify="right", no_wrap=True)
            t.add_column("kg", justify="right", no_wrap=True)
            t.add_column("faults (reps)", min_width=16)
            for r in hist.rows:
                top = sorted(r.faults.items(), key=lambda kv: -kv[1])[:3]
                t.add_row(
                    r.started_at.astimezone().strftime("%d %b %y"), r.side,
                    f"{r.good_reps}/{r.total_reps}", _fmt(r.mean_peak_deg, ".0f"),
                    _fmt(r.max_peak_deg, ".0f"),
                    f"{_fmt(r.mean_lift_s)}/{_fmt(r.mean_hold_s)}/{_fmt(r.mean_lower_s)}",
                    f"{r.load_kg:g}",
                    ", ".join(f"{f.replace('_', ' ')} {n}" for f, n in top),
                )
            console.print(t)
            total = sum(r.total_reps for r in hist.rows)
            ft = Table(title="Faults over all sessions")
            ft.add_column("fault")
            ft.add_column("reps", justify="right")
            ft.add_column("% of reps", justify="right")
            for f, n in sorted(hist.fault_totals.items(), key=lambda kv: -kv[1]):
                ft.add_row(f.replace("_", " "), str(n), f"{100 * n / total:.0f}" if total else "-")
            if hist.fault_totals:
                console.print(ft)
        cfg = program_config_for(data)
        adh = adherence(data.sessions, date.today(), cfg)
        weeks = "  ".join(
            f"{w.start:%d %b}: {w.sessions}{'*' if w.sessions >= adh.target else ''}"
            for w in adh.weeks
        )
        console.print(f"Sessions per week (plan {adh.target}; * = on plan): {weeks}")
        console.print(f"Weeks in a row on plan: {adh.week_streak}")
        if args.plot is not None:
            try:
                save_history_plot(hist, args.plot)
            except OSError as exc:
                return fail(f"cannot write {args.plot}: {exc.strerror}", EXIT_USAGE)
            console.print(f"Plots written to {args.plot}")
        return EXIT_OK

    return with_store(args, body)
