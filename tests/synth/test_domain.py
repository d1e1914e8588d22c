"""make_domain: deterministic by seed, wide, every fault alone and in pairs, clear labels."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from hipwise.synth.domain import DOMAIN_FAULTS, make_domain
from hipwise.synth.scenario import MOVE_PROFILES
from hipwise.synth.script import script_motion


def test_domain_is_deterministic_and_clip_i_does_not_depend_on_n() -> None:
    a = make_domain(30, 1000)
    assert [s.to_dict() for s in a] == [s.to_dict() for s in make_domain(30, 1000)]
    assert [s.to_dict() for s in make_domain(5, 1000)] == [s.to_dict() for s in a[:5]]
    other = make_domain(30, 2000)
    assert not {s.name for s in a} & {s.name for s in other}
    assert all(x.person != y.person for x, y in zip(a, other, strict=True))
    with pytest.raises(ValueError, match="n and seed"):
        make_domain(3, -1)


def test_domain_is_wide() -> None:
    d = make_domain(120, 7)
    assert {s.person.lying_on for s in d} == {"left", "right"}
    assert 10 < sum(s.person.mirrored for s in d) < 60
    assert {s.person.bottom_leg for s in d} == {"straight", "bent"}
    ages = [s.person.body.age for s in d]
    assert min(ages) < 0.3 and max(ages) > 0.85
    assert min(s.camera.height_m for s in d) < 0.1 and max(s.camera.height_m for s in d) > 0.4
    assert max(abs(s.camera.roll_deg) for s in d) > 6
    assert {s.fps for s in d} == {15.0, 30.0} and {s.width for s in d} == {640, 1280}
    lead = [s.motion.lead_in_s for s in d]
    assert min(lead) < 0.6 and max(lead) > 2.5
    rests = [r.rest_s for s in d for r in s.motion.reps[:-1]]
    assert min(rests) < 0.4 and max(rests) > 2.5
    assert {r.profile for s in d for r in s.motion.reps} >= set(MOVE_PROFILES)
    assert sum(r.hold_drift_deg != 0 for s in d for r in s.motion.reps) > 20
    yaws = [s.person.yaw_deg for s in d]
    assert min(yaws) < -20 and max(yaws) > 20 and max(map(abs, yaws)) <= 30
    modes = {r.hike_mode for s in d for r in s.motion.reps if "hip_hike" in r.faults}
    assert modes == {"trunk", "pelvis", "both"}
    durations = sorted(s.duration_s for s in d)
    assert durations[int(0.9 * len(d))] <= 25.0
    for s in d:  # the view spans >= 3.4 m at the body line: nobody leaves the picture
        assert s.camera.distance_m * math.tan(math.radians(s.camera.fov_deg / 2)) >= 1.699


def test_domain_labels_cover_every_fault_pairs_and_swings_with_margins() -> None:
    counts: Counter[str] = Counter()
    pairs = swings = 0
    for sc in make_domain(120, 3):
        (st,) = script_motion(sc).truth().sets
        assert 2 <= len(st.reps) <= 6
        for rep, script in zip(st.reps, sc.motion.reps, strict=True):
            counts.update(rep.faults if rep.faults else ["good"])
            posture = [f for f in rep.faults if f not in ("too_high", "too_fast", "no_hold",
                                                           "dropped")]
            pairs += len(posture) >= 2
            swings += rep.lift_s < 0.75 and rep.hold_s < 0.35
            assert abs(rep.peak_abduction_deg - 45.0) > 5.0
            assert abs(rep.lift_s - 1.0) > 0.25
            assert abs(rep.hold_s - 1.7) > 0.29
            assert abs(rep.lower_s / rep.lift_s - 1.7) > 0.29
            assert rep.foot_rotation_deg is not None and abs(rep.foot_rotation_deg) >= 6.0
            bend, roll, drift = rep.side_bend_change_deg, rep.pelvis_roll_deg, rep.forward_drift_deg
            assert bend is not None and roll is not None and drift is not None
            assert bend in (0.0,) or bend >= 13.0
            assert roll in (0.0,) or roll >= 16.0
            assert drift in (0.0,) or drift >= 22.0
            assert rep.min_knee_deg is not None
            assert rep.min_knee_deg >= 174.0 or rep.min_knee_deg <= 150.0
            assert script.peak_deg <= rep.peak_abduction_deg
    assert set(counts) == {"good", *DOMAIN_FAULTS}
    assert min(counts.values()) >= 15
    assert pairs >= 10 and swings >= 15
