"""Thresholds of the input checks (``[checks]``): when a video is refused as not analysable."""

from __future__ import annotations

from pydantic import Field

from hipwise.settings_base import FrozenSettings

__all__ = ["ChecksConfig"]


class ChecksConfig(FrozenSettings):
    """Thresholds of the input checks (frozen, unknown keys are errors). Fractions are of the
    analysed frames."""

    min_detected_frac: float = Field(default=0.5, ge=0.0, le=1.0)
    """``no_person`` when a person is found in fewer than this fraction of frames. A set
    filmed properly is detected in > 95 % of frames; half leaves room for walking in and out."""

    standing_tilt_deg: float = Field(default=45.0, gt=0.0, lt=90.0)
    """A trunk (shoulders to hips) steeper than this against the image's horizontal is
    upright (standing or sitting). Side-lying trunks read 0-20° from a floor-level camera."""

    standing_frac: float = Field(default=0.5, gt=0.0, le=1.0)
    """``standing`` when at least this fraction of the detected frames has an upright trunk."""

    two_people_frac: float = Field(default=0.3, gt=0.0, le=1.0)
    """``two_people`` when two or more people are counted in at least this fraction of the
    frames where people were counted. Someone passing by briefly only causes a warning."""

    frame_margin_frac: float = Field(default=0.0, ge=-0.2, le=0.2)
    """A landmark is out of frame when it lies beyond the image border by more than this
    fraction of the image size (0: exactly at the border). Do not trust visibility for this:
    the model can report invented limbs outside the picture with high visibility."""

    min_visibility: float = Field(default=0.1, ge=0.0, le=1.0)
    """A body part also counts as missing when both its left and right landmarks have a
    visibility under this (one side hidden behind the other is normal when lying sideways)."""

    out_of_frame_frac: float = Field(default=0.2, gt=0.0, le=1.0)
    """``body_out_of_frame`` when key parts are out in at least this fraction of detected
    frames..."""

    out_of_frame_s: float = Field(default=2.0, gt=0.0, le=3600.0)
    """... or out for at least this many seconds in a row."""

    camera_shift_frac: float = Field(default=0.03, gt=0.0, le=1.0)
    """The camera moved when the global image shift exceeds this fraction of the image
    diagonal (3 %: ~24 px at 640x480; a person moving on a still camera reads < 1 %)."""

    camera_moved_s: float = Field(default=0.3, ge=0.0, le=60.0)
    """... for at least this many seconds in a row (ignores single-frame glitches)."""

    camera_min_response: float = Field(default=0.1, ge=0.0, le=1.0)
    """Phase-correlation response (0-1) a shift needs to count as the whole picture moving.
    Kept low on purpose: after a real move (a clip shifted 70 px at 3 s) the response read
    0.13-0.29 for the rest of the clip, so 0.3 would miss it. False moves from a lifted leg
    on a plain background are rejected by the body cross-check instead (head, shoulders and
    hips must shift too)."""

    camera_body_shift_frac: float = Field(default=0.06, gt=0.0, le=1.0)
    """Where the image shift is unknown (the picture no longer correlates with the first
    frame), the camera counts as moved when the head, shoulders and hips sit this fraction of
    the image diagonal away from where they started (6 %: ~48 px at 640x480; a hip hike or a
    too-high lift moves them < 30 px)..."""

    camera_unseen_s: float = Field(default=1.0, gt=0.0, le=60.0)
    """... for at least this many seconds in a row."""

    partial_min_frac: float = Field(default=0.5, gt=0.0, le=1.0)
    """When nobody is detected, the low-confidence search for a partial body (see
    ``PoseConfig.partial_confidence``) must find one on at least this fraction of the frames
    it ran on to report ``body_out_of_frame`` instead of ``no_person`` (it found nothing on
    empty, black or noise frames)."""

    min_leg_motion_deg: float = Field(default=8.0, gt=0.0, le=90.0)
    """``no_movement`` when neither leg's angle to the trunk varies by more than this
    (5th to 95th percentile range, degrees). A lift reads 20-45°, breathing and jitter < 4°."""

    min_duration_s: float = Field(default=1.0, ge=0.0, le=60.0)
    """``too_short`` when the analysed frames span less than this (s): a single frame or a
    fraction of a second cannot show a rep (the shortest countable one lasts ~1.5 s), and
    reporting "no reps" for it would read as a judgement."""
