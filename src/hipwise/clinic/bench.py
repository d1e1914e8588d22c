"""Clinic measurements (not tests; figures for docs/clinic.md).

    python -m hipwise.clinic.bench fhir --db URL --patients 1000 --sessions 50
    python -m hipwise.clinic.bench queue --db URL --broker redis://... --workers 1 --clips A.mp4 ...

``fhir`` seeds the database (once) with synthetic patients (10 reps a session, no landmarks)
and times the bulk NDJSON export in this process (peak resident memory from ``getrusage``);
``--passes`` exports each patient several times. ``queue`` starts N ``hipwise
worker`` processes, uploads every clip for two patients through the real app and queue, and
times the wall clock from the first upload to the last finished job. Both print one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
from sqlalchemy import func, select

from hipwise.clinic.app import create_app
from hipwise.clinic.auth import hash_password
from hipwise.clinic.config import ClinicConfig
from hipwise.clinic.demo import synthetic_analysis
from hipwise.clinic.fhir import ndjson_lines
from hipwise.clinic.service import create_user
from hipwise.clinic.tasks import CeleryQueue, make_app
from hipwise.store.models import ClinicJob, ClinicUser, Person
from hipwise.store.recordings import save_analysis
from hipwise.store.store import Store

__all__ = ["main"]


def _seed(store: Store, patients: int, sessions: int) -> None:
    with store.read() as db:
        have = int(db.scalar(select(func.count()).select_from(ClinicUser)
                             .where(ClinicUser.role == "patient")) or 0)
    if have >= patients:
        return
    rng = random.Random(1)
    pw = hash_password("bench-password")
    now = datetime.now(UTC)
    with store.transaction() as db:
        if have == 0:
            db.add(ClinicUser(username="bench-admin", password_hash=pw, role="admin"))
    for i in range(have, patients):
        with store.transaction() as db:
            person = Person(name=f"bench-{i:06d}", conditions=[], goals=[])
            db.add(person)
            db.flush()
            db.add(ClinicUser(username=person.name, password_hash=pw, role="patient",
                              person_id=person.id))
            for k in range(sessions):
                a = synthetic_analysis(rng, 10, rng.uniform(0.5, 1.0))
                save_analysis(db, person, a, f"bench:{i}:{k}",
                              recorded_at=now - timedelta(days=2.3 * (sessions - k)))
        if (i + 1) % 100 == 0:
            print(f"seeded {i + 1}/{patients}", file=sys.stderr)


def _fhir(args: argparse.Namespace) -> dict[str, object]:
    with Store.open(args.db) as store:
        t = time.perf_counter()
        _seed(store, args.patients, args.sessions)
        seed_s = time.perf_counter() - t
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        with store.read() as db:
            names = list(db.scalars(select(ClinicUser.username).where(
                ClinicUser.role == "patient").order_by(ClinicUser.id).limit(args.patients)))
        t = time.perf_counter()
        cpu = time.process_time()
        n_lines = n_bytes = 0
        with open(os.devnull, "w", encoding="utf-8") as out:
            for name in names * args.passes:
                for line in ndjson_lines(store.programme.person_data(name)):
                    out.write(line)
                    n_lines += 1
                    n_bytes += len(line)
        export_s = time.perf_counter() - t
        cpu_s = time.process_time() - cpu
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"bench": "fhir", "patients": len(names), "passes": args.passes,
            "patient_exports": len(names) * args.passes, "sessions": args.sessions,
            "resources": n_lines, "mbytes": round(n_bytes / 1e6, 1),
            "export_s": round(export_s, 1), "export_cpu_s": round(cpu_s, 1),
            "resources_per_cpu_s": round(n_lines / cpu_s),
            "peak_rss_mb_before": round(rss0 / 1024), "peak_rss_mb_after": round(rss1 / 1024),
            "seed_s": round(seed_s, 1)}


def _queue(args: argparse.Namespace) -> dict[str, object]:
    # optional: the test client needs httpx, a dev dependency
    from fastapi.testclient import TestClient

    store = Store.open(args.db)
    with store.transaction() as db:
        create_user(db, "bench-t", "bench-password", "therapist")
        for name in ("bench-p1", "bench-p2"):
            create_user(db, name, "bench-password", "patient", therapist="bench-t")
    client = TestClient(create_app(store, ClinicConfig(), CeleryQueue(make_app(args.broker))))
    env = {**os.environ, "HIPWISE_DATABASE_URL": args.db, "HIPWISE_BROKER_URL": args.broker}
    logs = Path(args.log_dir)
    logs.mkdir(parents=True, exist_ok=True)
    procs = []
    for w in range(args.workers):
        fh = (logs / f"worker{w}.log").open("wb")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "hipwise.cli", "worker", "--pool", "solo",
             "--hostname", f"bench{w}@%h"], env=env, stdout=fh, stderr=subprocess.STDOUT,
            start_new_session=True))
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not all(
                b"ready." in (logs / f"worker{w}.log").read_bytes()
                for w in range(args.workers)):
            time.sleep(0.2)
        ids = []
        t0 = time.perf_counter()
        for name in ("bench-p1", "bench-p2"):
            tok = client.post("/api/auth/login", json={"username": name,
                                                       "password": "bench-password"}).json()
            me = client.get("/api/me", headers={"Authorization": f"Bearer {tok['token']}"})
            pid = me.json()["person_id"]
            for clip in args.clips:
                r = client.post(f"/api/patients/{pid}/videos?filename=c.mp4",
                                content=Path(clip).read_bytes(),
                                headers={"Authorization": f"Bearer {tok['token']}"})
                r.raise_for_status()
                ids.append(r.json()["id"])
        while True:
            with store.read() as db:
                done = int(db.scalar(select(func.count()).select_from(ClinicJob).where(
                    ClinicJob.id.in_(ids), ClinicJob.status.in_(("done", "failed")))) or 0)
            if done == len(ids):
                break
            time.sleep(0.5)
        wall = time.perf_counter() - t0
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(60)
        store.close()

    video_s = 2 * sum(av.open(c).duration / 1e6 for c in args.clips)
    return {"bench": "queue", "workers": args.workers, "clips": len(ids),
            "video_s": round(video_s, 1), "wall_s": round(wall, 1),
            "clips_per_min": round(60 * len(ids) / wall, 2),
            "s_per_clip": round(wall / len(ids), 1),
            "video_s_per_wall_s": round(video_s / wall, 2), "cpus": os.cpu_count()}


def main(argv: list[str] | None = None) -> int:
    """Run one measurement and print its JSON line."""
    p = argparse.ArgumentParser(prog="python -m hipwise.clinic.bench")
    sub = p.add_subparsers(dest="what", required=True)
    f = sub.add_parser("fhir")
    f.add_argument("--db", required=True)
    f.add_argument("--patients", type=int, default=1000)
    f.add_argument("--sessions", type=int, default=50)
    f.add_argument("--passes", type=int, default=1,
                   help="export every patient this many times (a large export from a "
                   "smaller seeded database)")
    q = sub.add_parser("queue")
    q.add_argument("--db", required=True)
    q.add_argument("--broker", required=True)
    q.add_argument("--workers", type=int, default=1)
    q.add_argument("--clips", nargs="+", required=True)
    q.add_argument("--log-dir", default="/tmp/hipwise-bench-logs")
    args = p.parse_args(argv)
    out = _fhir(args) if args.what == "fhir" else _queue(args)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
