"""``hipwise profile``: create, show, update, list and choose profiles (name, conditions,
goals, programme settings, ankle weights)."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from hipwise.cli import EXIT_OK, EXIT_USAGE
from hipwise.pose.landmarks import Side
from hipwise.program.commands._common import add_store_args, fail, with_store
from hipwise.program.config import PROGRAM_CONFIG_KEY, ProgramConfig, program_config_for
from hipwise.program.plan import SIDES
from hipwise.program.rules import side_state
from hipwise.store.errors import InvalidProfileError
from hipwise.store.vocab import (
    CONDITION_ALIASES,
    CONDITIONS,
    GOAL_ALIASES,
    GOALS,
    LABELS,
    normalise_id,
)

if TYPE_CHECKING:
    from hipwise.store.store import Store

__all__ = ["register"]

_EPILOG = """\
conditions: trochanteric_bursitis (bursitis), hip_labral_tear (labral_tear)
goals:      pre_run_activation (runner), desk_worker (desk), general_strength (strength)

examples:
  hipwise profile create Ana --condition bursitis --goal runner
  hipwise profile show
  hipwise profile update Ana --goal runner --goal desk
  hipwise profile update --set sessions_per_week=4 --set reps_per_set=12
  hipwise profile update --ankle-weight left=1.0
  hipwise profile list
  hipwise profile use Ana          make Ana the default profile
