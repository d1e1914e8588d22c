"""The base of every settings and scenario model: frozen, and unknown keys are errors."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["FrozenSettings"]


class FrozenSettings(BaseModel):
    """A frozen pydantic model that rejects unknown keys (typos in a config file fail loudly).
    A field documents itself with ``Field(description=...)`` or a docstring right below it."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)
