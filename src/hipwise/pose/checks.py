"""Input checks: videos hipwise must refuse (exit code 4) instead of analysing.

Pure functions over a :class:`~hipwise.pose.sequence.PoseSequence` plus the per-frame extras
the pose adapter records (people counted, camera shift). Each returns an
:class:`InputProblem` (a stable ``code``, a ``message`` saying what was seen, a ``hint`` saying
what to do) or ``None``; nothing raises. :func:`find_input_problems` runs them all, in order of
importance, and :func:`check_run` takes a :class:`~hipwise.pose.mediapipe_adapter.PoseRun`.

Codes: ``no_person``, ``camera_moved``, ``two_people``, ``standing``, ``body_out_of_frame``,
``no_movement``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import NDArray

from hipwise.pose.landmarks import LM
from hipwise.pose.sequence import FloatArray, PoseSequence
from hipwise.settings.checks import ChecksConfig

if TYPE_CHECKING:
    from hipwise.pose.mediapipe_adapter import PoseRun

__all__ = [
    "KEY_PARTS",
    "ChecksConfig",
    "InputProblem",
    "ProblemCode",
    "check_camera_still",
    "check_in_frame",
    "check_lying",
    "check_movement",
    "check_partial_body",
    "check_person_present",
    "check_run",
    "check_single_person",
    "find_input_problems",
    "leg_angles",
    "longest_run",
    "trunk_tilt",
]

ProblemCode = Literal[
    "no_person", "camera_moved", "two_people", "standing", "body_out_of_frame", "no_movement",
    "too_short",
]

# Body parts that must stay in the picture, as (name for messages, left index, right index).
KEY_PARTS: tuple[tuple[str, int, int], ...] = (
    ("shoulders", LM.LEFT_SHOULDER, LM.RIGHT_SHOULDER),
    ("hips", LM.LEFT_HIP, LM.RIGHT_HIP),
    ("knees", LM.LEFT_KNEE, LM.RIGHT_KNEE),
    ("ankles", LM.LEFT_ANKLE, LM.RIGHT_ANKLE),
    ("heels", LM.LEFT_HEEL, LM.RIGHT_HEEL),
    ("toes", LM.LEFT_FOOT_INDEX, LM.RIGHT_FOOT_INDEX),
)

_FILMING_HINT = (
    "Put the phone on the floor 2-3 m in front of you, in landscape, so your whole body from "
    "head to toes is in the picture while you lie on your side."
)


@dataclass(frozen=True)
class InputProblem:
    """Why a video cannot be analysed: ``code`` (stable id), ``message`` (what was seen),
    ``hint`` (what to do), and when known the time span in seconds it concerns. ``blocking``
    problems refuse the video (exit code 4); the others are warnings to show with the result
    (e.g. someone passing by for a moment)."""

    code: ProblemCode
    message: str
    hint: str
    start_s: float | None = None
    end_s: float | None = None
    blocking: bool = True

    def __str__(self) -> str:
        return f"{self.message} {self.hint}"


# --------------------------------------------------------------------------------------------
# Pure helpers
# --------------------------------------------------------------------------------------------


def longest_run(mask: NDArray[np.bool_], t: FloatArray) -> tuple[float, float, float]:
    """Longest stretch of consecutive True frames: (duration s, start s, end s), measured
    from the first True frame's time to the first False frame after it (or the last frame).
    (0, nan, nan) when no frame is True."""
    best = (0.0, float("nan"), float("nan"))
    n = len(mask)
    i = 0
    while i < n:
        if not mask[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and mask[j + 1]:
            j += 1
        end = float(t[j + 1]) if j + 1 < n else float(t[j])
        dur = end - float(t[i])
        if dur > best[0] or np.isnan(best[1]):
            best = (dur, float(t[i]), end)
        i = j + 1
    return best


def trunk_tilt(xy: FloatArray) -> FloatArray:
    """Angle in degrees (0-90) between the trunk (shoulder centre to hip centre) and the
    image's horizontal, per frame; ``xy (T, 33, 2)`` pixels. NaN where undetected."""
    sh = (xy[:, LM.LEFT_SHOULDER] + xy[:, LM.RIGHT_SHOULDER]) / 2.0
    hip = (xy[:, LM.LEFT_HIP] + xy[:, LM.RIGHT_HIP]) / 2.0
    d = hip - sh
    return np.asarray(np.degrees(np.arctan2(np.abs(d[:, 1]), np.abs(d[:, 0]))), dtype=np.float64)


