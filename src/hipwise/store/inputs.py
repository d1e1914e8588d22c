"""Validated user input for the store: profiles and self-reports (light: pydantic only)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hipwise.pose.landmarks import Side
from hipwise.store.errors import InvalidProfileError
from hipwise.store.vocab import Condition, Feeling, Goal

__all__ = ["ProfileInput", "SelfReportInput", "profile_error"]


class ProfileInput(BaseModel):
    """A person's profile as entered: name (1-80 printable characters), conditions, goals."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    conditions: tuple[Condition, ...] = ()
    goals: tuple[Goal, ...] = ()

    @field_validator("name")
    @classmethod
    def _printable(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("the name must not be blank")
        if not v.isprintable():
            raise ValueError("the name must contain printable characters only")
        return v

    @field_validator("conditions", "goals")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v))


class SelfReportInput(BaseModel):
    """What the person felt after a set (at least one feeling id), optional side and note."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    feelings: tuple[Feeling, ...] = Field(min_length=1)
    side: Side | None = None
    note: str | None = Field(default=None, max_length=2000)

    @field_validator("feelings")
    @classmethod
    def _unique(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v))


def profile_error(exc: ValidationError) -> InvalidProfileError:
    """An :class:`InvalidProfileError` listing every problem of a validation error."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "value"
        parts.append(f"{loc}: {err['msg']}")
    return InvalidProfileError("invalid profile value - " + "; ".join(parts))
