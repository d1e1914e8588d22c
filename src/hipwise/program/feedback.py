"""What the person felt after a set, combined with the measured faults (DOMAIN.md "What the
person feels"), and the cue for each fault. Pure functions; the wording is hipwise's own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from hipwise.store.vocab import Feeling

__all__ = [
    "FAULT_CUES",
    "NEUTRAL_FOOT_CUE",
    "SAFE_VARIATION",
    "SetAdvice",
    "advice_after_set",
    "cue_for",
    "fault_counts",
]

SAFE_VARIATION = "isometric_hold"

FAULT_CUES: dict[str, str] = {
    "too_high": "Stop lower: keep the lift under 45° (20-35° is plenty).",
    "too_fast": "Lift slowly, over at least a second, breathing out.",
    "no_hold": "Hold two seconds at the top.",
    "dropped": "Lower twice as slowly as you lift.",
    "toes_up": "Turn your toes slightly toward the floor and reach long through your heel.",
    "hip_hike": "Don't crunch your waist: keep your ribs and pelvis apart.",
    "pelvis_roll": "Keep your hips stacked, one on top of the other.",
    "forward_drift": "Keep the leg in line with your body (the wall slide helps).",
    "bent_knee": "Keep the top leg straight.",
}
NEUTRAL_FOOT_CUE = (
    "Keep the foot neutral, parallel to the floor; just don't let the toes turn up."
)


def cue_for(fault: str, *, accept_neutral_foot: bool = False) -> str:
    """The cue for a fault id (the neutral-foot cue for toes-up with a labral tear)."""
    if fault == "toes_up" and accept_neutral_foot:
        return NEUTRAL_FOOT_CUE
    return FAULT_CUES.get(fault, fault.replace("_", " "))


def fault_counts(faults_per_rep: Iterable[Iterable[str]]) -> Counter[str]:
    """How many reps carry each fault."""
    return Counter(f for faults in faults_per_rep for f in set(faults))


@dataclass(frozen=True)
class SetAdvice:
    """Advice after a set: stop the session, switch variation, void the progression streak,
    and what to tell the person."""

    stop_session: bool
    switch_to: str | None
    breaks_streak: bool
    messages: tuple[str, ...]


def advice_after_set(
    feelings: Iterable[Feeling],
    faults: Mapping[str, int],
    *,
    total_reps: int = 0,
    accept_neutral_foot: bool = False,
) -> SetAdvice:
    """Combine what the person felt with the faults measured in the same set.

    Args:
        feelings: self-report ids (see :data:`hipwise.store.vocab.FEELINGS`).
        faults: reps per fault id in the set.
        total_reps: reps in the set (for "on N of M reps").
        accept_neutral_foot: a labral tear: cue a neutral foot, not toes down.

    Rules: side of the hip = the right muscle; nothing = likely cheating (toes, hip hike);
    front of the hip = hip flexors/TFL took over (toes up, leg forward); lower back = hip hike,
    and the set does not count toward the progression streak; sharp pain = stop the session and
    switch to the safe variation.
    """
    feel = set(feelings)
    msgs: list[str] = []
    of = f" of {total_reps}" if total_reps else ""

    def seen(f: str) -> str:
        return f"{faults[f]}{of} reps"

    if "sharp_pain" in feel:
        msgs.append(
            "Stop the session now. Sharp pain at the side of the hip can mean an irritated "
            "bursa: next time start with isometric holds (or a standing leg raise), and see a "
            "clinician if the pain stays."
        )
        return SetAdvice(True, SAFE_VARIATION, True, tuple(msgs))
    if "side_of_hip" in feel:
        msgs.append("A burn in the side of the hip is the right muscle (gluteus medius) working.")
    if "nothing" in feel:
        measured = [f for f in ("toes_up", "hip_hike") if faults.get(f)]
        if measured:
            msgs.extend(
                f"Feeling nothing with {f.replace('_', ' ')} on {seen(f)}: other muscles did "
                f"the work. {cue_for(f, accept_neutral_foot=accept_neutral_foot)}"
                for f in measured
            )
        else:
            msgs.append(
                "Feeling nothing usually means the movement is being cheated: check that your "
                "toes don't turn up and your waist doesn't crunch; go slower and hold two "
                "seconds at the top."
            )
    if "front_of_hip" in feel:
        if faults.get("toes_up"):
            msgs.append(
                f"Front of the hip with toes up on {seen('toes_up')}: the hip flexors (TFL) "
                f"took over. {cue_for('toes_up', accept_neutral_foot=accept_neutral_foot)}"
            )
        if faults.get("forward_drift"):
            msgs.append(
                f"Front of the hip with the leg drifting forward on {seen('forward_drift')}: "
                "try the wall slide to keep the leg in line."
            )
        if not faults.get("toes_up") and not faults.get("forward_drift"):
            msgs.append(
                "Front of the hip means the hip flexors (TFL) took over: toes turning up or the "
                "leg drifting forward, which a front camera cannot always see. Try the wall "
                "slide next set."
            )
    if "lower_back" in feel:
        extra = (
            f" The video shows a hip hike on {seen('hip_hike')}." if faults.get("hip_hike") else ""
        )
        msgs.append(
            "Lower back: the spine moved instead of the hip (hiking the hip)." + extra + " "
            + cue_for("hip_hike") + " Stop lower; these reps don't count toward ankle weights."
        )
    if not msgs and faults:
        top = max(faults, key=lambda f: faults[f])
        msgs.append(cue_for(top, accept_neutral_foot=accept_neutral_foot))
    elif "side_of_hip" in feel and faults:
        top = max(faults, key=lambda f: faults[f])
        msgs.append(
            f"Still work on: {cue_for(top, accept_neutral_foot=accept_neutral_foot)}"
        )
    switch = "wall_slide" if "front_of_hip" in feel and not faults.get("toes_up") else None
    return SetAdvice(False, switch, "lower_back" in feel, tuple(msgs))
