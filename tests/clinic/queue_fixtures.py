"""Real Redis and real Celery workers for the queue tests (no mocks).

Redis comes from ``$HIPWISE_TEST_REDIS_URL`` or is started here with scripts/start_redis.sh
(Debian's redis-server); the tests skip with the reason when neither works. Workers are
``hipwise worker`` subprocesses (solo pool, one task at a time) with their own environment.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_ENV = "HIPWISE_TEST_REDIS_URL"


def _start_redis() -> str:
    env = os.environ.get(REDIS_ENV)
    if env:
        return env
    try:
        out = subprocess.run(["bash", str(ROOT / "scripts" / "start_redis.sh")], check=True,
                             capture_output=True, text=True, timeout=300)
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"Redis could not be started with scripts/start_redis.sh: {exc}")
    return out.stdout.strip()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis URL (database 5, flushed per test by ``broker``)."""
    base = _start_redis()
    import redis

    try:
        redis.Redis.from_url(base).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis at {base} does not answer: {exc}")
    return base.rsplit("/", 1)[0] + "/5"


@pytest.fixture
def broker(redis_url: str) -> str:
    """The broker URL, with an empty database."""
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    return redis_url


class Worker:
    """A ``hipwise worker`` subprocess."""

    def __init__(self, name: str, db_url: str, broker_url: str, log_dir: Path,
                 visibility_s: int) -> None:
        env = {**os.environ, "HIPWISE_DATABASE_URL": db_url, "HIPWISE_BROKER_URL": broker_url,
               "HIPWISE_BROKER_VISIBILITY_TIMEOUT_S": str(visibility_s),
               "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
        self.log = log_dir / f"{name}.log"
        self._fh = self.log.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hipwise.cli", "worker", "--pool", "solo",
             "--hostname", f"{name}@%h"],
            env=env, stdout=self._fh, stderr=subprocess.STDOUT, cwd=ROOT,
            start_new_session=True,
        )

    def wait_ready(self, timeout_s: float = 120.0) -> None:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if b"ready." in self.log.read_bytes():
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        raise AssertionError(f"worker not ready:\n{self.log.read_text()[-3000:]}")

    def kill9(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        self._fh.close()


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Start workers with ``workers(name, db_url, broker_url, visibility_s=...)``; all are
    stopped at the end."""
    started: list[Worker] = []

    def start(name: str, db_url: str, broker_url: str, visibility_s: int = 3600) -> Worker:
        w = Worker(name, db_url, broker_url, tmp_path, visibility_s)
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop()


def wait_for(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll ``check`` every 0.2 s until it is true or fail after ``timeout_s``."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
