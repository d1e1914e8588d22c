"""``hipwise feel``: record where you felt the last set, and get advice that combines it with
the faults the video measured. Sharp pain stops the session and switches to the safe variation.
"""

from __future__ import annotations

import argparse
from collections import Counter
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError

from hipwise.cli import EXIT_OK, EXIT_USAGE
from hipwise.program.commands._common import add_store_args, fail, with_store
from hipwise.program.feedback import advice_after_set
from hipwise.program.rules import condition_policy
from hipwise.store.inputs import SelfReportInput
from hipwise.store.vocab import FEELING_ALIASES, FEELINGS, Feeling, normalise_id

if TYPE_CHECKING:
    from hipwise.store.store import Store

__all__ = ["register"]

_EPILOG = """\
feelings:
  side_of_hip   a burn in the side of the hip/buttock (side, burn)
  nothing       nothing in particular (none)
  front_of_hip  the front of the hip (front)
  lower_back    the lower back, during or after (back)
  sharp_pain    sharp pain at the side of the hip (pain): stops the session

examples:
  hipwise feel side                  after your last set
  hipwise feel front back --side left
  hipwise feel pain
"""


def register(subparsers: Any) -> None:
    """Add the ``feel`` subcommand."""
    p = subparsers.add_parser(
        "feel", help="record where you felt your last set",
        description="Records where you felt the set you just did and combines it with the "
        "faults the camera measured into advice for the next set.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("feelings", nargs="+", metavar="FEELING", help="one or more feelings")
    add_store_args(p)
    p.add_argument("--side", choices=("left", "right"), default=None,
                   help="the working leg (default: that of the last set)")
    p.add_argument("--set-id", type=int, default=None, help="the set (default: the last one)")
    p.add_argument("--note", default=None, help="a free-text note")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``hipwise feel``."""
    feelings: list[Feeling] = []
    for raw in args.feelings:
        norm = normalise_id(raw, FEELINGS, cast(dict[str, str], FEELING_ALIASES))
        if norm is None:
            return fail(f"unknown feeling {raw!r}: use one of {', '.join(FEELINGS)}", EXIT_USAGE)
        feelings.append(cast(Feeling, norm))
    try:
        report = SelfReportInput(feelings=tuple(feelings), side=args.side, note=args.note)
    except ValidationError as exc:
        return fail(f"invalid report: {exc.errors()[0]['msg']}", EXIT_USAGE)

    def body(store: Store) -> int:
        # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
        from hipwise.program.service import apply_programme_updates

        rec = store.programme.add_self_report(args.person, report, set_id=args.set_id)
        data = store.programme.person_data(args.person)
        faults: Counter[str] = Counter()
        total = 0
        for sess in data.sessions:
            for s in sess.sets:
                if s.id == rec.set_id:
                    faults = Counter(f for r in s.reps for f in r.faults)
                    total = len(s.reps)
        policy = condition_policy(data.person.conditions)
        advice = advice_after_set(rec.feelings, faults, total_reps=total,
                                  accept_neutral_foot=policy.accept_neutral_foot)
        changes = apply_programme_updates(store, args.person)
        if advice.stop_session:
            print("STOP.")
        for m in advice.messages:
            print(m)
        if advice.switch_to and not advice.stop_session:
            print(f"Next set: try the {advice.switch_to.replace('_', ' ')}.")
        for c in changes:
            print(f"Programme change: {c.reason}.")
        if rec.set_id is None:
            print("(No set stored yet: the report was kept without a set.)")
        return EXIT_OK

    return with_store(args, body)