def leg_angles(xy: FloatArray) -> FloatArray:
    """Angle in degrees between each leg (hip to ankle) and the trunk direction (shoulder
    centre to hip centre), per frame: ``(T, 2)`` for (left, right); 0 = leg in line with the
    trunk. ``xy (T, 33, 2)`` pixels; NaN where undetected."""
    sh = (xy[:, LM.LEFT_SHOULDER] + xy[:, LM.RIGHT_SHOULDER]) / 2.0
    hip = (xy[:, LM.LEFT_HIP] + xy[:, LM.RIGHT_HIP]) / 2.0
    trunk = hip - sh
    out = np.full((xy.shape[0], 2), np.nan)
    for k, (h_i, a_i) in enumerate(((LM.LEFT_HIP, LM.LEFT_ANKLE), (LM.RIGHT_HIP, LM.RIGHT_ANKLE))):
        leg = xy[:, a_i] - xy[:, h_i]
        cross = trunk[:, 0] * leg[:, 1] - trunk[:, 1] * leg[:, 0]
        dot = np.sum(trunk * leg, axis=1)
        out[:, k] = np.degrees(np.arctan2(np.abs(cross), dot))
    return out


def _problem(
    code: ProblemCode,
    message: str,
    hint: str,
    span: tuple[float, float] | None = None,
    blocking: bool = True,
) -> InputProblem:
    if span is None:
        return InputProblem(code, message, hint, blocking=blocking)
    return InputProblem(code, message, hint, start_s=span[0], end_s=span[1], blocking=blocking)


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def check_person_present(poses: PoseSequence, config: ChecksConfig) -> InputProblem | None:
    """``no_person``: a person was found in too few frames."""
    n = len(poses)
    frac = float(np.mean(poses.detected)) if n else 0.0
    if frac >= config.min_detected_frac:
        return None
    if frac == 0.0:
        msg = "No person was found in the video."
    else:
        msg = f"A person was found in only {100 * frac:.0f}% of the video."
    return _problem("no_person", msg, _FILMING_HINT + " Check the room is well lit.")


def check_lying(poses: PoseSequence, config: ChecksConfig) -> InputProblem | None:
    """``standing``: the body's long axis is vertical (standing or sitting), not horizontal."""
    det = poses.detected
    if not np.any(det):
        return None
    tilt = trunk_tilt(poses.xy[det])
    upright = tilt > config.standing_tilt_deg
    frac = float(np.mean(upright))
    if frac < config.standing_frac:
        return None
    return _problem(
        "standing",
        f"The person is upright (standing or sitting) in {100 * frac:.0f}% of the video "
        f"(median trunk angle {np.median(tilt):.0f}° from horizontal).",
        "Lie on your side facing the camera, bottom arm under your head, body in one straight "
        "line, then start recording the set.",
    )


def check_single_person(people: NDArray[np.int_] | None, t: FloatArray, config: ChecksConfig,
                        followed_upright: bool = False) -> InputProblem | None:
    """``two_people``: two or more people counted in too many of the counted frames (blocking),
    or in a few (a warning). ``people (T,)``: count per frame, -1 where not counted.
    ``followed_upright``: the person tracked was upright (standing refused), so any second
    person seen is blocking: most likely a bystander was followed and hides the exerciser."""
    if people is None:
        return None
    counted = people >= 0
    if not np.any(counted):
        return None
    many = people[counted] >= 2
    if not np.any(many):
        return None
    frac = float(np.mean(many))
    tc = t[counted]
    first = float(tc[np.argmax(many)])
    last = float(tc[len(many) - 1 - int(np.argmax(many[::-1]))])
    blocking = frac >= config.two_people_frac or followed_upright
    picked = (
        "; hipwise followed an upright person" if followed_upright
        else "" if blocking else "; the person lying on their side was analysed"
    )
    return _problem(
        "two_people",
        f"{int(np.max(people))} people are in view for {100 * frac:.0f}% of the video "
        f"(from {first:.1f} s){picked}.",
        "Film one person at a time, with nobody else in the picture.",
        (first, last),
        blocking=blocking,
    )