"""


def register(subparsers: Any) -> None:
    """Add the ``profile`` subcommand."""
    p = subparsers.add_parser(
        "profile", help="create, show or update a profile (name, conditions, goals)",
        description="Profiles hold a person's name, conditions that change the programme "
        "(bursitis, labral tear), goals (pre-run activation, desk work) and programme settings.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("action", choices=("create", "show", "update", "list", "use"),
                   help="what to do")
    p.add_argument("name", nargs="?", default=None, help="profile name (default: the default)")
    add_store_args(p, person=False)
    p.add_argument("--condition", action="append", default=None, metavar="ID",
                   help="a condition (repeat for several); replaces the list on update")
    p.add_argument("--no-conditions", action="store_true", help="clear the conditions")
    p.add_argument("--goal", action="append", default=None, metavar="ID",
                   help="a goal (repeat for several); replaces the list on update")
    p.add_argument("--no-goals", action="store_true", help="clear the goals")
    p.add_argument("--rename", metavar="NEW", default=None, help="new name (update)")
    p.add_argument("--default", action="store_true", help="make it the default profile")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="a programme setting, e.g. sessions_per_week=4 (see docs/program.md)")
    p.add_argument("--reset-settings", action="store_true",
                   help="drop all programme setting overrides")
    p.add_argument("--ankle-weight", action="append", default=[], metavar="SIDE=KG",
                   help="record the ankle weight you use now: left=1.0, right=0.5 or both=0")
    p.add_argument("--json", action="store_true", help="print the profile as JSON")
    p.set_defaults(func=run)


def _ids(values: list[str] | None, allowed: tuple[str, ...], aliases: dict[str, Any],
         what: str) -> list[str] | None:
    if values is None:
        return None
    out = []
    for v in values:
        for part in v.split(","):
            if not part.strip():
                continue
            norm = normalise_id(part, allowed, aliases)
            if norm is None:
                raise InvalidProfileError(
                    f"unknown {what} {part!r}: use one of {', '.join(allowed)}"
                )
            out.append(norm)
    return out


def _parse_settings(items: list[str], base: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidProfileError(f"--set needs KEY=VALUE, got {item!r}")
        if key not in ProgramConfig.model_fields:
            raise InvalidProfileError(
                f"unknown programme setting {key!r}; known: "
                + ", ".join(sorted(ProgramConfig.model_fields))
            )
        try:
            merged[key] = json.loads(value)
        except json.JSONDecodeError:
            merged[key] = value
    try:
        ProgramConfig.model_validate(merged)
    except ValidationError as exc:
        msgs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidProfileError(f"invalid programme setting - {msgs}") from exc
    return merged


def _parse_weights(items: list[str]) -> list[tuple[Side | None, float]]:
    out: list[tuple[Side | None, float]] = []
    for item in items:
        side, sep, kg = item.partition("=")
        side = side.strip().lower()
        if not sep or side not in ("left", "right", "both"):
            raise InvalidProfileError(f"--ankle-weight needs left=KG, right=KG or both=KG, "
                                      f"got {item!r}")
        try:
            value = float(kg)
        except ValueError:
            raise InvalidProfileError(f"ankle weight {kg!r} is not a number of kg") from None
        if not 0 <= value <= 20:
            raise InvalidProfileError("ankle weight must be between 0 and 20 kg")
        out.append((None if side == "both" else cast(Side, side), value))
    return out


def _show(store: Store, name: str | None, as_json: bool) -> int:
    data = store.programme.person_data(name)
    cfg = program_config_for(data)
    person = data.person
    raw = data.settings.get(PROGRAM_CONFIG_KEY)
    overrides: dict[str, Any] = raw if isinstance(raw, dict) else {}
    loads = {side: side_state(data.events, side).load_kg for side in SIDES}
    if as_json:
        print(json.dumps({
            "name": person.name, "conditions": list(person.conditions),
            "goals": list(person.goals), "program_overrides": overrides,
            "ankle_weight_kg": loads, "sessions": len(data.sessions),
        }, indent=2))
        return EXIT_OK
    t = Table(title=f"Profile: {person.name}", show_header=False)
    t.add_row("conditions", ", ".join(LABELS.get(c, c) for c in person.conditions) or "none")
    t.add_row("goals", ", ".join(LABELS.get(g, g) for g in person.goals) or "none")
    t.add_row("programme", f"{cfg.sessions_per_week} sessions/week, {cfg.sets_per_side} x "
              f"{cfg.reps_per_set} per side")
    t.add_row("overrides", ", ".join(f"{k}={v}" for k, v in overrides.items()) or "none")
    t.add_row("ankle weight", ", ".join(
        f"{s} {'bodyweight' if kg <= 0 else f'{kg:g} kg'}" for s, kg in loads.items()))
    t.add_row("sessions stored", str(len(data.sessions)))
    Console().print(t)
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Run ``hipwise profile``."""
    try:
        conditions = [] if args.no_conditions else _ids(
            args.condition, CONDITIONS, CONDITION_ALIASES, "condition")
        goals = [] if args.no_goals else _ids(args.goal, GOALS, GOAL_ALIASES, "goal")
        weights = _parse_weights(args.ankle_weight)
    except InvalidProfileError as exc:
        return fail(str(exc), EXIT_USAGE)

    def body(store: Store) -> int:
        action = args.action
        if action == "list":
            people = store.people.all()
            default = (
                store.people.get_setting("default_person", store_wide=True) if people else None
            )
            if not people:
                print("No profiles yet: hipwise profile create NAME")
            for p in people:
                mark = "*" if p.name == default else " "
                extra = ", ".join(LABELS.get(c, c) for c in (*p.conditions, *p.goals))
                print(f"{mark} {p.name}" + (f"  ({extra})" if extra else ""))
            return EXIT_OK
        if action == "create":
            if not args.name:
                return fail("profile create needs a NAME", EXIT_USAGE)
            store.people.create(args.name, conditions or [], goals or [],
                                make_default=args.default)
            name = args.name.strip()
        elif action == "use":
            if not args.name:
                return fail("profile use needs a NAME", EXIT_USAGE)
            name = store.people.set_default(args.name).name
            print(f"{name} is now the default profile.")
            return EXIT_OK
        else:
            name = store.people.get(args.name).name
        changed = action == "update" and (
            args.rename is not None or conditions is not None or goals is not None
        )
        if changed:
            name = store.people.update(name, new_name=args.rename, conditions=conditions,
                                       goals=goals).name
        if args.default and action != "create":
            store.people.set_default(name)
        if args.set or args.reset_settings:
            base = {} if args.reset_settings else (
                store.people.get_setting(PROGRAM_CONFIG_KEY, name) or {})
            store.people.set_setting(PROGRAM_CONFIG_KEY, _parse_settings(args.set, base), name)
        for side, kg in weights:
            store.programme.add_event(name, "set_load", effective_at=datetime.now(UTC), side=side,
                                    load_kg=kg, reason=f"ankle weight set to {kg:g} kg by hand")
        return _show(store, name, args.json)

    return with_store(args, body)

