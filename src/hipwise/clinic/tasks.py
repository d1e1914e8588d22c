"""The Celery application: the video-analysis task on a Redis broker.

Start a worker (any number, on any machine that reaches the database and Redis)::

    HIPWISE_DATABASE_URL=postgresql://... HIPWISE_BROKER_URL=redis://host:6379/0 \\
        hipwise worker --concurrency 1

Delivery: messages are acknowledged after the task ends (``acks_late``) and given back when a
worker dies (``task_reject_on_worker_lost``); one message at a time per worker process. A
message not acknowledged within the broker's visibility timeout
(``HIPWISE_BROKER_VISIBILITY_TIMEOUT_S``, default 3600 s; must exceed the longest analysis) is
delivered again, by the next scan for such messages: every tenth of the timeout, at most
every 10 s (kombu's default scans every 100 s, so a killed worker's job waited up to 100 s
more). :func:`hipwise.clinic.jobs.run_video_job` makes a second run harmless.
"""

from __future__ import annotations

import functools
import logging

from celery import Celery

from hipwise.clinic.config import ClinicConfig, broker_url, broker_visibility_timeout_s
from hipwise.clinic.jobs import run_video_job
from hipwise.store.errors import DatabaseLockedError, DatabaseUnavailableError
from hipwise.store.store import Store

__all__ = ["TASK_NAME", "CeleryQueue", "app", "make_app"]

log = logging.getLogger(__name__)

TASK_NAME = "hipwise.clinic.analyze_video"


def make_app(broker: str | None = None) -> Celery:
    """A Celery app for the hipwise queue (broker: ``$HIPWISE_BROKER_URL`` or local Redis).
    Raises :class:`~hipwise.clinic.config.ClinicConfigError` on a bad clinic setting."""
    cfg = ClinicConfig.from_env()
    celery = Celery("hipwise", broker=broker or broker_url())
    celery.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_time_limit=cfg.task_time_limit_s,
        broker_connection_retry_on_startup=True,
        broker_transport_options=_transport_options(broker_visibility_timeout_s()),
        worker_hijack_root_logger=False,
    )
    return celery


def _transport_options(visibility_s: int) -> dict[str, int]:
    """The Redis transport's options: the visibility timeout (s) and how often (s) a worker
    looks for messages unacknowledged past it: a tenth of it, between 1 and 10 s, every time
    (``unacked_restore_throttle`` 1; kombu looks every tenth time by default)."""
    return {
        "visibility_timeout": visibility_s,
        "unacked_restore_interval": max(1, min(10, visibility_s // 10)),
        "unacked_restore_throttle": 1,
    }


app = make_app()


@functools.cache
def _store() -> Store:
    """The worker process's store (``$HIPWISE_DATABASE_URL``), opened on first use."""
    return Store.open()


@app.task(name=TASK_NAME, autoretry_for=(DatabaseUnavailableError, DatabaseLockedError),
          retry_backoff=2, retry_backoff_max=60, max_retries=20)  # type: ignore[untyped-decorator]
def analyze_video_task(job_id: int) -> str:
    """Analyse the video of job ``job_id`` (see :func:`~hipwise.clinic.jobs.run_video_job`)."""
    return run_video_job(_store(), job_id)


class CeleryQueue:
    """Sends job ids to the Celery workers."""

    def __init__(self, celery: Celery | None = None) -> None:
        self._app = celery or app

    def submit(self, job_id: int) -> None:
        """Queue the analysis of job ``job_id``."""
        self._app.send_task(TASK_NAME, args=[job_id])
