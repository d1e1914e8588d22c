"""The video queue on real Redis and real Celery workers: a worker killed with SIGKILL in the
middle of a task, duplicate uploads and duplicate deliveries all end with exactly one stored
result. Runs on PostgreSQL when ``HIPWISE_TEST_POSTGRES_URL`` is set, else SQLite."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select

from hipwise.clinic.tasks import TASK_NAME, CeleryQueue, make_app
from hipwise.store.models import ClinicJob, Recording
from tests.clinic.conftest import CLIPS, Clinic, make_clinic
from tests.clinic.queue_fixtures import Worker, broker, redis_url, wait_for, workers
from tests.store.conftest import PG_ENV

__all__ = ["broker", "redis_url", "workers"]  # the fixtures

pytestmark = pytest.mark.slow
CLIP = CLIPS / "lift_right_tempo.mp4"  # 19.7 s, 3 reps: about 15 s of analysis here


@pytest.fixture
def queue_db(tmp_path: object) -> Iterator[str]:
    """PostgreSQL (a fresh schema) when configured, else a SQLite file."""
    base = os.environ.get(PG_ENV)
    if not base:
        from pathlib import Path

        yield f"sqlite:///{Path(str(tmp_path)) / 'queue.db'}"
        return
    import uuid

    import sqlalchemy as sa

    schema = f"q_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    url = sa.engine.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _celery_clinic(db_url: str, broker_url: str) -> Clinic:
    c = make_clinic(db_url)
    celery = make_app(broker_url)
    c.queue = CeleryQueue(celery)  # type: ignore[assignment]
    from fastapi.testclient import TestClient

    from hipwise.clinic.app import create_app
    from hipwise.clinic.config import ClinicConfig

    c.client = TestClient(create_app(c.store, ClinicConfig(), CeleryQueue(celery)),
                          raise_server_exceptions=False)
    c.celery = celery  # type: ignore[attr-defined]
    return c


def _job(c: Clinic, job_id: int) -> ClinicJob:
    """The job row as it is now (detached, every column loaded)."""
    with c.store.read() as db:
        job = db.get(ClinicJob, job_id)
        assert job is not None
        db.expunge(job)
        return job


def _recordings(c: Clinic, sha: str) -> int:
    with c.store.read() as db:
        return int(db.scalar(select(func.count()).select_from(Recording)
                             .where(Recording.fingerprint == f"sha256:{sha}")) or 0)


def _upload(c: Clinic, keep: bool = False) -> dict[str, object]:
    r = c.client.post(f"/api/patients/{c.people['p1']}/videos?filename=set.mp4"
                      f"&keep_video={str(keep).lower()}",
                      content=CLIP.read_bytes(), headers=c.auth("p1"))
    assert r.status_code == 202, r.text
    out: dict[str, object] = r.json()
    return out


def test_a_worker_killed_mid_task_completes_the_job_exactly_once(
    queue_db: str, broker: str, workers: Callable[..., Worker]
) -> None:
    c = _celery_clinic(queue_db, broker)
    sha = hashlib.sha256(CLIP.read_bytes()).hexdigest()
    first = workers("first", queue_db, broker, visibility_s=10)
    first.wait_ready()
    job = _upload(c)
    job_id = int(str(job["id"]))
    progress: list[float] = []

    def running() -> bool:
        j = _job(c, job_id)
        progress.append(j.progress)
        return j.status == "running" and j.progress >= 0.2

    wait_for(running, 180, "the first worker to be a fifth through the video")
    first.kill9()
    assert _job(c, job_id).status == "running" and _recordings(c, sha) == 0
    # the patient sees the progress while it runs
    r = c.client.get(f"/api/jobs/{job_id}", headers=c.auth("p1")).json()
    assert r["status"] == "running" and 0.2 <= r["progress"] < 1
    second = workers("second", queue_db, broker, visibility_s=10)
    second.wait_ready()
    wait_for(lambda: _job(c, job_id).status == "done", 300,
             "the redelivered task to finish on the second worker")
    done = _job(c, job_id)
    assert done.attempts == 2 and done.recording_id is not None
    assert done.video is None  # deleted after the analysis (no consent to keep it)
    assert _recordings(c, sha) == 1
    assert c.store.schema.counts()["recordings"] == 3  # p1's and p2's fixtures + this one
    analysis = c.store.analyses.load(done.recording_id)
    assert sum(len(s.reps) for s in analysis.sets) >= 1
    assert c.store.analyses.landmarks(done.recording_id) is not None
    assert b"analyze_video" in second.log.read_bytes()


def test_duplicate_uploads_and_deliveries_store_one_session(
    queue_db: str, broker: str, workers: Callable[..., Worker]
) -> None:
    c = _celery_clinic(queue_db, broker)
    sha = hashlib.sha256(CLIP.read_bytes()).hexdigest()
    a = workers("a", queue_db, broker)
    b = workers("b", queue_db, broker)
    a.wait_ready()
    b.wait_ready()
    one, two = _upload(c, keep=True), _upload(c, keep=True)
    assert one["id"] == two["id"]  # the same video is one job
    job_id = int(str(one["id"]))
    # the message delivered twice more, at once, to two workers
    c.celery.send_task(TASK_NAME, args=[job_id])  # type: ignore[attr-defined]
    c.celery.send_task(TASK_NAME, args=[job_id])  # type: ignore[attr-defined]
    wait_for(lambda: _job(c, job_id).status == "done", 300, "the job to finish")
    wait_for(lambda: b"succeeded" in a.log.read_bytes() + b.log.read_bytes(), 60,
             "the workers to log the tasks")
    import time

    time.sleep(3)  # let the duplicate deliveries run to their end
    done = _job(c, job_id)
    assert _recordings(c, sha) == 1
    with c.store.read() as db:
        sessions = db.scalar(select(func.count(Recording.session_id.distinct()))
                             .where(Recording.person_id == c.people["p1"]))
    assert sessions == 2  # the fixture's session and this one
    assert done.video is not None  # the patient agreed to keep it
    r = c.client.get(f"/api/jobs/{job_id}", headers=c.auth("t1")).json()
    assert r["status"] == "done" and r["video_kept"] is True and r["progress"] == 1.0


def _service(script: str, env: dict[str, str], *args: str) -> str:
    from tests.clinic.queue_fixtures import ROOT

    out = subprocess.run(["bash", str(ROOT / "scripts" / script), *args], check=True,
                         capture_output=True, text=True, timeout=300, env={**os.environ, **env})
    return out.stdout.strip()


def _pg_stop(pgdata: str) -> None:
    import glob

    (pg_ctl,) = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1:]
    cmd = [pg_ctl, "-D", pgdata, "-m", "fast", "stop"]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def test_restarting_redis_then_postgresql_mid_run_loses_and_duplicates_nothing(
    workers: Callable[..., Worker],
) -> None:
    """Dedicated Redis and PostgreSQL (started with the project's scripts on free ports) are
    restarted while a worker analyses two uploaded videos; both end done, each stored once."""
    import subprocess
    import uuid

    from hipwise.store.errors import StoreError
    from hipwise.web.harness import free_port

    tag = uuid.uuid4().hex[:8]
    redis_env = {"REDIS_PORT": str(free_port()), "REDIS_DIR": f"/tmp/hipwise-redis-{tag}"}
    pg_env = {"PGPORT": str(free_port()), "PGDATA": f"/tmp/hipwise-pg-{tag}"}
    try:
        try:
            broker_url = _service("start_redis.sh", redis_env)
            db_url = _service("start_postgres.sh", pg_env)
        except (subprocess.SubprocessError, OSError) as exc:
            pytest.skip(f"a dedicated Redis/PostgreSQL could not be started: {exc}")
        c = _celery_clinic(db_url, broker_url)
        clips = [CLIPS / "lift_right_tempo.mp4", CLIPS / "lift_left_toes_up.mp4"]
        shas = [hashlib.sha256(p.read_bytes()).hexdigest() for p in clips]
        w = workers("restarts", db_url, broker_url, visibility_s=15)
        w.wait_ready()
        ids = []
        for clip in clips:
            r = c.client.post(f"/api/patients/{c.people['p1']}/videos?filename=s.mp4",
                              content=clip.read_bytes(), headers=c.auth("p1"))
            assert r.status_code == 202, r.text
            ids.append(int(r.json()["id"]))

        def status(job_id: int) -> str:
            try:
                j = _job(c, job_id)
            except StoreError:
                return "unknown"
            return j.status if j.status != "running" or j.progress >= 0.1 else "starting"

        wait_for(lambda: status(ids[0]) == "running", 240, "the first job to run")
        subprocess.run(["redis-cli", "-p", redis_env["REDIS_PORT"], "shutdown", "nosave"],
                       capture_output=True, timeout=60)
        _service("start_redis.sh", redis_env)  # restarted, with its append-only file
        wait_for(lambda: "running" in (status(ids[0]), status(ids[1])), 300,
                 "a job to run after the Redis restart")
        _pg_stop(pg_env["PGDATA"])
        _service("start_postgres.sh", pg_env)  # restarted, same data directory
        wait_for(lambda: all(status(i) in ("done", "failed") for i in ids), 600,
                 "both jobs to finish after the restarts")
        for job_id, sha in zip(ids, shas, strict=True):
            assert _job(c, job_id).status == "done", w.log.read_text()[-2000:]
            assert _recordings(c, sha) == 1
        assert c.store.schema.counts()["recordings"] == 4  # 2 fixture recordings + the 2 videos
        c.store.close()
    finally:
        subprocess.run(["bash", "scripts/start_redis.sh", "--stop"], capture_output=True,
                       env={**os.environ, **redis_env}, timeout=120,
                       cwd=str(CLIPS.parents[2]))
        subprocess.run(["bash", "scripts/start_postgres.sh", "--stop"], capture_output=True,
                       env={**os.environ, **pg_env}, timeout=120, cwd=str(CLIPS.parents[2]))


@pytest.mark.parametrize(("visibility_s", "scan_s"), [(10, 1), (120, 10), (3600, 10)])
def test_unacknowledged_messages_are_looked_for_every_tenth_of_the_timeout(
    visibility_s: int, scan_s: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # kombu's default looks every 10th tick of 10 s: a killed worker's job waited 100 s more
    monkeypatch.setenv("HIPWISE_BROKER_VISIBILITY_TIMEOUT_S", str(visibility_s))
    opts = make_app("redis://localhost:1/0").conf.broker_transport_options
    assert opts["visibility_timeout"] == visibility_s
    assert opts["unacked_restore_interval"] == scan_s
    assert opts["unacked_restore_throttle"] == 1


@pytest.mark.parametrize("value", ["abc", "0", "-5", "1.5"])
def test_a_bad_visibility_timeout_stops_the_worker_with_the_reason(value: str) -> None:
    env = {**os.environ, "HIPWISE_BROKER_VISIBILITY_TIMEOUT_S": value}
    r = subprocess.run([sys.executable, "-m", "hipwise.cli", "worker", "--pool", "solo"],
                       env=env, capture_output=True, text=True, timeout=120,
                       cwd=str(CLIPS.parents[2]))
    assert r.returncode == 2, r.stderr
    assert "HIPWISE_BROKER_VISIBILITY_TIMEOUT_S" in r.stderr and repr(value) in r.stderr
    assert "Traceback" not in r.stderr
