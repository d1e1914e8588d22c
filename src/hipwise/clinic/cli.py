"""Clinic commands: ``hipwise serve``, ``worker``, ``adduser`` (server side) and ``login``,
``upload``, ``sync`` (the patient's side)."""

from __future__ import annotations

import argparse
import base64
import getpass
import json
import logging
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hipwise.cli import EXIT_BAD_INPUT, EXIT_NOT_ANALYSABLE, EXIT_OK, EXIT_USAGE
from hipwise.settings import AnalysisConfig
from hipwise.store.config import default_data_dir, sqlite_url
from hipwise.store.errors import StoreError

__all__ = ["register"]

log = logging.getLogger(__name__)

PASSWORD_ENV = "HIPWISE_PASSWORD"

_SERVE_EPILOG = """\
examples:
  hipwise serve --demo                  everything on this machine: SQLite, an in-process
                                        worker and demo patients; open http://127.0.0.1:8000
                                        (therapist / demo-password)
  HIPWISE_DATABASE_URL=postgresql://hipwise@db/hipwise HIPWISE_BROKER_URL=redis://q:6379/0 \\
      hipwise serve --host 0.0.0.0      the real deployment (workers: 'hipwise worker')
settings: HIPWISE_CLINIC_TOKEN_TTL_S, HIPWISE_CLINIC_MAX_VIDEO_BYTES, HIPWISE_CLINIC_MAX_VIDEO_S,
... (see docs/clinic.md). exit codes: 0 stopped, 2 bad settings, 3 database unavailable.
"""


