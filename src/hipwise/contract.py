"""The analysis result, shaped exactly like ``analysis-v1.schema.json`` (the JSON contract).

Required contract fields keep their names and meaning; hipwise adds optional fields (marked
"extra" below). Times are seconds from the start of the video, angles are degrees.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hipwise.pose.landmarks import Side

__all__ = [
    "FAULT_IDS",
    "SCHEMA_ID",
    "Analysis",
    "CircleResult",
    "FaultId",
    "HoldResult",
    "RepResult",
    "SetResult",
    "Variation",
    "VideoInfo",
    "analysis_schema",
    "analysis_schema_text",
]

SCHEMA_ID: Literal["hipwise.analysis/1"] = "hipwise.analysis/1"

FaultId = Literal[
    "too_high",
    "too_fast",
    "no_hold",
    "dropped",
    "toes_up",
    "hip_hike",
    "pelvis_roll",
    "forward_drift",
    "bent_knee",
]
FAULT_IDS: tuple[FaultId, ...] = (
    "too_high",
    "too_fast",
    "no_hold",
    "dropped",
    "toes_up",
    "hip_hike",
    "pelvis_roll",
    "forward_drift",
    "bent_knee",
)

Variation = Literal["leg_lift", "wall_slide", "clamshell", "isometric_hold", "isometric_circles"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class RepResult(_Model):
    """One repetition. ``good`` is True exactly when ``faults`` is empty."""

    index: int = Field(ge=1)
    start_s: float
    peak_s: float
    end_s: float
    peak_abduction_deg: float
    lift_s: float = Field(ge=0)
    hold_s: float = Field(ge=0)
    lower_s: float = Field(ge=0)
    faults: list[FaultId]
    good: bool
    shaking: bool | None = None
    # extras: the measurements behind the fault calls
    foot_rotation_deg: float | None = None
    side_bend_change_deg: float | None = None
    pelvis_roll_deg: float | None = None
    forward_drift_deg: float | None = None
    min_knee_deg: float | None = None
    knee_bend_change_deg: float | None = None
    shank_growth: float | None = None
    hip_tilt_change_deg: float | None = None
    peak_opening_deg: float | None = None

    @model_validator(mode="after")
    def _good_iff_no_faults(self) -> RepResult:
        if self.good != (len(self.faults) == 0):
            raise ValueError("good must be True exactly when faults is empty")
        if len(set(self.faults)) != len(self.faults):
            raise ValueError("faults must be unique")
        return self


class HoldResult(_Model):
    """One continuous isometric hold with the leg up."""

    start_s: float
    end_s: float
    hold_s: float = Field(ge=0)
    mean_abduction_deg: float
    sag_deg: float
    shaking: bool


class CircleResult(_Model):
    """One circle drawn by the foot, direction as seen in the video image."""

    index: int = Field(ge=1)
    start_s: float
    end_s: float
    direction: Literal["clockwise", "counterclockwise"]
    diameter_cm: float = Field(ge=0)


class SetResult(_Model):
    """One continuous bout on one working leg."""

    working_leg: Side
    variation: Variation | None = None
    reps: list[RepResult]
    holds: list[HoldResult] | None = None
    circles: list[CircleResult] | None = None

    @property
    def good_reps(self) -> int:
        """Number of reps without a fault."""
        return sum(1 for r in self.reps if r.good)


class VideoInfo(_Model):
    """The analysed video: duration (s), mean frame rate (frames/s), frame count."""

    duration_s: float = Field(ge=0)
    fps: float = Field(gt=0)
    frames: int = Field(ge=0)
    width: int | None = None
    height: int | None = None
    rotation_deg: int | None = None


class Analysis(_Model):
    """The whole analysis of one video (the JSON contract's root object)."""

    schema_: Literal["hipwise.analysis/1"] = Field(default=SCHEMA_ID, alias="schema")
    video: VideoInfo
    sets: list[SetResult]
    warnings: list[str] = Field(default_factory=list)
    hipwise_version: str | None = None

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    def to_json(self, indent: int | None = 2) -> str:
        """Serialise with contract field names (``schema``), omitting unset optional fields."""
        return self.model_dump_json(by_alias=True, exclude_none=True, indent=indent)


def analysis_schema_text() -> str:
    """The JSON Schema of the contract (``analysis-v1.schema.json``, shipped in the package
    under ``hipwise/data``), as the text of the file."""
    return (files("hipwise") / "data" / "analysis-v1.schema.json").read_text(encoding="utf-8")


def analysis_schema() -> dict[str, Any]:
    """The JSON Schema of the contract, parsed (what ``hipwise analyze --print-schema``
    prints); validate an :meth:`Analysis.to_json` document against it with ``jsonschema``."""
    schema: dict[str, Any] = json.loads(analysis_schema_text())
    return schema
