"""Running one uploaded video's analysis, exactly once in effect.

:func:`run_video_job` is what a worker does for a job id (on Celery, see :mod:`.tasks`, or in
the demo's in-process pool). It may run twice for one job (a worker killed mid-task, a
message redelivered): the job row and the recording's unique ``(person, "sha256:<hex>")``
fingerprint make the second run store nothing new. Saving the recording and marking the job
done is one transaction.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from sqlalchemy import exc as sa_exc
from sqlalchemy import select, update

from hipwise.analysis.video import NotAnalysableError, analyze_video
from hipwise.settings import ConfigError, load_settings
from hipwise.store.errors import StoreError
from hipwise.store.models import ClinicJob, Person, utcnow
from hipwise.store.recordings import save_analysis
from hipwise.store.store import Store
from hipwise.video.errors import VideoError

__all__ = ["InProcessQueue", "JobQueue", "run_video_job"]

log = logging.getLogger(__name__)

_PROGRESS_EVERY_S = 0.5


class JobQueue(Protocol):
    """Where the API sends a new job id."""

    def submit(self, job_id: int) -> None:
        """Queue the analysis of job ``job_id``."""


def _set_progress(store: Store, job_id: int, progress: float) -> None:
    """Record progress (0..1) of a running job; a job another run finished keeps its 1.0."""
    with store.transaction() as db:
        db.execute(update(ClinicJob)
                   .where(ClinicJob.id == job_id, ClinicJob.status == "running")
                   .values(progress=progress, updated_at=utcnow()))


def run_video_job(store: Store, job_id: int) -> str:
    """Analyse job ``job_id``'s video and save the result; returns the job's final status
    (``done``, ``failed``, or ``missing`` for an unknown id).

    Errors of the video itself (not decodable, not a leg lift) end the job as ``failed`` with
    the reason; database errors propagate so the queue retries the task.
    """
    with store.transaction() as db:
        stmt = select(ClinicJob).where(ClinicJob.id == job_id)
        if store.backend == "postgresql":
            stmt = stmt.with_for_update()
        job = db.scalars(stmt).first()
        if job is None:
            log.warning("job %d does not exist", job_id)
            return "missing"
        if job.status in ("done", "failed"):
            log.info("job %d is %s already: nothing to do", job_id, job.status)
            return job.status
        if job.video is None:
            job.status, job.message = "failed", "the video is gone"
            return "failed"
        job.status, job.progress, job.attempts = "running", 0.0, job.attempts + 1
        job.updated_at = utcnow()
        video, sha, person_id = bytes(job.video), job.sha256, job.person_id
        # the patient's conditions (a prescription writes them to the profile) change the
        # rules, as they do for `hipwise analyze --save`: a labral tear accepts a neutral foot
        owner = db.get(Person, person_id)
        conditions = tuple(owner.conditions) if owner is not None else ()
    try:
        config = load_settings(None, None, conditions).analysis
    except ConfigError as exc:
        return _fail(store, job_id, f"the patient's conditions cannot be read: {exc}")

    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if total > 0 and now - last[0] >= _PROGRESS_EVERY_S:
            last[0] = now
            try:
                _set_progress(store, job_id, min(0.99, done / total))
            except StoreError as exc:  # progress is best effort: the analysis goes on
                log.warning("job %d: progress not recorded (%s)", job_id, exc)

    with tempfile.TemporaryDirectory(prefix="hipwise-job-") as tmp:
        path = Path(tmp) / f"{sha}.video"
        path.write_bytes(video)
        del video
        try:
            result = analyze_video(path, config, progress)
        except NotAnalysableError as exc:
            return _fail(store, job_id, "cannot analyse: " + "; ".join(
                p.message for p in exc.problems))
        except VideoError as exc:
            return _fail(store, job_id, f"cannot read the video: {exc}")
    landmarks = result.run.poses
    for attempt in range(3):
        try:
            with store.transaction() as db:
                job = db.get(ClinicJob, job_id)
                person = db.get(Person, person_id)
                if job is None or person is None:
                    return "missing"
                if job.status == "done":
                    return "done"
                saved = save_analysis(db, person, result.analysis, f"sha256:{sha}",
                                      landmarks=landmarks,
                                      session_gap_s=store.config.session_gap_s)
                job.status, job.progress, job.recording_id = "done", 1.0, saved.recording_id
                job.message = "" if saved.created else "this video was analysed before"
                if not job.keep_video:
                    job.video = None
                job.updated_at = utcnow()
            log.info("job %d done: recording %d (new: %s)", job_id, saved.recording_id,
                     saved.created)
            return "done"
        except sa_exc.IntegrityError:  # another worker saved the same video at this moment
            log.info("job %d lost a save race (attempt %d); re-reading", job_id, attempt + 1)
    return _fail(store, job_id, "could not save the result")


def _fail(store: Store, job_id: int, message: str) -> str:
    with store.transaction() as db:
        job = db.get(ClinicJob, job_id)
        if job is not None:
            job.status, job.message = "failed", message
            if not job.keep_video:
                job.video = None
            job.updated_at = utcnow()
    log.info("job %d failed: %s", job_id, message)
    return "failed"


class InProcessQueue:
    """A worker pool inside the server process (``hipwise serve --demo``)."""

    def __init__(self, store: Store, workers: int = 1,
                 run: Callable[[Store, int], str] = run_video_job) -> None:
        self._store = store
        self._run = run
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hipwise-job")

    def submit(self, job_id: int) -> None:
        """Run the job on the pool."""
        def body() -> None:
            try:
                self._run(self._store, job_id)
            except Exception:
                log.exception("job %d failed", job_id)
                _fail(self._store, job_id, "internal error while analysing")

        self._pool.submit(body)

    def close(self) -> None:
        """Wait for running jobs and stop."""
        self._pool.shutdown(wait=True, cancel_futures=True)
