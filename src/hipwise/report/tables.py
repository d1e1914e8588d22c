"""CSV tables of the report: per-frame kinematics, per-rep metrics, and for the isometric
variations per-hold and per-circle metrics (pure builders + writer).

The columns are documented here (:data:`FRAME_COLUMNS`, :data:`REP_COLUMNS`,
:data:`HOLD_COLUMNS`, :data:`CIRCLE_COLUMNS`) and in ``docs/report.md``; a test keeps the two
identical.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from hipwise.contract import Analysis
from hipwise.report.model import circle_hold, primary_cue, set_variation
from hipwise.reps.measure import CHANNELS
from hipwise.reps.session import FrameState

__all__ = [
    "CHANNEL_COLUMNS",
    "CIRCLE_COLUMNS",
    "FRAME_COLUMNS",
    "HOLD_COLUMNS",
    "REP_COLUMNS",
    "Column",
    "circle_rows",
    "frame_rows",
    "hold_rows",
    "rep_rows",
    "write_csv",
]

Cell = str | int | float | None


@dataclass(frozen=True)
class Column:
    """One CSV column: its header name, unit and meaning."""

    name: str
    unit: str
    description: str


#: CSV column of each engine channel (:data:`hipwise.reps.measure.CHANNELS`).
CHANNEL_COLUMNS: dict[str, str] = {
    "abduction": "abduction_raw_deg",
    "foot": "foot_rotation_deg",
    "waist": "top_waist_px",
    "roll": "pelvis_roll_deg",
    "drift": "forward_drift_deg",
    "knee": "knee_deg",
    "shank_ratio": "shank_thigh_ratio",
    "foot_bottom": "bottom_foot_rotation_deg",
    "hip_gap": "hip_gap_px",
    "foot_pitch": "foot_pitch_deg",
    "hip_tilt": "hip_tilt_deg",
    "yaw": "body_yaw_deg",
    "trunk_px": "trunk_px",
}

FRAME_COLUMNS: tuple[Column, ...] = (
    Column("t_s", "s", "Timestamp of the analysed frame from the start of the video."),
    Column("detected", "0/1", "1 when the pose model found a person in this frame."),
    Column("working_leg", "left/right", "The working (top) leg, empty until known."),
    Column("set", "count", "Sets started so far (1-based index of the current set; 0 before)."),
    Column("reps", "count", "Reps counted so far in the current set."),
    Column("phase", "rest/lift/hold/lower", "The live phase (the report's phase shading uses "
           "the finished reps' fitted boundaries instead)."),
    Column("abduction_deg", "deg", "Hip abduction above the person's own rest angle "
           "(0 = leg in line with the body); empty before the rest is known."),
    Column("abduction_raw_deg", "deg", "2D trunk-leg angle before zeroing on the rest."),
    Column("foot_rotation_deg", "deg", "Foot rotation: + toes toward the ceiling, "
           "- toes toward the floor."),
    Column("top_waist_px", "px", "Top-side shoulder-hip distance in the image; it shrinks "
           "with a hip hike (side-bend = its shrinking since rest / the rest hip gap, in "
           "radians)."),
    Column("pelvis_roll_deg", "deg", "Pelvis roll away from stacked hips."),
    Column("forward_drift_deg", "deg", "Leg angle in front of the body line from the pose "
           "model's 3D landmarks (they see little of a drift; a rep's drift comes from "
           "foot_pitch_deg)."),
    Column("knee_deg", "deg", "Top knee angle in the image (180 = straight)."),
    Column("shank_thigh_ratio", "ratio", "Top shank / thigh length in the image (shrinks when "
           "the knee bends toward or away from the camera); empty if the engine does not "
           "measure it."),
    Column("bottom_foot_rotation_deg", "deg", "The bottom foot's rotation, same sign as the top "
           "foot's; it turns only when the whole body rolls."),
    Column("hip_gap_px", "px", "Distance between the two hips in the image (the body's width "
           "there)."),
    Column("foot_pitch_deg", "deg", "How far the top foot points along the leg past the ankle "
           "(+); its fall from rest is the rep's forward drift."),
    Column("hip_tilt_deg", "deg", "Tilt of the hip line (bottom to top hip) toward the head "
           "against the trunk; its growth since rest is the waist crunch seen at the pelvis."),
    Column("body_yaw_deg", "deg", "How far the body is turned toward or away from the camera "
           "(pose model's 3D landmarks; 0 = lying parallel to it)."),
    Column("trunk_px", "px", "The trunk's length in the picture (mid-shoulder to mid-hip): how "
           "large the body is; under faults.posture_min_trunk_px posture is not judged."),
)

REP_COLUMNS: tuple[Column, ...] = (
    Column("set", "count", "1-based set index (a set is one bout on one leg)."),
    Column("working_leg", "left/right", "The working leg of the set."),
    Column("rep", "count", "1-based rep index within the set."),
    Column("start_s", "s", "First motion of the lift."),
    Column("peak_s", "s", "Middle of the hold."),
    Column("end_s", "s", "Leg back at rest."),
    Column("lift_s", "s", "Lift duration (target: at least 1 s)."),
    Column("hold_s", "s", "Hold at the top (target 2 s)."),
    Column("lower_s", "s", "Lower duration (target: twice the lift)."),
    Column("lower_to_lift", "ratio", "lower_s / lift_s (target 2); empty when lift_s is 0."),
    Column("peak_abduction_deg", "deg", "Peak abduction above rest (at most 45)."),
    Column("good", "0/1", "1 when the rep has no fault."),
    Column("faults", "ids", "Fault ids separated by ';' (contract names, e.g. toes_up)."),
    Column("cue", "text", "The cue for the most important fault; empty for a good rep."),
    Column("shaking", "0/1", "1 when the leg shook at the hold (fatigue, not a fault); "
           "empty if not measured."),
    Column("foot_rotation_deg", "deg", "Foot rotation at the top relative to the pelvis."),
    Column("side_bend_change_deg", "deg", "Waist crunch grown from rest to the top (the "
           "larger of the top-side waist shortening and the hip line tilting toward the "
           "head)."),
    Column("pelvis_roll_deg", "deg", "Pelvis roll from rest to the top."),
    Column("forward_drift_deg", "deg", "Forward drift from rest to the top."),
    Column("min_knee_deg", "deg", "Top knee angle at the top."),
)


HOLD_COLUMNS: tuple[Column, ...] = (
    Column("set", "count", "1-based set index (as in reps.csv and the page)."),
    Column("working_leg", "left/right", "The working leg of the set."),
    Column("variation", "id", "isometric_hold or isometric_circles (contract names)."),
    Column("hold", "count", "1-based hold index within the set."),
    Column("start_s", "s", "The leg arrives at the top (end of the lift)."),
    Column("end_s", "s", "The leg starts down (start of the lower)."),
    Column("hold_s", "s", "Time held: end_s - start_s."),
    Column("mean_abduction_deg", "deg", "Mean abduction above rest over the hold."),
    Column("sag_deg", "deg", "Abduction lost from the first to the last second of the hold "
           "(+ = the leg sank; approximate, +-2, when circles are drawn)."),
    Column("shaking", "0/1", "1 when the leg shook during the hold (fatigue, not a fault)."),
)

CIRCLE_COLUMNS: tuple[Column, ...] = (
    Column("set", "count", "1-based set index (as in reps.csv and the page)."),
    Column("working_leg", "left/right", "The working leg of the set."),
    Column("circle", "count", "1-based circle index within the set, in time order."),
    Column("hold", "count", "1-based index of the hold the circle was drawn in (holds.csv); "
           "empty if none."),
    Column("start_s", "s", "Start of the circle."),
    Column("end_s", "s", "End of the circle."),
    Column("duration_s", "s", "end_s - start_s."),
    Column("direction", "clockwise/counterclockwise", "Sense of the circle as seen in the video "
           "image (flips with the lying side and in a mirrored video)."),
    Column("diameter_cm", "cm", "Circle diameter (target: a dinner plate, 25 cm)."),
)


def _num(x: float | None, nd: int) -> Cell:
    if x is None or not math.isfinite(x):
        return None
    return round(float(x), nd)


def frame_rows(frames: Sequence[FrameState]) -> list[list[Cell]]:
    """One row per engine frame state, columns as :data:`FRAME_COLUMNS` (channels to 3
    decimals, times 1 ms; missing values as None = empty cells)."""
    idx = [CHANNELS.index(name) if name in CHANNELS else -1 for name in CHANNEL_COLUMNS]
    rows: list[list[Cell]] = []
    for f in frames:
        ch = [_num(float(f.channels[k]), 3) if 0 <= k < len(f.channels) else None
              for k in idx]
        rows.append([
            round(f.t, 3),
            int(f.detected),
            f.side or None,
            f.set_index,
            f.rep_count,
            f.phase,
            _num(f.abduction_deg, 2),
            *ch,
        ])
    return rows


def rep_rows(analysis: Analysis) -> list[list[Cell]]:
    """One row per rep of every set, columns as :data:`REP_COLUMNS`."""
    rows: list[list[Cell]] = []
    for si, s in enumerate(analysis.sets, start=1):
        for r in s.reps:
            ratio = r.lower_s / r.lift_s if r.lift_s > 0 else None
            rows.append([
                si,
                s.working_leg,
                r.index,
                round(r.start_s, 3),
                round(r.peak_s, 3),
                round(r.end_s, 3),
                round(r.lift_s, 3),
                round(r.hold_s, 3),
                round(r.lower_s, 3),
                _num(ratio, 2),
                round(r.peak_abduction_deg, 2),
                int(r.good),
                ";".join(r.faults),
                primary_cue(r.faults) or "",
                None if r.shaking is None else int(r.shaking),
                _num(r.foot_rotation_deg, 2),
                _num(r.side_bend_change_deg, 2),
                _num(r.pelvis_roll_deg, 2),
                _num(r.forward_drift_deg, 2),
                _num(r.min_knee_deg, 2),
            ])
    return rows


def hold_rows(analysis: Analysis) -> list[list[Cell]]:
    """One row per isometric hold of every set, columns as :data:`HOLD_COLUMNS`."""
    rows: list[list[Cell]] = []
    for si, s in enumerate(analysis.sets, start=1):
        for hi, h in enumerate(s.holds or [], start=1):
            rows.append([
                si,
                s.working_leg,
                set_variation(s),
                hi,
                round(h.start_s, 3),
                round(h.end_s, 3),
                round(h.hold_s, 3),
                _num(h.mean_abduction_deg, 2),
                _num(h.sag_deg, 2),
                int(h.shaking),
            ])
    return rows


def circle_rows(analysis: Analysis) -> list[list[Cell]]:
    """One row per circle of every set, columns as :data:`CIRCLE_COLUMNS`."""
    rows: list[list[Cell]] = []
    for si, s in enumerate(analysis.sets, start=1):
        for c in s.circles or []:
            rows.append([
                si,
                s.working_leg,
                c.index,
                circle_hold(s, c),
                round(c.start_s, 3),
                round(c.end_s, 3),
                round(c.end_s - c.start_s, 3),
                c.direction,
                _num(c.diameter_cm, 1),
            ])
    return rows


def write_csv(path: Path, columns: Sequence[Column], rows: Sequence[Sequence[Cell]]) -> Path:
    """Write a header (column names) and rows as UTF-8 CSV; None becomes an empty cell."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([c.name for c in columns])
        for row in rows:
            w.writerow(["" if v is None else v for v in row])
    return path
