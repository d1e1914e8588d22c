"""Per-frame kinematics (pure functions) and filters."""

from hipwise.kinematics.angles import (
    abduction_deg,
    body_axes,
    foot_rotation_deg,
    forward_drift_deg,
    knee_angle_deg,
    pelvis_roll_deg,
    shank_ratio,
    side_bend_deg,
    top_side_score,
)
from hipwise.kinematics.filter import LowPass, gaussian_smooth, gradient

__all__ = [
    "LowPass",
    "abduction_deg",
    "body_axes",
    "foot_rotation_deg",
    "forward_drift_deg",
    "gaussian_smooth",
    "gradient",
    "knee_angle_deg",
    "pelvis_roll_deg",
    "shank_ratio",
    "side_bend_deg",
    "top_side_score",
]
