"""Demo clinic data: one admin, one therapist and six patients with three weeks of synthetic
sessions, chosen so the dashboard shows each kind of flag. Deterministic (seeded)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from hipwise.clinic.prescription import PRESCRIPTION_KEY, Prescription
from hipwise.clinic.service import create_user
from hipwise.contract import Analysis, RepResult, SetResult, VideoInfo
from hipwise.store.inputs import SelfReportInput
from hipwise.store.models import ClinicUser, Setting
from hipwise.store.store import Store

__all__ = ["DEMO_PASSWORD", "DEMO_PATIENTS", "load_demo", "synthetic_analysis"]

DEMO_PASSWORD = "demo-password"
#: patient -> (sessions in the last 21 days, good-rep share early, late, reports sharp pain)
DEMO_PATIENTS: dict[str, tuple[int, float, float, bool]] = {
    "ana": (9, 0.8, 0.85, False),
    "ben": (9, 0.9, 0.4, False),     # falling good-rep share
    "chloe": (8, 0.7, 0.75, True),   # pain
    "dev": (3, 0.8, 0.8, False),     # missed sessions
    "eli": (9, 0.6, 0.7, False),
    "fay": (10, 0.9, 0.9, False),
}
_FAULTS = ("too_fast", "no_hold", "toes_up", "hip_hike", "pelvis_roll")


def synthetic_analysis(rng: random.Random, reps: int, good_share: float) -> Analysis:
    """One left-leg set of ``reps`` reps, ``round(good_share * reps)`` of them (the first
    ones) without a fault; tempo and angle drawn from ``rng``."""
    out = []
    t = 1.0
    for i in range(1, reps + 1):
        good = i <= round(good_share * reps)
        faults = [] if good else [rng.choice(_FAULTS)]
        lift, hold, lower = rng.uniform(0.9, 1.4), rng.uniform(0.8, 2.2), rng.uniform(1.6, 2.6)
        out.append(RepResult(
            index=i, start_s=t, peak_s=t + lift, end_s=t + lift + hold + lower,
            peak_abduction_deg=rng.uniform(28, 42), lift_s=lift, hold_s=hold, lower_s=lower,
            faults=faults, good=good,
        ))
        t += lift + hold + lower + 0.8
    return Analysis(video=VideoInfo(duration_s=t + 1, fps=30.0, frames=int((t + 1) * 30)),
                    sets=[SetResult(working_leg="left", variation="leg_lift", reps=out)],
                    hipwise_version="demo")


def load_demo(store: Store, *, now: datetime, seed: int = 14) -> dict[str, str]:
    """Create the demo accounts and data (once; a second call changes nothing). Returns
    usernames -> roles."""
    rng = random.Random(seed)
    with store.transaction() as db:
        if db.scalars(select(ClinicUser).where(ClinicUser.username == "admin")).first():
            return {}
        create_user(db, "admin", DEMO_PASSWORD, "admin")
        create_user(db, "therapist", DEMO_PASSWORD, "therapist")
        create_user(db, "other-therapist", DEMO_PASSWORD, "therapist")
        for name in DEMO_PATIENTS:
            create_user(db, name, DEMO_PASSWORD, "patient", therapist="therapist")
        create_user(db, "zoe", DEMO_PASSWORD, "patient", therapist="other-therapist")
        people = {u.username: u.person_id for u in db.scalars(
            select(ClinicUser).where(ClinicUser.role == "patient"))}
        for pid in people.values():
            db.add(Setting(person_id=pid, key=PRESCRIPTION_KEY,
                           value=Prescription().model_dump(mode="json")))
    for name, (n, early, late, pain) in {**DEMO_PATIENTS, "zoe": (6, 0.8, 0.8, False)}.items():
        # a first session 5 weeks ago, then n sessions evenly spread over the last 3 weeks;
        # the good-rep share is `early` until a week ago and `late` since
        days = [35.0, *(20.5 - i * 20.0 / max(n - 1, 1) for i in range(n))]
        for k, ago in enumerate(days):
            share = early if ago > 7 else late
            analysis = synthetic_analysis(rng, 10, share)
            when = now - timedelta(days=ago)
            report = None
            if pain and k == len(days) - 2:
                report = SelfReportInput(feelings=("sharp_pain",), note="sharp at the hip")
            elif k % 3 == 0:
                report = SelfReportInput(feelings=("side_of_hip",))
            store.analyses.save(name, analysis, f"demo:{name}:{k}", recorded_at=when,
                                self_report=report, create_person=False)
    return {"admin": "admin", "therapist": "therapist", "other-therapist": "therapist",
            **dict.fromkeys([*DEMO_PATIENTS, "zoe"], "patient")}