def register(sub: Any) -> None:
    """Add the clinic subcommands."""
    p = sub.add_parser(
        "serve", help="the clinic server: accounts, uploads, therapist dashboard, FHIR",
        description="Serve the clinic API (OpenAPI at /docs) and the therapists' dashboard.",
        epilog=_SERVE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--db", metavar="URL", help="database URL (default $HIPWISE_DATABASE_URL)")
    p.add_argument("--demo", action="store_true",
                   help="one machine, no setup: SQLite, in-process worker, demo patients")
    p.add_argument("--workers", type=int, default=1,
                   help="in-process analysis workers with --demo (default 1)")
    p.set_defaults(func=_serve)

    w = sub.add_parser(
        "worker", help="a video-analysis worker of the clinic queue (Celery on Redis)",
        description="Run a Celery worker for uploaded videos. Reads HIPWISE_DATABASE_URL and "
        "HIPWISE_BROKER_URL; start as many as you like, on any machines.")
    w.add_argument("--concurrency", "-c", type=int, default=1,
                   help="parallel analyses in this worker (default 1; one per core)")
    w.add_argument("--pool", choices=("prefork", "solo"), default="prefork")
    w.add_argument("--hostname", default=None, help="worker name (default: celery's)")
    w.set_defaults(func=_worker)

    a = sub.add_parser(
        "adduser", help="create a clinic account (server side)",
        description=f"Create a clinic account in the server's database. The password comes "
        f"from ${PASSWORD_ENV} or is asked for.")
    a.add_argument("username")
    a.add_argument("--role", choices=("patient", "therapist", "admin"), required=True)
    a.add_argument("--therapist", help="the patient's therapist (username)")
    a.add_argument("--db", metavar="URL", help="database URL")
    a.set_defaults(func=_adduser)

    lg = sub.add_parser("login", help="log in to your clinic's hipwise server",
                        description=f"Log in and keep the token for 'hipwise upload' and "
                        f"'hipwise sync'. The password comes from ${PASSWORD_ENV} or is asked.")
    lg.add_argument("--server", required=True, help="e.g. https://clinic.example.org")
    lg.add_argument("--user", required=True)
    lg.set_defaults(func=_login)

    u = sub.add_parser(
        "upload", help="send a set to your therapist (the analysis; the video stays here)",
        description="Send a set to your clinic. FILE is the JSON of 'hipwise analyze --json' "
        "or a video: a video is analysed here and only the analysis and landmarks are sent, "
        "unless --send-video (then the server analyses it and deletes it afterwards, unless "
        "--keep-video).",
        epilog="exit codes: 0 sent, 2 not logged in, 3 refused by the server or unreachable, "
        "4 the video cannot be analysed.")
    u.add_argument("file", type=Path)
    u.add_argument("--send-video", action="store_true", help="upload the video itself")
    u.add_argument("--keep-video", action="store_true",
                   help="with --send-video: I agree that the clinic keeps the video")
    u.set_defaults(func=_upload)

    s = sub.add_parser("sync", help="fetch your therapist's prescription for 'hipwise today'",
                       description="Download the prescription your therapist set and store it "
                       "in your local profile; 'hipwise today' then follows it.")
    s.add_argument("--db", metavar="URL", help="local database URL")
    s.add_argument("--person", "-p", help="local profile (default: the default profile)")
    s.set_defaults(func=_sync)


def _serve(args: argparse.Namespace) -> int:
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    import uvicorn

    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.clinic.app import create_app
    from hipwise.clinic.config import ClinicConfig, ClinicConfigError
    from hipwise.clinic.jobs import InProcessQueue, JobQueue
    from hipwise.store.store import Store

    try:
        config = ClinicConfig.from_env()
    except ClinicConfigError as exc:
        print(f"hipwise: {exc}", file=sys.stderr)
        return EXIT_USAGE
    url = args.db
    if args.demo and url is None:
        url = sqlite_url(default_data_dir() / "clinic-demo.db")
    try:
        store = Store.open(url)
    except StoreError as exc:
        print(f"hipwise: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    queue: JobQueue
    if args.demo:

        # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
        from hipwise.clinic.demo import DEMO_PASSWORD, load_demo

        load_demo(store, now=datetime.now(UTC))
        queue = InProcessQueue(store, workers=max(1, args.workers))
        print(f"hipwise clinic demo: http://{args.host}:{args.port}/dashboard "
              f"(therapist / {DEMO_PASSWORD}); API docs at /docs; database {store.url}",
              file=sys.stderr)
    else:
        try:
            # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
            from hipwise.clinic.tasks import CeleryQueue
        except ClinicConfigError as exc:  # the queue's settings are read as the app is made
            print(f"hipwise: {exc}", file=sys.stderr)
            store.close()
            return EXIT_USAGE
        queue = CeleryQueue()
    app = create_app(store, config, queue)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    finally:
        if isinstance(queue, InProcessQueue):
            queue.close()
        store.close()
    return EXIT_OK


def _worker(args: argparse.Namespace) -> int:
    from hipwise.clinic.config import ClinicConfigError

    try:
        # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
        from hipwise.clinic.tasks import app
    except ClinicConfigError as exc:  # the queue's settings are read as the app is made
        print(f"hipwise: {exc}", file=sys.stderr)
        return EXIT_USAGE

    argv = ["worker", "--loglevel", "INFO", "--concurrency", str(args.concurrency),
            "--pool", args.pool, "--without-gossip", "--without-mingle"]
    if args.hostname:
        argv += ["--hostname", args.hostname]
    app.worker_main(argv)
    return 0


def _password(prompt: str) -> str:
    return os.environ.get(PASSWORD_ENV) or getpass.getpass(prompt)


def _adduser(args: argparse.Namespace) -> int:
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.clinic.service import ClinicError, create_user
    from hipwise.store.store import Store

    try:
        with Store.open(args.db) as store, store.transaction() as db:
            user = create_user(db, args.username, _password("password: "), args.role,
                               therapist=args.therapist)
            print(f"created {user.role} {user.username!r}")
    except ClinicError as exc:
        print(f"hipwise: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(f"hipwise: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


def _login(args: argparse.Namespace) -> int:
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.clinic.client import ClientError, Login, call, save_login

    body = json.dumps({"username": args.user, "password": _password("password: ")}).encode()
    try:
        tok = call(args.server, "POST", "/api/auth/login", body=body)
        me = call(args.server, "GET", "/api/me", token=tok["token"])
    except ClientError as exc:
        print(f"hipwise: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    path = save_login(Login(args.server, tok["token"], me["username"], me["person_id"]))
    print(f"logged in as {me['username']} ({me['role']}); token kept in {path}")
    return EXIT_OK


def _need_login() -> Any:
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.clinic.client import load_login

    login = load_login()
    if login is None or login.person_id is None:
        print("hipwise: log in first as a patient: hipwise login --server URL --user NAME",
              file=sys.stderr)
    return login


def _upload(args: argparse.Namespace) -> int:
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.clinic.client import ClientError, call

    login = _need_login()
    if login is None or login.person_id is None:
        return EXIT_USAGE
    if not args.file.is_file():
        print(f"hipwise: no file {args.file}", file=sys.stderr)
        return EXIT_BAD_INPUT
    pid = login.person_id
    try:
        if args.send_video:
            q = f"?filename={quote(args.file.name)}&keep_video={str(args.keep_video).lower()}"
            job = call(login.server, "POST", f"/api/patients/{pid}/videos{q}",
                       token=login.token, body=args.file.read_bytes(),
                       content_type="application/octet-stream", timeout_s=600)
            while job["status"] in ("queued", "running"):
                print(f"\r{job['status']} {job['progress']:.0%}", end="", file=sys.stderr)
                time.sleep(1.0)
                job = call(login.server, "GET", f"/api/jobs/{job['id']}", token=login.token)
            print(file=sys.stderr)
            if job["status"] != "done":
                print(f"hipwise: the server could not analyse it: {job['message']}",
                      file=sys.stderr)
                return EXIT_NOT_ANALYSABLE
            print(f"analysed on the server: recording {job['recording_id']}")
            return EXIT_OK
        body = _analysis_body(args.file)
        if isinstance(body, int):
            return body
        res = call(login.server, "POST", f"/api/patients/{pid}/analyses", token=login.token,
                   body=body)
    except ClientError as exc:
        print(f"hipwise: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"sent: recording {res['recording_id']}"
          + ("" if res["created"] else " (it was sent before)"))
    return EXIT_OK


def _analysis_body(path: Path) -> bytes | int:
    """The upload body for a JSON file, or for a video analysed here (exit code on error)."""
    if path.suffix.lower() == ".json":
        try:
            analysis = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"hipwise: cannot read {path}: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
        return json.dumps({"analysis": analysis}).encode()
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.analysis.video import NotAnalysableError, analyze_video
    from hipwise.program.commands.save import file_sha256
    from hipwise.store.blobs import encode_landmarks
    from hipwise.video.errors import VideoError

    try:
        result = analyze_video(path, AnalysisConfig())
    except VideoError as exc:
        print(f"hipwise: cannot read {path}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except NotAnalysableError as exc:
        print(f"hipwise: cannot analyse {path.name}: {exc}", file=sys.stderr)
        return EXIT_NOT_ANALYSABLE
    poses = result.run.poses
    body: dict[str, Any] = {"analysis": json.loads(result.analysis.to_json()),
                            "source_fingerprint": file_sha256(path)}
    if poses is not None:
        body["landmarks"] = base64.b64encode(encode_landmarks(poses)).decode()
    return json.dumps(body).encode()


def _sync(args: argparse.Namespace) -> int:
    # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
    from hipwise.clinic.client import ClientError, call
    from hipwise.clinic.prescription import Prescription
    from hipwise.program.commands._common import with_store

    login = _need_login()
    if login is None or login.person_id is None:
        return EXIT_USAGE
    try:
        raw = call(login.server, "GET", f"/api/patients/{login.person_id}/prescription",
                   token=login.token)
    except ClientError as exc:
        print(f"hipwise: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if raw is None:
        print("your therapist has not set a prescription yet")
        return EXIT_OK
    rx = Prescription.model_validate(raw)

    def body(store: Any) -> int:

        # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
        from hipwise.clinic.sync import apply_prescription

        if not store.people.all():
            store.people.create(args.person or login.username)
        changes = apply_prescription(store, args.person, rx, now=datetime.now(UTC))
        print(f"prescription synced: {rx.sets_per_side} x {rx.reps_per_set} reps per side, "
              f"{rx.sessions_per_week}x a week"
              + (f" (changed: {'; '.join(changes)})" if changes else " (no change)"))
        if rx.note:
            print(f"your therapist: {rx.note}")
        print("run 'hipwise today' for today's plan")
        return EXIT_OK

    return with_store(args, body)
