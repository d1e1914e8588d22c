"""The setup check before a set, and the live warnings during it.

:func:`setup_issues` looks at the last second of poses (plus the frame brightness and the number
of people in view) and returns what to change, most important first, each with a sentence that
says exactly what to do. It reuses :mod:`hipwise.pose.checks` (the recorded-video input checks)
for lying on the side, body parts out of frame and a second person, and adds the live-only
checks: darkness, distance, camera level and camera height. :class:`SetupGate` turns the
per-frame issues into "passed" once everything was fine for ``pass_s``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hipwise.pose.checks import (
    ChecksConfig,
    check_in_frame,
    check_lying,
    check_single_person,
)
from hipwise.pose.landmarks import LM
from hipwise.pose.sequence import FloatArray, PoseSequence
from hipwise.settings import SetupConfig

__all__ = [
    "SetupGate",
    "SetupIssue",
    "SetupStatus",
    "body_extent_frac",
    "body_line_tilt_deg",
    "hip_stack_ratio",
    "setup_issues",
]


@dataclass(frozen=True)
class SetupIssue:
    """One thing to fix: stable ``code`` and the sentence to show and say."""

    code: str
    message: str


_BODY_PTS = (
    LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER, LM.LEFT_HIP, LM.RIGHT_HIP, LM.LEFT_KNEE,
    LM.RIGHT_KNEE, LM.LEFT_ANKLE, LM.RIGHT_ANKLE, LM.LEFT_HEEL, LM.RIGHT_HEEL,
    LM.LEFT_FOOT_INDEX, LM.RIGHT_FOOT_INDEX,
)


def body_extent_frac(xy: FloatArray, image_size: tuple[int, int]) -> float:
    """Largest extent of the body (shoulders to toes) in one pose ``xy (33, 2)`` px, as a
    fraction of the image's long side."""
    pts = xy[list(_BODY_PTS)]
    span = np.nanmax(pts, axis=0) - np.nanmin(pts, axis=0)
    return float(np.max(span) / max(image_size))


def body_line_tilt_deg(xy: FloatArray) -> float:
    """Angle (deg, 0-90) between the body line (shoulder centre to ankle centre) of one pose
    ``xy (33, 2)`` px and the image's horizontal."""
    sh = (xy[LM.LEFT_SHOULDER] + xy[LM.RIGHT_SHOULDER]) / 2.0
    an = (xy[LM.LEFT_ANKLE] + xy[LM.RIGHT_ANKLE]) / 2.0
    d = an - sh
    return float(np.degrees(np.arctan2(abs(d[1]), abs(d[0]))))


def hip_stack_ratio(xy: FloatArray) -> float:
    """Vertical image gap between the two hips divided by the trunk length (shoulder centre to
    hip centre), for one pose ``xy (33, 2)`` px. High (~0.4) from a floor-level camera, near 0
    from a camera looking down on a side-lying person."""
    sh = (xy[LM.LEFT_SHOULDER] + xy[LM.RIGHT_SHOULDER]) / 2.0
    hip = (xy[LM.LEFT_HIP] + xy[LM.RIGHT_HIP]) / 2.0
    trunk = float(np.hypot(*(hip - sh)))
    if trunk <= 1e-9:
        return float("nan")
    return float(abs(xy[LM.LEFT_HIP, 1] - xy[LM.RIGHT_HIP, 1]) / trunk)


def _recent(poses: PoseSequence, window_s: float) -> PoseSequence:
    if len(poses) == 0:
        return poses
    keep = poses.t >= poses.t[-1] - window_s
    return PoseSequence(
        t=poses.t[keep], xy=poses.xy[keep], depth=poses.depth[keep], world=poses.world[keep],
        visibility=poses.visibility[keep], image_size=poses.image_size,
        detected=poses.detected[keep],
    )


