"""The domain keeps every keypoint in the picture: the anny body posed at rest and at each
rep's top, seen through the scenario camera (no rendering)."""

from __future__ import annotations

import numpy as np
import pytest

from hipwise.synth.domain import make_domain
from hipwise.synth.scenario import Scenario
from hipwise.synth.script import script_motion

pytestmark = pytest.mark.slow


def _worst_margin(sc: Scenario) -> float:
    """Smallest distance of a projected keypoint to the image border, over the rest frame
    and every rep's top (share of the frame height; < 0 = outside)."""
    from hipwise.synth import render as r
    from hipwise.synth.body import AnnyBody

    p = sc.person
    ms = script_motion(sc)
    tr = ms.sample(np.array([0.0, *(tm.top_s for tm in ms.timings)]))
    body = AnnyBody(p.body, p.lying_on, p.bottom_leg)
    rest = body.pose(float(tr.abduction_deg[0]), 0.0, p.baseline_hip_rotation_deg, 0.0, 0.0,
                     sc.pose)
    place = r._place(rest, r.body_to_world(p.lying_on, sc.pose), p.position_m, 0.0,
                     body.support_vertices)
    if p.yaw_deg != 0.0:
        place.yaw = r.body_yaw(p.yaw_deg, p.lying_on)
        place.yaw_centre = np.array([p.position_m, 0.0, 0.0])
    up = 1.0 if p.lying_on == "left" else -1.0
    rest_y = r._apply(place, rest.vertices, 0.0, up)[:, 1]
    cam = r.camera_at(sc.camera, sc.width, sc.height, 0.5 * (rest_y.min() + rest_y.max()))
    worst = np.inf
    for j in range(len(tr)):
        posed = body.pose(float(tr.abduction_deg[j]), float(tr.hip_flexion_deg[j]),
                          float(tr.hip_rotation_deg[j]), float(tr.knee_flexion_deg[j]),
                          float(tr.trunk_side_bend_deg[j]), sc.pose,
                          float(tr.pelvis_tilt_deg[j]))
        pts = np.stack([posed.joints[k] for k, _ in r.KEYPOINTS])
        xy, _ = cam.project(r._apply(place, pts, float(tr.pelvis_roll_deg[j]), up))
        edge = np.minimum.reduce([xy[:, 0], sc.width - xy[:, 0], xy[:, 1], sc.height - xy[:, 1]])
        worst = min(worst, float(edge.min()) / sc.height)
    return worst


@pytest.mark.parametrize("seed", [1000, 2000])
def test_split_clips_keep_every_keypoint_in_view(seed: int) -> None:
    margins = {sc.name: _worst_margin(sc) for sc in make_domain(8, seed)}
    assert min(margins.values()) > 0.0, margins