def check_in_frame(poses: PoseSequence, config: ChecksConfig) -> InputProblem | None:
    """``body_out_of_frame``: shoulders, hips, knees, ankles, heels or toes outside the image
    (by coordinates) or unseen on both sides, too often or for too long."""
    det = poses.detected
    if not np.any(det):
        return None
    xy = poses.xy[det]
    vis = poses.visibility[det]
    t = poses.t[det]
    part_out = _parts_outside(xy, poses.image_size, config.frame_margin_frac)
    for k, (_, li, ri) in enumerate(KEY_PARTS):
        unseen = (vis[:, li] < config.min_visibility) & (vis[:, ri] < config.min_visibility)
        part_out[:, k] |= unseen
    any_out = np.any(part_out, axis=1)
    frac = float(np.mean(any_out))
    run, start, end = longest_run(any_out, t)
    if frac < config.out_of_frame_frac and run < config.out_of_frame_s:
        return None
    counts = part_out.sum(axis=0)
    names = [KEY_PARTS[k][0] for k in np.argsort(-counts) if counts[k] > 0.5 * counts.max()]
    which = " and ".join(names[:3])
    return _problem(
        "body_out_of_frame",
        f"Your {which} are outside the picture in {100 * frac:.0f}% of the video "
        f"(longest {run:.1f} s from {start:.1f} s).",
        _FILMING_HINT + " Move the phone further away or turn it to landscape.",
        (start, end),
    )


def _parts_outside(xy: FloatArray, size: tuple[int, int], margin_frac: float) -> NDArray[np.bool_]:
    """``(T, len(KEY_PARTS))``: key part (either side) beyond the image border."""
    w, h = size
    mx, my = margin_frac * w, margin_frac * h
    out = np.zeros((xy.shape[0], len(KEY_PARTS)), dtype=bool)
    for k, (_, li, ri) in enumerate(KEY_PARTS):
        x, y = xy[:, [li, ri], 0], xy[:, [li, ri], 1]
        out[:, k] = np.any((x < -mx) | (x > w + mx) | (y < -my) | (y > h + my), axis=1)
    return out


def check_partial_body(
    partial_xy: FloatArray | None,
    probed: NDArray[np.bool_] | None,
    image_size: tuple[int, int],
    config: ChecksConfig,
) -> InputProblem | None:
    """``body_out_of_frame`` for videos where no whole person was detected but a
    low-confidence search kept finding a body: BlazePose's detector keys on the head, so a
    body found only at low confidence is, most often, one whose head and shoulders are out of
    the picture (only the legs in view). ``partial_xy (T, 33, 2)`` pixels (NaN: none found),
    ``probed (T,)`` the frames searched. The model squeezes such a body into the image, so its
    coordinates do not show which parts are missing (the message does not guess)."""
    if partial_xy is None or probed is None or not np.any(probed):
        return None
    xy = partial_xy[probed]
    found = np.all(np.isfinite(xy.reshape(len(xy), -1)), axis=1)
    if np.count_nonzero(found) < config.partial_min_frac * len(xy):
        return None
    return _problem(
        "body_out_of_frame",
        "No whole person is visible, only part of a body (most often the head and shoulders "
        "are outside the picture).",
        _FILMING_HINT + " Move the phone further away or turn it to landscape.",
    )


# The bottom leg lies still on the floor through every fault of this exercise (a hip hike or
# a roll moves the trunk and the head; the lifted leg moves by design).
_BOTTOM_LEG = {
    "left": (23, 25, 27, 29, 31),  # left hip, knee, ankle, heel, foot index
    "right": (24, 26, 28, 30, 32),
}


def _static_landmark_shift(poses: PoseSequence) -> FloatArray:
    """Per frame, how far (px) the bottom leg (the one lying on the floor) sits from where it
    was first seen; NaN without a detection."""
    y_left = poses.xy[:, 23, 1] + poses.xy[:, 11, 1]
    y_right = poses.xy[:, 24, 1] + poses.xy[:, 12, 1]
    bottom_is_left = np.nanmedian(y_left - y_right) > 0  # larger y = lower in the image
    idx = list(_BOTTOM_LEG["left" if bottom_is_left else "right"])
    xy = poses.xy[:, idx, :]
    ok = poses.detected & np.all(np.isfinite(xy.reshape(len(poses), -1)), axis=1)
    out = np.full(len(poses), np.nan)
    if not np.any(ok):
        return out
    first = np.flatnonzero(ok)[: max(1, min(10, int(ok.sum())))]
    ref = np.median(xy[first], axis=0)
    d = np.median(np.linalg.norm(xy - ref, axis=-1), axis=1)
    out[ok] = d[ok]
    return out


