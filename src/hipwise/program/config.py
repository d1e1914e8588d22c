"""The programme's numbers, every one a setting with a documented default.

*(source)* marks numbers from the article (see ``DOMAIN.md``); *(default)* marks starting values
this project chose, justified in ``docs/program.md``.
"""

from __future__ import annotations

from pydantic import ValidationError

from hipwise.settings.program import ProgramConfig
from hipwise.store.errors import InvalidProfileError
from hipwise.store.records import PersonData

__all__ = ["PROGRAM_CONFIG_KEY", "ProgramConfig", "program_config_for"]

PROGRAM_CONFIG_KEY = "program_config"


def program_config_for(data: PersonData, defaults: ProgramConfig | None = None) -> ProgramConfig:
    """The person's programme settings: ``defaults`` (the settings file's ``[program]``; None:
    the built-in defaults) overridden by their ``program_config`` setting.

    Raises:
        InvalidProfileError: the stored overrides are not valid settings.
    """
    raw = data.settings.get(PROGRAM_CONFIG_KEY) or {}
    try:
        if defaults is None or not isinstance(raw, dict):
            return ProgramConfig.model_validate(raw)
        return ProgramConfig.model_validate({**defaults.model_dump(), **raw})
    except ValidationError as exc:
        raise InvalidProfileError(
            f"the programme settings of {data.person.name!r} are invalid ({exc.error_count()} "
            "problem(s)); fix them with 'hipwise profile update --set KEY=VALUE' or clear them "
            "with 'hipwise profile update --reset-settings'"
        ) from exc