def setup_issues(
    poses: PoseSequence,
    people: int,
    luma: float,
    config: SetupConfig | None = None,
    checks: ChecksConfig | None = None,
) -> list[SetupIssue]:
    """What to change before (or during) the set, most important first; empty = all good.

    ``poses``: recent frames (the last ``window_s`` are checked; nobody detected in the last
    ``lost_s`` = the person left); ``people``: people counted
    in view on the latest count (-1 = not counted); ``luma``: mean brightness 0-255 of the
    latest frame.
    """
    cfg = config or SetupConfig()
    ck = checks or ChecksConfig()
    issues: list[SetupIssue] = []
    if luma < cfg.dark_luma:
        issues.append(SetupIssue(
            "too_dark",
            "It's too dark for the camera: turn on a light or open the curtains.",
        ))
    seen = _recent(poses, cfg.lost_s)
    win = _recent(poses, cfg.window_s)
    if len(seen) == 0 or not np.any(seen.detected) or not np.any(win.detected):
        issues.append(SetupIssue(
            "no_person",
            "I can't see you: lie down on your side in front of the camera, about 2-3 m away, "
            "with your whole body in the picture.",
        ))
        return issues
    if people >= 2:
        two = check_single_person(np.array([people]), win.t[-1:], ck)
        if two is not None:
            issues.append(SetupIssue(
                "two_people",
                "Someone else is in the picture: ask them to step out of view.",
            ))
            # the pose may be the other person's: judging posture or framing would mislead
            return issues
    standing = check_lying(win, ck)
    if standing is not None:
        issues.append(SetupIssue(
            "standing",
            "Lie down on your side facing the camera, bottom arm under your head, body in one "
            "straight line.",
        ))
        return issues
    xy = win.xy[win.detected][-1]
    w, h = win.image_size
    if h > w:
        issues.append(SetupIssue(
            "portrait",
            "Turn the phone sideways (landscape): lying down, you run across the picture.",
        ))
    out = check_in_frame(win, ck)
    if out is not None:
        pts = xy[list(_BODY_PTS)]
        where = []
        if np.nanmin(pts[:, 0]) < 0 or np.nanmax(pts[:, 0]) > w:
            where.append("side")
        if np.nanmin(pts[:, 1]) < 0 or np.nanmax(pts[:, 1]) > h:
            where.append("top or bottom")
        edge = f" (cut off at the {' and '.join(where)})" if where else ""
        issues.append(SetupIssue(
            "out_of_frame",
            f"Part of your body is outside the picture{edge}: move the phone further away and "
            "turn it to landscape, so you are seen from head to toes.",
        ))
    elif h <= w:
        extent = body_extent_frac(xy, (w, h))
        if extent < cfg.min_body_frac:
            issues.append(SetupIssue(
                "too_far",
                f"You are small in the picture ({100 * extent:.0f}% of its width): move the "
                "phone closer, until your body fills most of the width.",
            ))
        elif extent > cfg.max_body_frac:
            issues.append(SetupIssue(
                "too_close",
                "You fill the whole picture: move the phone a little further away so the "
                "lifted leg stays in view.",
            ))
    tilt = body_line_tilt_deg(xy)
    if np.isfinite(tilt) and tilt > cfg.max_level_deg:
        issues.append(SetupIssue(
            "not_level",
            f"Your body runs at {tilt:.0f}° across the picture: stand the phone level on the "
            "floor and lie parallel to it.",
        ))
    stack = hip_stack_ratio(xy)
    if np.isfinite(stack) and stack < cfg.min_stack_ratio:
        issues.append(SetupIssue(
            "camera_high",
            "The camera looks down on you: put the phone on the floor, standing upright, "
            "at hip height.",
        ))
    return issues


@dataclass(frozen=True)
class SetupStatus:
    """The gate's state: ``passed`` once all checks held for ``pass_s``; the current
    ``issues``; ``ok_for_s`` how long (s) everything has been fine."""

    passed: bool
    issues: list[SetupIssue]
    ok_for_s: float


class SetupGate:
    """Passes once :func:`setup_issues` stayed empty for ``SetupConfig.pass_s``; stays passed
    (later issues are warnings during the set)."""

    def __init__(self, config: SetupConfig | None = None) -> None:
        self.cfg = config or SetupConfig()
        self.passed = False
        self._ok_since: float | None = None

    def update(self, t: float, issues: list[SetupIssue]) -> SetupStatus:
        """The gate after one frame at ``t`` (s) with its ``issues``."""
        if issues:
            self._ok_since = None
        elif self._ok_since is None:
            self._ok_since = t
        ok_for = t - self._ok_since if self._ok_since is not None else 0.0
        if self._ok_since is not None and ok_for >= self.cfg.pass_s:
            self.passed = True
        return SetupStatus(self.passed, list(issues), ok_for)