def check_camera_still(
    shift: FloatArray | None,
    t: FloatArray,
    image_size: tuple[int, int],
    config: ChecksConfig,
    poses: PoseSequence | None = None,
    response: FloatArray | None = None,
) -> InputProblem | None:
    """``camera_moved``: the global image shift ``shift (T, 2)`` (pixels, relative to the first
    frame; NaN where not measured) stayed above the threshold for long enough. With ``poses``,
    bottom leg (lying still on the floor through every fault of this exercise) must have
    shifted by at least half as much too: a lifted leg or a hip hike filling part of the
    picture can fool the image-shift estimate, but it does not move the bottom leg. With
    ``response (T,)``, shifts
    measured with a phase-correlation response under ``camera_min_response`` (no clear
    single shift of the whole picture) do not count. Where the shift is unknown (NaN: on a
    plain background a big move can leave nothing to correlate), head, shoulders and hips
    sitting ``camera_body_shift_frac`` away for ``camera_unseen_s`` count as a move too."""
    if shift is None or len(shift) == 0:
        return None
    w, h = image_size
    mag = np.hypot(shift[:, 0], shift[:, 1])
    valid = np.isfinite(mag)
    if not np.any(valid) and poses is None:
        return None
    limit = config.camera_shift_frac * float(np.hypot(w, h))
    moved = valid & (mag > limit)
    if response is not None and len(response) == len(mag):
        moved &= np.nan_to_num(response, nan=0.0) >= config.camera_min_response
    body = (
        _static_landmark_shift(poses)
        if poses is not None and len(poses) == len(mag)
        else np.full_like(mag, np.nan)
    )
    moved &= ~(np.isfinite(body) & (body < 0.5 * mag))
    # where the picture no longer matches the first frame, still body parts sitting far away
    far = config.camera_body_shift_frac * float(np.hypot(w, h))
    unseen = ~valid & np.isfinite(body) & (body > far)
    run, start, end = longest_run(moved | unseen, t)
    if run < config.camera_unseen_s:
        run, start, end = longest_run(moved, t)
        if np.isnan(start) or run < config.camera_moved_s:
            return None
    mag = np.where(unseen, body, mag)
    return _problem(
        "camera_moved",
        f"The camera moved at {start:.1f} s (the picture shifted by {np.nanmax(mag):.0f} px).",
        "Keep the phone still for the whole set: stand it against something solid on the floor "
        "and record again.",
        (start, end),
    )


def check_movement(poses: PoseSequence, config: ChecksConfig) -> InputProblem | None:
    """``no_movement``: neither leg moved against the trunk (the person is lying still)."""
    det = poses.detected
    if np.count_nonzero(det) < 2:
        return None
    ang = leg_angles(poses.xy[det])
    ranges = [float(np.ptp(np.nanpercentile(ang[:, k], [5, 95]))) for k in range(2)]
    if max(ranges) >= config.min_leg_motion_deg:
        return None
    return _problem(
        "no_movement",
        f"No leg lift was seen: the legs moved by at most {max(ranges):.0f}° during the video.",
        "Start recording, lie down in view, then lift the top leg slowly and lower it; make "
        "sure the whole set is in the recording.",
    )


def find_input_problems(
    poses: PoseSequence,
    *,
    people: NDArray[np.int_] | None = None,
    camera_shift: FloatArray | None = None,
    camera_response: FloatArray | None = None,
    partial_xy: FloatArray | None = None,
    partial_probed: NDArray[np.bool_] | None = None,
    config: ChecksConfig | None = None,
) -> list[InputProblem]:
    """All reasons to refuse the video (``blocking``) and warnings, most important first
    (no blocking problem: analysable).

    With no person at all, only ``no_person`` is returned (nothing else can be judged), or
    ``body_out_of_frame`` when a body only partly in the picture was found (``partial_xy``).
    """
    cfg = config or ChecksConfig()
    none = check_person_present(poses, cfg)
    if none is not None:
        partial = check_partial_body(partial_xy, partial_probed, poses.image_size, cfg)
        if partial is not None:
            none = partial
    if none is not None and not np.any(poses.detected):
        return [none]
    lying = check_lying(poses, cfg)
    upright = lying is not None and lying.blocking and lying.code == "standing"
    found = [
        none,
        check_camera_still(
            camera_shift, poses.t, poses.image_size, cfg, poses, camera_response
        ),
        check_single_person(people, poses.t, cfg, followed_upright=upright),
        lying,
        check_in_frame(poses, cfg),
    ]
    problems = [p for p in found if p is not None]
    if not any(p.code in ("standing", "no_person") and p.blocking for p in problems):
        still = check_movement(poses, cfg)
        if still is not None:
            problems.append(still)
    return problems


def check_run(run: PoseRun, config: ChecksConfig | None = None) -> list[InputProblem]:
    """:func:`find_input_problems` on everything a pose run recorded."""
    return find_input_problems(
        run.poses,
        people=run.people,
        camera_shift=run.camera_shift,
        camera_response=run.camera_response,
        partial_xy=run.partial_xy,
        partial_probed=run.partial_probed,
        config=config,
    )
