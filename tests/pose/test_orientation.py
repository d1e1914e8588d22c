"""Orientation normalisation: exact rotations, exact inverse mapping, and the auto decision
(with a fake pose engine that reads landmarks drawn as coloured dots)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from hipwise.pose import LM, NUM_LANDMARKS, FakePoseEngine, PoseRequest, RawPose
from hipwise.pose import mediapipe_adapter as mpa
from hipwise.pose.mediapipe_adapter import (
    MediaPipePoseEstimator,
    PoseConfig,
    map_points_back,
    map_vectors_back,
    rotate_image,
    rotated_size,
    uprightness,
)

ROTS = (0, 90, 180, 270)


@pytest.mark.parametrize("rot", ROTS)
def test_rotation_and_inverse_mapping_are_exact(rot: int) -> None:
    w, h = 64, 48
    img = np.zeros((h, w, 3), np.uint8)
    pts = np.array([[3, 5], [60, 2], [10, 40], [33, 21]])
    for i, (x, y) in enumerate(pts):
        img[y, x] = (i + 1) * 50
    r = rotate_image(img, rot)
    assert r.flags.c_contiguous
    assert (r.shape[1], r.shape[0]) == rotated_size((w, h), rot)
    for i in range(len(pts)):
        yr, xr = np.argwhere(r[..., 0] == (i + 1) * 50)[0]
        # pixel centres (+0.5) are continuous coordinates
        back = map_points_back(np.array([xr + 0.5, yr + 0.5]), rot, (w, h))
        np.testing.assert_allclose(back, pts[i] + 0.5, atol=1e-9)


@pytest.mark.parametrize("rot", ROTS)
def test_vector_mapping_matches_point_mapping(rot: int) -> None:
    rng = np.random.default_rng(rot)
    a, b = rng.random((2, 2)) * [30, 20]
    size = (40, 30)
    pa, pb = map_points_back(a, rot, size), map_points_back(b, rot, size)
    np.testing.assert_allclose(map_vectors_back(b - a, rot), pb - pa, atol=1e-9)


def test_rotate_zero_returns_the_same_array() -> None:
    img = np.zeros((4, 6, 3), np.uint8)
    assert rotate_image(img, 0) is img
    with pytest.raises(ValueError):
        map_points_back(np.zeros(2), 45, (4, 6))


def _pose_xy(
    lying: bool, w: int = 640, h: int = 480, head_left: bool = True
) -> NDArray[np.float64]:
    """A stick person: upright (head up) or lying across the image (head left or right)."""
    xy = np.zeros((NUM_LANDMARKS, 2))
    # upright template in a 200 px tall body, x offsets for left/right
    up = {
        LM.NOSE: (0, -100), LM.LEFT_SHOULDER: (10, -70), LM.RIGHT_SHOULDER: (-10, -70),
        LM.LEFT_HIP: (8, 0), LM.RIGHT_HIP: (-8, 0), LM.LEFT_KNEE: (8, 50),
        LM.RIGHT_KNEE: (-8, 50), LM.LEFT_ANKLE: (8, 100), LM.RIGHT_ANKLE: (-8, 100),
    }
    for i in range(NUM_LANDMARKS):
        dx, dy = up.get(LM(i), (0.0, -90 + 190 * i / NUM_LANDMARKS))
        xy[i] = (dx, dy)
    if lying:
        # rotate the body so the head points left (or right)
        xy = np.stack([xy[:, 1], -xy[:, 0]], axis=-1) if head_left else np.stack(
            [-xy[:, 1], xy[:, 0]], axis=-1)
    return xy + np.array([w / 2, h / 2])


def _draw(xy: NDArray[np.float64], w: int = 640, h: int = 480) -> NDArray[np.uint8]:
    img = np.zeros((h, w, 3), np.uint8)
    for i, (x, y) in enumerate(xy):
        img[int(y), int(x)] = (200, i + 1, 7)  # unique colour per landmark
    return img


def _find_dots(request: PoseRequest) -> list[RawPose]:
    """Finds the dots; 'detects' only bodies that are roughly upright (like a real model
    trained on upright people would prefer)."""
    rgb = request.rgb
    h, w = rgb.shape[:2]
    lm = np.zeros((NUM_LANDMARKS, 4))
    mask = (rgb[..., 0] == 200) & (rgb[..., 2] == 7)
    ys, xs = np.nonzero(mask)
    if len(xs) < NUM_LANDMARKS:
        return []
    for y, x in zip(ys, xs, strict=True):
        i = int(rgb[y, x, 1]) - 1
        lm[i, :2] = ((x + 0.5) / w, (y + 0.5) / h)
    up = uprightness(lm[:, :2] * [w, h])
    if up < 0.5:
        return []
    lm[:, 3] = 0.5 + 0.5 * up
    world = np.zeros((NUM_LANDMARKS, 3))
    world[:, :2] = (lm[:, :2] - 0.5) * [w, h] / 200.0  # ~metres, image axes
    return [RawPose(lm, world)]


@pytest.fixture
def fake_engine() -> FakePoseEngine:
    """A pose engine that reads landmarks drawn as coloured dots."""
    return FakePoseEngine(_find_dots)


@pytest.mark.parametrize(("head_left", "expected_rot"), [(True, 90), (False, 270)])
def test_auto_orientation_finds_lying_person_and_maps_back(
    fake_engine: FakePoseEngine, head_left: bool, expected_rot: int
) -> None:
    xy = _pose_xy(lying=True, head_left=head_left)
    img = _draw(xy)
    cfg = PoseConfig(backend="solutions", mirror="none", orientation="auto", count_people=False,
                     camera_motion=None)
    with MediaPipePoseEstimator(cfg, engine=fake_engine) as est:
        frames = [est.estimate(img, t) for t in (0.0, 0.1, 0.2)]
        assert est.last_rotation == expected_rot
    for f in frames:
        assert f.detected
        np.testing.assert_allclose(f.xy, np.floor(xy) + 0.5, atol=1e-9)
        # world axes map back to the original image's axes too
        sh_to_hip = f.world[LM.LEFT_HIP, :2] - f.world[LM.LEFT_SHOULDER, :2]
        img_vec = f.xy[LM.LEFT_HIP] - f.xy[LM.LEFT_SHOULDER]
        np.testing.assert_allclose(sh_to_hip * 200.0, img_vec, atol=1e-6)


def test_without_normalisation_a_lying_person_is_missed(fake_engine: FakePoseEngine) -> None:
    """(The fake engine only sees upright bodies; MediaPipe itself sees both.)"""
    img = _draw(_pose_xy(lying=True))
    cfg = PoseConfig(backend="solutions", mirror="none", count_people=False, camera_motion=None)
    with MediaPipePoseEstimator(cfg, engine=fake_engine) as est:
        assert not est.estimate(img, 0.0).detected
        assert est.last_rotation == 0


def test_upright_person_keeps_rotation_zero(fake_engine: FakePoseEngine) -> None:
    img = _draw(_pose_xy(lying=False))
    cfg = PoseConfig(backend="solutions", mirror="none", orientation="auto", count_people=False,
                     camera_motion=None)
    with MediaPipePoseEstimator(cfg, engine=fake_engine) as est:
        f = est.estimate(img, 0.0)
        assert f.detected and est.last_rotation == 0


def test_orientation_is_decided_again_after_the_person_is_lost(fake_engine: FakePoseEngine) -> None:
    left = _draw(_pose_xy(lying=True, head_left=True))
    right = _draw(_pose_xy(lying=True, head_left=False))
    empty = np.zeros_like(left)
    cfg = PoseConfig(backend="solutions", mirror="none", orientation="auto", count_people=False,
                     camera_motion=None, lost_after_s=0.3, probe_interval_s=0.2, max_fps=None)
    with MediaPipePoseEstimator(cfg, engine=fake_engine) as est:
        assert est.estimate(left, 0.0).detected and est.last_rotation == 90
        # the person leaves for a second, then lies down the other way round
        for i in range(1, 11):
            assert not est.estimate(empty, i * 0.1).detected
        assert est.estimate(right, 1.1).detected
        assert est.last_rotation == 270


def test_probing_is_rate_limited_while_nobody_is_there(fake_engine: FakePoseEngine) -> None:
    empty = np.zeros((480, 640, 3), np.uint8)
    cfg = PoseConfig(backend="solutions", mirror="none", orientation="auto", count_people=False,
                     camera_motion=None, probe_interval_s=1.0)
    with MediaPipePoseEstimator(cfg, engine=fake_engine) as est:
        for i in range(30):  # one second at 30 fps
            est.estimate(empty, i / 30)
    # one tracker pass per frame, one 4-rotation probe, one 4-rotation partial-body search
    assert len(fake_engine.calls) == 30 + 4 + 4


def test_fixed_orientation_setting(fake_engine: FakePoseEngine) -> None:
    xy = _pose_xy(lying=True, head_left=True)
    cfg = PoseConfig(backend="solutions", mirror="none", orientation=90, count_people=False,
                     camera_motion=None)
    with MediaPipePoseEstimator(cfg, engine=fake_engine) as est:
        f = est.estimate(_draw(xy), 0.0)
    assert f.detected
    np.testing.assert_allclose(f.xy, np.floor(xy) + 0.5, atol=1e-9)


def test_config_is_strict() -> None:
    with pytest.raises(ValueError):
        PoseConfig(orientation=45)
    with pytest.raises(ValueError):
        PoseConfig(unknown=1)  # type: ignore[call-arg]


def _two_people(request: PoseRequest) -> list[RawPose]:
    """Always sees a lying person (left half) and an upright one (right half), in whatever
    orientation the frame was turned to (as MediaPipe mostly does)."""
    w, h = request.size
    # poses are defined in the original 640x480 frame; express them in this frame
    rot = {(640, 480): 0, (480, 640): 90}[(w, h)]
    out = []
    for xy in (_pose_xy(lying=True) * [0.5, 1.0], _pose_xy(lying=False) * 0.6 + [380, 60]):
        xr = mpa._forward(xy, rot, (640, 480))
        lm = np.zeros((NUM_LANDMARKS, 4))
        lm[:, :2] = xr / [w, h]
        lm[:, 3] = 0.9
        out.append(RawPose(lm, np.zeros((NUM_LANDMARKS, 3))))
    if request.spec.num_poses == 1:  # a single-person tracker that follows the wrong person
        return out[1:]
    return out


def test_two_people_counted_warned_and_the_lying_one_kept(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setattr(mpa, "_COUNT_ROTATIONS", (0, 90))  # the fake cannot tell 90 from 270
    img = np.zeros((480, 640, 3), np.uint8)
    cfg = PoseConfig(backend="tasks", mirror="none", orientation=90, camera_motion=None,
                     people_interval_s=0.5)
    with MediaPipePoseEstimator(cfg, engine=FakePoseEngine(_two_people)) as est:
        assert est.backend == "tasks"
        frames, people = [], []
        for i in range(20):
            frames.append(est.estimate(img, i / 10))
            people.append(est.last_people)
        warnings = est.warnings
    counted = [p for p in people if p >= 0]
    assert people[0] == 2 and set(counted) == {2} and -1 in people
    assert len(counted) > 20 / 5  # counted more often once two people were seen
    assert any("2 people in view" in w for w in warnings)
    lying = _pose_xy(lying=True) * [0.5, 1.0]
    for f in frames:
        assert f.detected
        np.testing.assert_allclose(f.xy, lying, atol=1e-6)


# ------------------------------------------------------------------------------------------
# mirroring so the model always sees the head at the image's right
# ------------------------------------------------------------------------------------------


def test_mirror_frame_is_its_own_inverse_and_swaps_sides() -> None:
    from hipwise.pose.mediapipe_adapter import MIRROR_INDEX, mirror_frame
    from hipwise.pose.sequence import PoseFrame

    rng = np.random.default_rng(0)
    f = PoseFrame(t=0.0, xy=rng.uniform(0, 600, (NUM_LANDMARKS, 2)),
                  depth=rng.normal(size=NUM_LANDMARKS), world=rng.normal(size=(NUM_LANDMARKS, 3)),
                  visibility=rng.uniform(size=NUM_LANDMARKS), image_size=(640, 480))
    m = mirror_frame(f)
    assert m.xy[LM.LEFT_HIP, 0] == pytest.approx(640 - f.xy[LM.RIGHT_HIP, 0])
    assert m.xy[LM.LEFT_HIP, 1] == f.xy[LM.RIGHT_HIP, 1]
    assert m.world[LM.NOSE, 0] == -f.world[LM.NOSE, 0]
    assert m.visibility[LM.LEFT_ANKLE] == f.visibility[LM.RIGHT_ANKLE]
    assert sorted(MIRROR_INDEX) == list(range(NUM_LANDMARKS))
    back = mirror_frame(m)
    np.testing.assert_allclose(back.xy, f.xy)
    np.testing.assert_allclose(back.world, f.world)


def test_frames_are_mirrored_while_the_head_is_at_the_left(fake_engine: FakePoseEngine) -> None:
    head_left = _draw(_pose_xy(lying=True, head_left=True))
    head_right = _draw(_pose_xy(lying=True, head_left=False))
    cfg = PoseConfig(backend="solutions", orientation="auto", count_people=False,
                     camera_motion=None, mirror_switch_s=1.0, probe_interval_s=0.01,
                     lost_after_s=0.01)
    with MediaPipePoseEstimator(cfg, engine=fake_engine) as est:
        first = est.estimate(head_left, 0.0)
        assert first.detected and est.mirrored  # the first detection decides at once
        nose = _pose_xy(lying=True, head_left=True)[LM.NOSE]
        f = est.estimate(head_left, 0.1)  # the model saw the mirrored frame ...
        assert f.detected
        # ... and mapped back
        np.testing.assert_allclose(f.xy[LM.NOSE], np.floor(nose) + 0.5, atol=1e-6)
        # turned over: the head at the right for less than mirror_switch_s changes nothing
        for t in np.arange(0.2, 1.15, 0.1):
            est.estimate(head_right, float(t))
            assert est.mirrored
        for t in np.arange(1.2, 2.5, 0.1):
            est.estimate(head_right, float(t))
        assert not est.mirrored
    off = PoseConfig(backend="solutions", orientation="auto", count_people=False,
                     camera_motion=None, mirror="none")
    with MediaPipePoseEstimator(off, engine=fake_engine) as est:
        est.estimate(head_left, 0.0)
        est.estimate(head_left, 0.1)
        assert not est.mirrored
