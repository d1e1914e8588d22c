"""Per-frame kinematics (pure functions) and filters."""

from hipwise.kinematics.angles import (
    abduction_deg,
    agreed_roll_deg,
    body_axes,
    foot_pitch_deg,
    foot_rotation_deg,
    forward_drift_deg,
    hip_gap_px,
    knee_angle_deg,
    pelvis_roll_deg,
    shank_ratio,
    side_bend_change_deg,
    top_side_score,
    top_waist_px,
    trunk_px,
)
from hipwise.kinematics.filter import LowPass, gaussian_smooth, gradient

__all__ = [
    "LowPass",
    "abduction_deg",
    "agreed_roll_deg",
    "body_axes",
    "foot_pitch_deg",
    "foot_rotation_deg",
    "forward_drift_deg",
    "gaussian_smooth",
    "gradient",
    "hip_gap_px",
    "knee_angle_deg",
    "pelvis_roll_deg",
    "shank_ratio",
    "side_bend_change_deg",
    "top_side_score",
    "top_waist_px",
    "trunk_px",
]
