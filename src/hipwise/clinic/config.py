"""Clinic server settings: one frozen, validated layer (environment ``HIPWISE_CLINIC_*``)."""

from __future__ import annotations

import os

from pydantic import Field, ValidationError

from hipwise.settings_base import FrozenSettings

__all__ = [
    "BROKER_URL_ENV",
    "VISIBILITY_ENV",
    "ClinicConfig",
    "ClinicConfigError",
    "broker_url",
    "broker_visibility_timeout_s",
]

BROKER_URL_ENV = "HIPWISE_BROKER_URL"
VISIBILITY_ENV = "HIPWISE_BROKER_VISIBILITY_TIMEOUT_S"
_PREFIX = "HIPWISE_CLINIC_"


class ClinicConfigError(ValueError):
    """A bad clinic setting (unknown key or out of range)."""


class ClinicConfig(FrozenSettings):
    """Settings of ``hipwise serve`` and its workers.

    Attributes:
        token_ttl_s: lifetime of a login token (seconds, 60 s to 30 days; default 8 h, one
            working day).
        max_video_bytes: largest accepted video upload (bytes, 1 kB to 2 GB; default 200 MB,
            about 2 minutes of 1080p phone video).
        max_video_s: longest accepted video (seconds, 1 s to 30 min; default 5 min: a set of
            leg lifts lasts 1-3 min).
        max_analysis_bytes: largest accepted analysis upload, JSON with landmarks (bytes,
            1 kB to 200 MB; default 20 MB: a 3-minute set's landmarks are about 2 MB).
        sessions_per_week: prescribed training days per week that missed-session flags use
            when a patient has no prescription (1-14; default 3).
        flag_window_days: how far back flags look (days, 7-90; default 14).
        good_share_drop: a fall of the good-rep share by at least this fraction between the
            older and the newer half of the window flags the patient (0.01-1; default 0.15).
        task_time_limit_s: hard limit of one video analysis on a worker (seconds, 10 s to
            2 h; default 15 min).
    """

    token_ttl_s: int = Field(default=8 * 3600, ge=60, le=30 * 86400)
    max_video_bytes: int = Field(default=200 * 1024 * 1024, ge=1024, le=2 * 1024**3)
    max_video_s: float = Field(default=300.0, ge=1.0, le=1800.0)
    max_analysis_bytes: int = Field(default=20 * 1024 * 1024, ge=1024, le=200 * 1024 * 1024)
    sessions_per_week: int = Field(default=3, ge=1, le=14)
    flag_window_days: int = Field(default=14, ge=7, le=90)
    good_share_drop: float = Field(default=0.15, ge=0.01, le=1.0)
    task_time_limit_s: int = Field(default=900, ge=10, le=7200)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ClinicConfig:
        """Read ``HIPWISE_CLINIC_<FIELD>`` variables (e.g. ``HIPWISE_CLINIC_TOKEN_TTL_S``).

        Raises:
            ClinicConfigError: an unknown ``HIPWISE_CLINIC_*`` variable or a bad value.
        """
        env = os.environ if environ is None else environ
        values = {k[len(_PREFIX):].lower(): v for k, v in env.items() if k.startswith(_PREFIX)}
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = _PREFIX + ".".join(str(p) for p in first["loc"]).upper()
            raise ClinicConfigError(f"{where}: {first['msg']}") from exc


def broker_url() -> str:
    """The Celery broker: ``$HIPWISE_BROKER_URL`` or Redis on localhost (database 0)."""
    return os.environ.get(BROKER_URL_ENV) or "redis://127.0.0.1:6379/0"


def broker_visibility_timeout_s() -> int:
    """Seconds a job may stay unacknowledged before the broker delivers it again:
    ``$HIPWISE_BROKER_VISIBILITY_TIMEOUT_S`` (a whole number, at least 1; default 3600).

    Raises:
        ClinicConfigError: the variable is not a whole number of seconds, or under 1.
    """
    raw = os.environ.get(VISIBILITY_ENV, "3600")
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ClinicConfigError(
            f"{VISIBILITY_ENV}: {raw!r} is not a whole number of seconds of at least 1 (it "
            "must exceed the longest analysis; default 3600)"
        )
    return value
