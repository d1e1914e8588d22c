"""Input checks on synthetic landmark sequences (no video, no model)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from hipwise.pose import LM, NUM_LANDMARKS, PoseSequence
from hipwise.pose.checks import (
    ChecksConfig,
    check_camera_still,
    check_in_frame,
    check_lying,
    check_movement,
    check_partial_body,
    check_person_present,
    check_single_person,
    find_input_problems,
    leg_angles,
    longest_run,
    trunk_tilt,
)

W, H = 640, 480
CFG = ChecksConfig()
SHIFT_RIGHT = np.array([150.0, 0.0])


def _lying_pose(lift_deg: float = 0.0, dx: float = 0.0, dy: float = 0.0) -> NDArray[np.float64]:
    """A person lying on their left side, head left, top (right) leg lifted by lift_deg."""
    xy = np.zeros((NUM_LANDMARKS, 2))
    xy[:11] = (110, 290)  # face
    xy[LM.LEFT_SHOULDER], xy[LM.RIGHT_SHOULDER] = (180, 305), (182, 290)
    xy[[LM.LEFT_ELBOW, LM.LEFT_WRIST, LM.LEFT_PINKY, LM.LEFT_INDEX, LM.LEFT_THUMB]] = (140, 300)
    xy[[LM.RIGHT_ELBOW, LM.RIGHT_WRIST, LM.RIGHT_PINKY, LM.RIGHT_INDEX, LM.RIGHT_THUMB]] = (
        230, 300)
    xy[LM.LEFT_HIP], xy[LM.RIGHT_HIP] = (330, 305), (332, 290)
    bottom = {LM.LEFT_KNEE: 100, LM.LEFT_ANKLE: 200, LM.LEFT_HEEL: 210, LM.LEFT_FOOT_INDEX: 215}
    for i, d in bottom.items():
        xy[i] = (330 + d, 305)
    a = np.deg2rad(lift_deg)
    top = {LM.RIGHT_KNEE: 100, LM.RIGHT_ANKLE: 200, LM.RIGHT_HEEL: 210,
           LM.RIGHT_FOOT_INDEX: 215}
    for i, d in top.items():
        xy[i] = (332 + d * np.cos(a), 290 - d * np.sin(a))
    return xy + np.array([dx, dy])


def _standing_pose() -> NDArray[np.float64]:
    xy = _lying_pose() - np.array([320.0, 300.0])
    return np.stack([-xy[:, 1], xy[:, 0]], axis=-1) * 0.8 + np.array([320.0, 240.0])


def _seq(poses: list[NDArray[np.float64] | None], fps: float = 15.0) -> PoseSequence:
    n = len(poses)
    xy = np.full((n, NUM_LANDMARKS, 2), np.nan)
    vis = np.zeros((n, NUM_LANDMARKS))
    for i, p in enumerate(poses):
        if p is not None:
            xy[i] = p
            vis[i] = 0.9
    det = np.array([p is not None for p in poses])
    world = np.where(det[:, None, None], 0.0, np.nan) * np.ones((n, NUM_LANDMARKS, 3))
    depth = np.where(det[:, None], 0.0, np.nan) * np.ones((n, NUM_LANDMARKS))
    return PoseSequence(t=np.arange(n) / fps, xy=xy, depth=depth, world=world, visibility=vis,
                        image_size=(W, H), detected=det)


def _lifts(n: int = 150, peak: float = 30.0) -> list[NDArray[np.float64] | None]:
    """Two lifts over 10 s at 15 fps."""
    ang = peak * np.clip(np.sin(np.linspace(0, 4 * np.pi, n)), 0, None)
    return [_lying_pose(a) for a in ang]


def test_a_good_set_has_no_problem() -> None:
    seq = _seq(_lifts())
    shift = np.zeros((len(seq), 2))
    people = np.where(np.arange(len(seq)) % 30 == 0, 1, -1)
    assert find_input_problems(seq, people=people, camera_shift=shift) == []


def test_helpers() -> None:
    xy = np.stack([_lying_pose(0), _lying_pose(30), _standing_pose()])
    tilt = trunk_tilt(xy)
    assert tilt[0] < 6 and tilt[1] < 6 and tilt[2] > 80
    ang = leg_angles(xy)
    assert ang[1, 1] - ang[0, 1] == pytest.approx(30.0, abs=4.0)  # the top (right) leg
    assert ang[1, 0] == pytest.approx(ang[0, 0])
    mask = np.array([0, 1, 1, 0, 1, 1, 1, 0], dtype=bool)
    dur, start, end = longest_run(mask, np.arange(8) * 0.5)
    assert (dur, start, end) == (1.5, 2.0, 3.5)
    assert longest_run(np.zeros(3, dtype=bool), np.arange(3.0))[0] == 0.0


def test_no_person() -> None:
    seq = _seq([None] * 40)
    problems = find_input_problems(seq)
    assert [p.code for p in problems] == ["no_person"]
    assert problems[0].blocking and "No person" in problems[0].message
    assert "phone" in problems[0].hint


def test_person_in_few_frames() -> None:
    poses = _lifts(100)
    seq = _seq([p if i < 30 else None for i, p in enumerate(poses)])
    p = check_person_present(seq, CFG)
    assert p is not None and "30%" in p.message
    assert check_person_present(_seq(poses), CFG) is None


def test_standing_person() -> None:
    seq = _seq([_standing_pose()] * 60)
    p = check_lying(seq, CFG)
    assert p is not None and p.code == "standing" and "upright" in p.message
    codes = [q.code for q in find_input_problems(seq)]
    assert "standing" in codes and "no_movement" not in codes
    assert check_lying(_seq(_lifts()), CFG) is None


def test_two_people_blocking_and_brief() -> None:
    t = np.arange(150) / 15.0
    people = np.full(150, -1)
    people[::30] = 2  # counted every 2 s, always two
    p = check_single_person(people, t, CFG)
    assert p is not None and p.blocking and p.code == "two_people" and p.start_s == 0.0
    people[::30] = 1
    people[60] = 2  # someone walked by once
    p = check_single_person(people, t, CFG)
    assert p is not None and not p.blocking and "analysed" in p.message
    # the same passer-by while the tracked person stood: the bystander was followed, refuse
    p = check_single_person(people, t, CFG, followed_upright=True)
    assert p is not None and p.blocking and "upright" in p.message
    people[60] = 1
    assert check_single_person(people, t, CFG) is None
    assert check_single_person(people, t, CFG, followed_upright=True) is None
    assert check_single_person(None, t, CFG) is None


def test_feet_out_of_frame() -> None:
    poses = [p + SHIFT_RIGHT for p in _lifts()]  # shifted right: toes beyond x = 640
    p = check_in_frame(_seq(poses), CFG)
    assert p is not None and p.code == "body_out_of_frame"
    assert "toes" in p.message or "heels" in p.message
    assert check_in_frame(_seq(_lifts()), CFG) is None


def test_out_of_frame_uses_coordinates_not_visibility() -> None:
    poses = [p + SHIFT_RIGHT for p in _lifts()]
    seq = _seq(poses)
    assert np.all(seq.visibility == 0.9)  # the model still "sees" the invented feet
    assert check_in_frame(seq, CFG) is not None


def test_short_excursion_out_of_frame_is_tolerated_but_long_is_not() -> None:
    poses = _lifts(150)
    brief = [p + SHIFT_RIGHT if 40 <= i < 50 else p for i, p in enumerate(poses)]  # 0.67 s
    assert check_in_frame(_seq(brief), CFG) is None
    cfg = ChecksConfig(out_of_frame_frac=0.9, out_of_frame_s=1.0)
    long = [p + SHIFT_RIGHT if 40 <= i < 70 else p for i, p in enumerate(poses)]  # 2 s
    p = check_in_frame(_seq(long), cfg)
    assert p is not None and p.start_s == pytest.approx(40 / 15)


def test_part_unseen_on_both_sides_counts_as_missing() -> None:
    seq = _seq(_lifts())
    vis = seq.visibility.copy()
    vis[:, [LM.LEFT_ANKLE, LM.RIGHT_ANKLE]] = 0.02
    seq2 = PoseSequence(t=seq.t, xy=seq.xy, depth=seq.depth, world=seq.world, visibility=vis,
                        image_size=seq.image_size, detected=seq.detected)
    p = check_in_frame(seq2, CFG)
    assert p is not None and "ankles" in p.message
    vis[:, LM.LEFT_ANKLE] = 0.9  # one side hidden behind the other: fine
    seq3 = PoseSequence(t=seq.t, xy=seq.xy, depth=seq.depth, world=seq.world, visibility=vis,
                        image_size=seq.image_size, detected=seq.detected)
    assert check_in_frame(seq3, CFG) is None


def test_camera_moved() -> None:
    t = np.arange(150) / 15.0
    shift = np.zeros((150, 2))
    shift[80:] = (-60.0, 10.0)  # bumped at 5.3 s and stayed there
    p = check_camera_still(shift, t, (W, H), CFG)
    assert p is not None and p.code == "camera_moved" and p.start_s == pytest.approx(80 / 15)
    shift[:] = 0.0
    shift[80] = (-60.0, 0.0)  # one glitchy frame
    assert check_camera_still(shift, t, (W, H), CFG) is None
    shift[:] = np.random.default_rng(0).normal(0, 2.0, (150, 2))  # jitter of a still camera
    assert check_camera_still(shift, t, (W, H), CFG) is None
    assert check_camera_still(None, t, (W, H), CFG) is None
    assert check_camera_still(np.full((150, 2), np.nan), t, (W, H), CFG) is None


def test_lying_still() -> None:
    rng = np.random.default_rng(1)
    poses: list[NDArray[np.float64] | None] = [
        _lying_pose(0) + rng.normal(0, 1.0, (NUM_LANDMARKS, 2)) for _ in range(150)
    ]
    p = check_movement(_seq(poses), CFG)
    assert p is not None and p.code == "no_movement"
    assert [q.code for q in find_input_problems(_seq(poses))] == ["no_movement"]
    assert check_movement(_seq(_lifts(peak=20.0)), CFG) is None


def test_problems_have_user_facing_text() -> None:
    shift = np.zeros((60, 2))
    shift[20:] = 100.0  # the camera moved at frame 20: the picture and the body shift together
    seq = _seq([_standing_pose() + 2 * SHIFT_RIGHT + shift[i] for i in range(60)])
    problems = find_input_problems(seq, camera_shift=shift)
    codes = [p.code for p in problems]
    assert codes[:2] == ["camera_moved", "standing"]
    for p in problems:
        assert p.message.endswith(".") and p.hint.endswith(".")
        assert str(p) == f"{p.message} {p.hint}"


def test_legs_only_video_is_body_out_of_frame_not_no_person() -> None:
    seq = _seq([None] * 60)
    probed = np.zeros(60, dtype=bool)
    probed[::15] = True
    partial = np.full((60, NUM_LANDMARKS, 2), np.nan)
    partial[probed] = _lying_pose(10) + np.array([300.0, 0.0])  # squeezed against the edge
    problems = find_input_problems(seq, partial_xy=partial, partial_probed=probed)
    assert [p.code for p in problems] == ["body_out_of_frame"]
    assert "part of a body" in problems[0].message and problems[0].blocking
    # found on too few of the searched frames: plain "no person"
    partial[probed.nonzero()[0][1:]] = np.nan
    problems = find_input_problems(seq, partial_xy=partial, partial_probed=probed)
    assert [p.code for p in problems] == ["no_person"]
    assert check_partial_body(None, None, (W, H), CFG) is None


def test_image_shift_without_the_body_moving_is_not_a_camera_move() -> None:
    """A lifted leg filling the picture can fool the image-shift estimate; the shoulders and
    hips do not move then, while a moved camera shifts them too."""
    lifts = _lifts()
    shift = np.zeros((len(lifts), 2))
    shift[60:] = (0.0, -40.0)
    seq = _seq(lifts)
    assert check_camera_still(shift, seq.t, (W, H), CFG) is not None  # image shift alone
    assert check_camera_still(shift, seq.t, (W, H), CFG, seq) is None  # the body did not move
    moved = _seq([p + shift[i] for i, p in enumerate(lifts)])
    p = check_camera_still(shift, moved.t, (W, H), CFG, moved)
    assert p is not None and p.start_s == pytest.approx(60 / 15)


def test_a_real_move_with_a_weak_correlation_still_counts() -> None:
    """After a move the correlation with the first frame weakens (measured 0.13-0.29)."""
    lifts = _lifts()
    shift = np.zeros((len(lifts), 2))
    shift[45:] = (-70.0, 20.0)
    response = np.where(np.arange(len(lifts)) < 45, 0.8, 0.18)
    moved = _seq([p + shift[i] for i, p in enumerate(lifts)])
    problems = find_input_problems(moved, camera_shift=shift, camera_response=response)
    assert problems and problems[0].code == "camera_moved"
    assert problems[0].start_s == pytest.approx(3.0)


def test_move_on_a_plain_background_is_seen_from_the_body() -> None:
    """Where the picture stops correlating with the first frame (NaN shift), the head,
    shoulders and hips sitting far from where they started mean the camera moved; a hip
    hike (under 30 px) does not."""
    lifts = _lifts()
    body = np.zeros((len(lifts), 2))
    body[45:] = (-70.0, 20.0)
    shift = np.full((len(lifts), 2), np.nan)
    shift[:45] = 0.0
    moved = _seq([p + body[i] for i, p in enumerate(lifts)])
    p = check_camera_still(shift, moved.t, (W, H), CFG, moved)
    assert p is not None and p.start_s == pytest.approx(3.0)
    hike = _seq([p + body[i] * 0.35 for i, p in enumerate(lifts)])  # ~25 px
    assert check_camera_still(shift, hike.t, (W, H), CFG, hike) is None
    assert check_camera_still(shift, moved.t, (W, H), CFG) is None  # no poses: unknown
