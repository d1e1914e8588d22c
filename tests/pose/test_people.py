"""Counting people: one body in an unusual pose read twice by the model is one person
(issue 11, failure mode 2: a fast swing was refused as "2 people in view")."""

import numpy as np
from numpy.typing import NDArray
from tests.conftest import make_sequence

from hipwise.pose.mediapipe_adapter import PoseConfig, same_person
from hipwise.pose.sequence import PoseSequence


def _top_of_a_swing() -> NDArray[np.float64]:
    seq, _ = make_sequence([{"peak_deg": 60.0, "lift_s": 0.6, "hold_s": 0.4, "lower_s": 0.6}])
    assert isinstance(seq, PoseSequence)
    return seq.xy[int(np.argmin(np.abs(seq.t - 2.3)))]


def test_the_same_body_read_twice_in_a_scrambled_way_is_one_person() -> None:
    xy = _top_of_a_swing()
    rng = np.random.default_rng(0)
    scrambled = xy[rng.permutation(len(xy))]  # every landmark renamed: limbs swapped
    flipped = xy.copy()
    flipped[:, 1] = xy[:, 1].max() + xy[:, 1].min() - xy[:, 1]  # read upside down
    cfg = PoseConfig()
    assert same_person(xy, xy + 3.0, cfg)
    assert same_person(xy, scrambled, cfg)
    assert same_person(xy, flipped, cfg)


def test_a_second_person_beside_the_first_is_counted() -> None:
    xy = _top_of_a_swing()
    width = xy[:, 0].max() - xy[:, 0].min()
    cfg = PoseConfig()
    assert not same_person(xy, xy + np.array([1.2 * width, 0.0]), cfg)
    # a standing bystander behind the middle of the mat: tall and narrow over a wide, low body
    standing = np.stack([xy[:, 1] * 0 + xy[:, 0].mean() + (xy[:, 1] - xy[:, 1].mean()) * 0.3,
                         xy[:, 1].mean() - 2.5 * (xy[:, 0] - xy[:, 0].mean()) * 0.4], axis=1)
    assert not same_person(xy, standing, cfg)
