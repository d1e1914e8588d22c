"""The checks on landmark messages from a page running the pose model itself."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from hipwise.web.landmarks import BrowserPoseConfig, LandmarkError, LandmarkGate
from tests.web.conftest import three_reps
from tests.web.landmark_msgs import landmark_message


def _good(t_ms: float = 1000.0) -> dict[str, Any]:
    seq, _ = three_reps()
    return landmark_message(seq, 10, 1, t_ms)


def _code(gate: LandmarkGate, msg: Any, now: float = 0.0) -> str:
    with pytest.raises(LandmarkError) as err:
        gate.check(msg, now)
    return err.value.code


def test_a_good_message_becomes_the_pose_frame_it_was_made_from() -> None:
    seq, _ = three_reps()
    m = LandmarkGate().check(landmark_message(seq, 10, 7, 1234.5, people=2, luma=90.0), 0.0)
    f = m.frame(3.0)
    assert m.id == 7 and m.t_s == pytest.approx(1.2345) and m.people == 2 and m.luma == 90.0
    assert f.t == 3.0 and f.detected and f.image_size == seq.image_size
    np.testing.assert_allclose(f.xy, seq.xy[10], atol=1e-9)
    np.testing.assert_allclose(f.depth, seq.depth[10], atol=1e-9)
    np.testing.assert_allclose(f.world, seq.world[10], atol=1e-12)


def test_no_person_is_a_missing_frame() -> None:
    msg = _good()
    msg.update(pose=None, world=None)
    f = LandmarkGate().check(msg, 0.0).frame(1.0)
    assert not f.detected and f.image_size == (640, 480)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"pose": [[0.5, 0.5, 0.0, 1.0]] * 32}, "landmarks_shape"),
        ({"pose": [[0.5, 0.5, 0.0]] * 33}, "landmarks_shape"),
        ({"pose": "lots"}, "landmarks_shape"),
        ({"pose": [[0.5, "x", 0.0, 1.0]] * 33}, "landmarks_shape"),
        ({"pose": [[0.5, True, 0.0, 1.0]] * 33}, "landmarks_shape"),
        ({"world": None}, "landmarks_shape"),
        ({"world": [[0.0, 0.0]] * 33}, "landmarks_shape"),
        ({"image": [640]}, "landmarks_shape"),
        ({"image": [640.5, 480]}, "landmarks_shape"),
        ({"t": "now"}, "landmarks_shape"),
        ({"reps": 12}, "landmarks_shape"),  # a page claiming reps: refused, never written
        ({"counts": {"left": {"reps": 9}}}, "landmarks_shape"),
        ({"pose": [[math.nan, 0.5, 0.0, 1.0]] * 33}, "landmarks_value"),
        ({"pose": [[0.5, 0.5, 0.0, 1.5]] * 33}, "landmarks_value"),
        ({"pose": [[99.0, 0.5, 0.0, 1.0]] * 33}, "landmarks_value"),
        ({"pose": [[0.5, 0.5, -500.0, 1.0]] * 33}, "landmarks_value"),
        ({"world": [[0.0, 1e9, 0.0]] * 33}, "landmarks_value"),
        ({"world": [[0.0, math.inf, 0.0]] * 33}, "landmarks_value"),
        ({"t": math.nan}, "landmarks_value"),
        ({"t": -5.0}, "landmarks_value"),
        ({"image": [1, 480]}, "landmarks_value"),
        ({"people": 1000}, "landmarks_value"),
        ({"luma": 400.0}, "landmarks_value"),
    ],
)
def test_bad_messages_are_refused_with_a_code(change: dict[str, Any], code: str) -> None:
    gate = LandmarkGate()
    msg = _good()
    msg.update(change)
    assert _code(gate, msg) == code
    assert gate.check(_good(), 0.1).t_s == 1.0  # the gate goes on


def test_missing_fields_are_a_shape_error() -> None:
    msg = _good()
    del msg["pose"]
    assert _code(LandmarkGate(), msg) == "landmarks_shape"


def test_times_going_backwards_or_repeating_are_refused() -> None:
    gate = LandmarkGate()
    gate.check(_good(1000.0), 0.0)
    assert _code(gate, _good(1000.0), 0.1) == "landmarks_time"
    assert _code(gate, _good(900.0), 0.2) == "landmarks_time"
    assert gate.check(_good(1033.0), 0.3).t_s == pytest.approx(1.033)


def test_a_flood_is_refused_beyond_the_rate_and_burst() -> None:
    gate = LandmarkGate(BrowserPoseConfig(max_rate_hz=60.0, burst=30))
    ok = refused = 0
    for i in range(200):  # 200 messages within 0.2 s: 30 (burst) + ~12 (rate) pass
        try:
            gate.check(_good(1000.0 + i), i * 0.001)
            ok += 1
        except LandmarkError as exc:
            assert exc.code == "landmarks_flood"
            refused += 1
    assert 30 <= ok <= 45 and refused == 200 - ok
    # at the camera's rate it never refuses
    gate = LandmarkGate()
    for i in range(300):
        gate.check(_good(1000.0 + 33.3 * i), i / 30.0)
