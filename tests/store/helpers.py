"""Test data for the store and programme tests: analyses and landmark sequences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from hipwise.contract import Analysis
from hipwise.pose.sequence import PoseSequence


def make_analysis(
    side: str = "left",
    faults: Sequence[Sequence[str]] = ((), (), ("hip_hike",)),
    *,
    duration_s: float = 60.0,
    variation: str | None = "leg_lift",
    extra_sets: Sequence[dict[str, Any]] = (),
) -> Analysis:
    """An analysis with one set on ``side``: one rep per entry of ``faults`` (5 s apart)."""
    reps = [
        {
            "index": i + 1, "start_s": 1.0 + 5 * i, "peak_s": 3.0 + 5 * i, "end_s": 5.5 + 5 * i,
            "peak_abduction_deg": 25.0 + i, "lift_s": 1.5, "hold_s": 2.0, "lower_s": 3.0,
            "faults": list(f), "good": not f, "foot_rotation_deg": -5.0,
            "side_bend_change_deg": 2.0 + i, "pelvis_roll_deg": 3.0, "min_knee_deg": 172.0,
        }
        for i, f in enumerate(faults)
    ]
    sets = [{"working_leg": side, "variation": variation, "reps": reps}, *extra_sets]
    return Analysis.model_validate({
        "schema": "hipwise.analysis/1",
        "video": {"duration_s": duration_s, "fps": 30.0, "frames": int(duration_s * 30)},
        "sets": sets, "warnings": ["test"], "hipwise_version": "0.1.0",
    })


def make_landmarks(frames: int = 90, seed: int = 0) -> PoseSequence:
    """A random but valid landmark sequence (30 fps)."""
    rng = np.random.default_rng(seed)
    return PoseSequence(
        t=np.arange(frames) / 30.0,
        xy=rng.uniform(0, 640, (frames, 33, 2)),
        depth=rng.normal(0, 50, (frames, 33)),
        world=rng.normal(0, 0.5, (frames, 33, 3)),
        visibility=rng.uniform(0, 1, (frames, 33)),
        image_size=(640, 480),
    )
