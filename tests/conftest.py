"""Shared test helpers: render-free landmark sequences with known answers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from hipwise.contract import Analysis
from hipwise.pose.sequence import PoseSequence
from hipwise.synth.kinematic import KinematicCamera, landmarks_from_track
from hipwise.synth.scenario import Scenario
from hipwise.synth.script import script_motion

MakeSeq = Callable[..., tuple[PoseSequence, Analysis]]


def make_sequence(
    reps: list[dict[str, Any]],
    lying_on: str = "left",
    noise_px: float = 0.0,
    seed: int = 0,
    camera: KinematicCamera | None = None,
    person: dict[str, Any] | None = None,
    motion: dict[str, Any] | None = None,
    t_offset: float = 0.0,
) -> tuple[PoseSequence, Analysis]:
    """Landmarks and truth for a scripted set of reps (no rendering, no pose model)."""
    sc = Scenario.from_dict(
        {
            "person": {"lying_on": lying_on, **(person or {})},
            "motion": {"reps": reps, **(motion or {})},
        }
    )
    ms = script_motion(sc)
    track = ms.sample(ms.times())
    seq = landmarks_from_track(
        track, lying_on, camera=camera, noise_px=noise_px, seed=seed,  # type: ignore[arg-type]
        body_yaw_deg=sc.person.yaw_deg,
    )
    if t_offset:
        seq = PoseSequence(
            t=seq.t + t_offset, xy=seq.xy, depth=seq.depth, world=seq.world,
            visibility=seq.visibility, image_size=seq.image_size,
        )
    return seq, ms.truth()


def concat(a: PoseSequence, b: PoseSequence, gap_s: float = 1.0) -> PoseSequence:
    """``b`` appended after ``a`` with a pause of ``gap_s`` seconds."""
    tb = b.t - b.t[0] + a.t[-1] + gap_s
    return PoseSequence(
        t=np.concatenate([a.t, tb]),
        xy=np.concatenate([a.xy, b.xy]),
        depth=np.concatenate([a.depth, b.depth]),
        world=np.concatenate([a.world, b.world]),
        visibility=np.concatenate([a.visibility, b.visibility]),
        image_size=a.image_size,
    )


@pytest.fixture
def make_seq() -> MakeSeq:
    return make_sequence


def assert_contract(doc: dict[str, Any] | str) -> None:
    """Validate one analysis document (parsed, or its JSON text) against the JSON contract
    shipped in the package (``hipwise analyze --print-schema``)."""
    import json

    import jsonschema

    from hipwise.contract import analysis_schema

    jsonschema.validate(json.loads(doc) if isinstance(doc, str) else doc, analysis_schema())


def committed(*paths: Path) -> None:
    """Fail (never skip) when a file committed with the tests is missing: a checkout without
    its test data must not pass by running less."""
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        pytest.fail(f"committed test data missing: {', '.join(missing)} (restore it with "
                    "`git checkout -- tests/data src/hipwise/data`)", pytrace=False)
