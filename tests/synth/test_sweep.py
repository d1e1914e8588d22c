"""make_sweep: deterministic, varied, every fault present, labels clear of thresholds."""

from __future__ import annotations

from collections import Counter

from hipwise.synth.script import script_motion
from hipwise.synth.sweep import REP_KINDS, make_sweep


def test_sweep_is_deterministic_and_varied() -> None:
    a = make_sweep(40, 7)
    b = make_sweep(40, 7)
    assert [s.to_dict() for s in a] == [s.to_dict() for s in b]
    assert len({s.name for s in a}) == 40
    assert {s.person.lying_on for s in a} == {"left", "right"}
    assert len({round(s.camera.height_m, 2) for s in a}) > 20
    assert len({s.person.body.gender for s in a}) > 20
    assert make_sweep(5, 8)[0].to_dict() != a[0].to_dict()


def test_sweep_covers_every_fault_with_margins() -> None:
    counts: Counter[str] = Counter()
    for sc in make_sweep(40, 0):
        truth = script_motion(sc).truth()
        for rep in truth.sets[0].reps:
            counts.update(rep.faults if rep.faults else ["good"])
            assert abs(rep.peak_abduction_deg - 45.0) > 5.0
            assert abs(rep.lift_s - 1.0) > 0.2
            assert abs(rep.hold_s - 1.7) > 0.25
            assert abs(rep.lower_s / rep.lift_s - 1.7) > 0.25
    assert set(counts) == set(REP_KINDS)
    assert min(counts.values()) >= 5
