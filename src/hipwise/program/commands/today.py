"""``hipwise today``: what to do now (variation, sets, reps per side, ankle weight) and why."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.panel import Panel
from rich.prompt import Confirm

from hipwise.cli import EXIT_OK
from hipwise.program.commands._common import add_store_args, with_store
from hipwise.program.plan import TodayPlan

if TYPE_CHECKING:
    from hipwise.store.store import Store

__all__ = ["plan_text", "register"]

_EPILOG = """\
examples:
  hipwise today                      today's plan for the default profile
  hipwise today --pain no            answer the pain question up front (bursitis, after
                                     sharp pain); in a terminal hipwise asks otherwise
  hipwise today --before-run         short activation before a run
  hipwise today --person Ana --json
"""

_TITLES = {
    "train": "Today: train",
    "rest": "Today: rest day",
    "done": "Today: done",
    "stop": "Today: stop - no training",
    "ask": "Today: first, a question",
}
_VARIATIONS = {
    "leg_lift": "side-lying leg lift",
    "wall_slide": "side-lying leg lift, wall slide (back and heel against a wall)",
    "clamshell": "clamshell",
    "isometric_hold": "isometric hold (leg up, still)",
    "isometric_circles": "isometric hold with circles",
}


def register(subparsers: Any) -> None:
    """Add the ``today`` subcommand."""
    p = subparsers.add_parser(
        "today", help="what to do today and why",
        description="Plans today's session from your profile and history: variation, sets, "
        "reps per side, ankle weight, the cues to focus on, and the reasons. Progressions "
        "(ankle weights after 20 perfect reps in a row) and regressions are recorded here.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_store_args(p)
    p.add_argument("--pain", choices=("yes", "no"), default=None,
                   help="pain at the side of the hip right now?")
    p.add_argument("--before-run", action="store_true", help="pre-run activation only")
    p.add_argument("--json", action="store_true", help="print the plan as JSON")
    p.set_defaults(func=run)


def plan_text(plan: TodayPlan) -> list[str]:
    """The plan as lines of text (the prescription line first)."""
    loads = ", ".join(
        f"{side} {'bodyweight' if kg <= 0 else f'{kg:g} kg ankle weight'}"
        for side, kg in plan.load_kg.items()
    )
    variation = _VARIATIONS.get(plan.variation, plan.variation)
    if plan.hold_s:
        what = (f"{variation}: {plan.sets_per_side} x {plan.reps_per_set} holds of "
                f"{plan.hold_s:g} s per side")
    else:
        what = f"{variation}: {plan.sets_per_side} x {plan.reps_per_set} reps per side ({loads})"
    return [what]


def _print(plan: TodayPlan, changes: list[str]) -> None:
    console = Console()
    body: list[str] = []
    if plan.question:
        body.append(f"[bold]{plan.question}[/bold]\n")
    if plan.kind in ("train", "ask"):
        body.append("[bold]Do:[/bold] " + plan_text(plan)[0])
    elif plan.kind in ("rest", "done"):
        body.append("[bold]Next session:[/bold] " + plan_text(plan)[0])
    if plan.primer and plan.kind == "train":
        body.append(plan.primer)
    if plan.finisher and plan.kind == "train":
        body.append(plan.finisher)
    if plan.cues and plan.kind != "stop":
        body.append("\n[bold]Focus:[/bold]\n" + "\n".join(f"  - {c}" for c in plan.cues))
    if changes:
        body.append("\n[bold]Programme change:[/bold]\n" + "\n".join(f"  - {c}" for c in changes))
    body.append("\n[bold]Why:[/bold]\n" + "\n".join(f"  - {r}" for r in plan.reasons))
    a = plan.adherence
    body.append(f"\n[bold]This week:[/bold] {a.this_week}/{a.target} sessions; "
                f"{a.week_streak} week(s) in a row on plan.")
    for w in plan.warnings:
        body.append(f"\n[yellow]Note:[/yellow] {w}")
    console.print(Panel("\n".join(body), title=_TITLES[plan.kind], expand=False))


def run(args: argparse.Namespace) -> int:
    """Run ``hipwise today``."""
    pain = None if args.pain is None else args.pain == "yes"

    def body(store: Store) -> int:
        # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
        from hipwise.program.service import today_for

        plan, changes = today_for(store, args.person, today=date.today(), pain_now=pain,
                                  before_run=args.before_run)
        if plan.kind == "ask" and not args.json and sys.stdin.isatty():
            answer = Confirm.ask("Do you have pain at the side of the hip right now?")
            plan, more = today_for(store, args.person, today=date.today(), pain_now=answer,
                                   before_run=args.before_run)
            changes += more
        if args.json:
            out = asdict(plan)
            out["changes"] = [c.reason for c in changes]
            print(json.dumps(out, indent=2, default=str))
        else:
            _print(plan, [c.reason for c in changes])
        return EXIT_OK

    return with_store(args, body)
