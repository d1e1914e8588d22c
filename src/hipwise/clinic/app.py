"""The HTTP side of ``hipwise serve``: a FastAPI app over the store (OpenAPI at ``/docs``).

Two ways to authenticate, never mixed: the JSON API (``/api/...``) takes
``Authorization: Bearer <token>`` from ``POST /api/auth/login``; the dashboard pages
(``/dashboard``) take the same kind of token in an HttpOnly, SameSite=Strict cookie set by
``POST /login``. Tokens expire (:attr:`ClinicConfig.token_ttl_s`) and logout revokes them.

Errors are JSON ``{"detail": "..."}`` (HTML for the pages) with a specific status and never a
traceback: 400 bad file name, 401 no/expired/revoked token, 403 role may not, 404 not found or
not yours, 409 taken, 413 too large, 415 not a video, 422 broken content, 503 database down.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pathlib
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy import select

from hipwise.clinic import dashboard, fhir
from hipwise.clinic.auth import AuthError, Principal, login, resolve_token, revoke_token
from hipwise.clinic.config import ClinicConfig
from hipwise.clinic.jobs import JobQueue
from hipwise.clinic.prescription import Prescription
from hipwise.clinic.service import (
    ClinicError,
    ForbiddenError,
    create_user,
    get_prescription,
    job_for,
    list_patients,
    patient_detail,
    person_for,
    put_prescription,
    recording_for,
    require_role,
)
from hipwise.clinic.uploads import (
    UploadError,
    check_filename,
    check_video_file,
    parse_analysis_upload,
)
from hipwise.contract import Analysis
from hipwise.store.errors import StoreError
from hipwise.store.models import ClinicJob, ClinicUser, Person
from hipwise.store.store import Store

__all__ = ["COOKIE", "create_app"]

log = logging.getLogger(__name__)

COOKIE = "hipwise_token"
_CHUNK = 1 << 16


# -- request/response models ------------------------------------------------------------------


class LoginIn(BaseModel):
    """Username and password."""

    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=1024)


class TokenOut(BaseModel):
    """A bearer token and when it stops working."""

    token: str
    expires_in_s: int
    role: str


class MeOut(BaseModel):
    """The caller."""

    username: str
    role: str
    person_id: RowId | None


class UserIn(BaseModel):
    """A new account (admins only). ``therapist``: the username of a patient's therapist."""

    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=8, max_length=1024)
    role: str
    therapist: str | None = None


class UserOut(BaseModel):
    """A created account."""

    id: int
    username: str
    role: str
    person_id: RowId | None


class FlagOut(BaseModel):
    """A reason to look at a patient."""

    kind: str
    message: str


class PatientOut(BaseModel):
    """A patient in the list."""

    person_id: RowId
    username: str
    therapist: str | None
    sessions: int
    last_session: datetime | None
    flags: list[FlagOut]


class SessionOut(BaseModel):
    """One session's counts, faults, mean angle (deg) and tempo (s), and self-reports."""

    session_id: int
    started_at: datetime
    reps: int
    good_reps: int
    faults: dict[str, int]
    peak_abduction_deg: float | None
    lift_s: float | None
    hold_s: float | None
    lower_s: float | None
    recording_ids: list[int]
    feelings: list[str]


class PatientDetailOut(BaseModel):
    """A patient's sessions, flags and prescription."""

    person_id: RowId
    name: str
    flags: list[FlagOut]
    sessions: list[SessionOut]
    prescription: Prescription | None


class UploadOut(BaseModel):
    """What an analysis upload stored (``created`` False: it was stored before)."""

    recording_id: RowId
    session_id: int
    created: bool


class JobOut(BaseModel):
    """A video analysis on the queue: status queued/running/done/failed, progress 0..1."""

    id: int
    person_id: RowId
    status: str
    progress: float
    message: str
    recording_id: RowId | None
    video_kept: bool


def _job_out(job: ClinicJob) -> JobOut:
    return JobOut(id=job.id, person_id=job.person_id, status=job.status,
                  progress=job.progress, message=job.message, recording_id=job.recording_id,
                  video_kept=job.keep_video and job.video is not None)


# -- the app ----------------------------------------------------------------------------------


def _principal(request: Request) -> Principal:
    """The caller of an API request, from ``Authorization: Bearer <token>``."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("log in first: send 'Authorization: Bearer <token>'")
    store: Store = request.app.state.store
    with store.transaction() as db:
        return resolve_token(db, token.strip())


Who = Annotated[Principal, Depends(_principal)]
#: a row id in a URL: a positive 32-bit integer (larger ones are 422, not a database error)
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]


def create_app(store: Store, config: ClinicConfig, queue: JobQueue) -> FastAPI:
    """The clinic app over ``store``; new video jobs go to ``queue``."""
    app = FastAPI(
        title="hipwise clinic",
        version="1",
        description="Therapists follow their patients' side-lying leg lifts. Log in with "
        "POST /api/auth/login, then send 'Authorization: Bearer <token>'.",
    )
    app.state.store = store

    def _error(status: int, detail: str) -> JSONResponse:
        return JSONResponse({"detail": detail}, status_code=status)

    @app.exception_handler(ClinicError)
    async def _clinic_error(_r: Request, exc: ClinicError) -> JSONResponse:
        return _error(exc.status, str(exc))

    @app.exception_handler(UploadError)
    async def _upload_error(_r: Request, exc: UploadError) -> JSONResponse:
        return _error(exc.status, str(exc))

    @app.exception_handler(AuthError)
    async def _auth_error(_r: Request, exc: AuthError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})

    @app.exception_handler(StoreError)
    async def _store_error(_r: Request, exc: StoreError) -> JSONResponse:
        log.warning("store error: %s", exc)
        return _error(503, "the database is unavailable; try again shortly")

    @app.exception_handler(Exception)
    async def _internal(_r: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error")
        return _error(500, "internal error")

    def now() -> datetime:
        return datetime.now(UTC)

    # -- accounts ----------------------------------------------------------------------------

    @app.post("/api/auth/login", tags=["accounts"])
    def api_login(body: LoginIn) -> TokenOut:
        """Exchange username and password for a bearer token."""
        with store.transaction() as db:
            user, token = login(db, body.username, body.password, config.token_ttl_s)
            return TokenOut(token=token, expires_in_s=config.token_ttl_s, role=user.role)

    @app.post("/api/auth/logout", tags=["accounts"], status_code=204)
    def api_logout(who: Who) -> None:
        """Revoke the token of this request."""
        with store.transaction() as db:
            revoke_token(db, who.token_id)

    @app.get("/api/me", tags=["accounts"])
    def api_me(who: Who) -> MeOut:
        """Who the token belongs to."""
        return MeOut(username=who.username, role=who.role, person_id=who.person_id)

    @app.post("/api/users", tags=["accounts"], status_code=201)
    def api_create_user(body: UserIn, who: Who) -> UserOut:
        """Create an account (admins only)."""
        require_role(who, "admin")
        with store.transaction() as db:
            u = create_user(db, body.username, body.password, body.role,
                            therapist=body.therapist)
            return UserOut(id=u.id, username=u.username, role=u.role, person_id=u.person_id)

    # -- patients ----------------------------------------------------------------------------

    @app.get("/api/patients", tags=["patients"])
    def api_patients(who: Who) -> list[PatientOut]:
        """The caller's patients (a therapist's own, all for an admin), flagged first."""
        return [
            PatientOut(person_id=p.person_id, username=p.username, therapist=p.therapist,
                       sessions=p.sessions, last_session=p.last_session,
                       flags=[FlagOut(kind=f.kind, message=f.message) for f in p.flags])
            for p in list_patients(store, who, now=now(), config=config)
        ]

    @app.get("/api/patients/{person_id}", tags=["patients"])
    def api_patient(person_id: RowId, who: Who) -> PatientDetailOut:
        """A patient's sessions (counts, faults, angle and tempo), flags and prescription."""
        data, rows, flags, rx = patient_detail(store, who, person_id, now=now(), config=config)
        return PatientDetailOut(
            person_id=person_id, name=data.person.name,
            flags=[FlagOut(kind=f.kind, message=f.message) for f in flags],
            sessions=[SessionOut(
                session_id=r.session_id, started_at=r.started_at, reps=r.reps,
                good_reps=r.good_reps, faults=r.faults,
                peak_abduction_deg=r.peak_abduction_deg, lift_s=r.lift_s, hold_s=r.hold_s,
                lower_s=r.lower_s, recording_ids=list(r.recording_ids),
                feelings=list(r.feelings)) for r in rows],
            prescription=rx,
        )

    @app.get("/api/patients/{person_id}/recordings/{recording_id}", tags=["patients"])
    def api_recording(person_id: RowId, recording_id: RowId, who: Who) -> Any:
        """The stored analysis (contract JSON) of one recording."""
        with store.read() as db:
            rec = recording_for(db, who, person_id, recording_id)
            return json.loads(rec.result_json)

    @app.get("/api/patients/{person_id}/recordings/{recording_id}/report", tags=["patients"],
             response_class=HTMLResponse)
    def api_report(person_id: RowId, recording_id: RowId, who: Who) -> HTMLResponse:
        """The session's hipwise report (HTML)."""
        with store.read() as db:
            rec = recording_for(db, who, person_id, recording_id)
            name = person_for(db, who, person_id).name
            analysis = Analysis.model_validate_json(rec.result_json)
        return HTMLResponse(dashboard.recording_page(None, name, recording_id, analysis))

    @app.get("/api/patients/{person_id}/prescription", tags=["prescription"])
    def api_get_rx(person_id: RowId, who: Who) -> Prescription | None:
        """The patient's prescription (null: none set; ``hipwise sync`` reads this)."""
        return get_prescription(store, who, person_id)

    @app.put("/api/patients/{person_id}/prescription", tags=["prescription"])
    def api_put_rx(person_id: RowId, body: Prescription, who: Who) -> Prescription:
        """Set the patient's prescription (their therapist, or an admin)."""
        return put_prescription(store, who, person_id, body)

    # -- uploads -----------------------------------------------------------------------------

    async def _read_body(request: Request, limit: int) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise UploadError(413, f"the upload is larger than {limit} bytes")
        buf = bytearray()
        async for chunk in request.stream():
            buf += chunk
            if len(buf) > limit:
                raise UploadError(413, f"the upload is larger than {limit} bytes")
        return bytes(buf)

    def _patient_self(db: Any, who: Principal, person_id: RowId) -> None:
        require_role(who, "patient")
        person_for(db, who, person_id)

    @app.post("/api/patients/{person_id}/analyses", tags=["uploads"], status_code=201,
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": {"type": "object", "required": ["analysis"],
                                                  "properties": {
                                                      "analysis": {"type": "object"},
                                                      "landmarks": {"type": "string"},
                                                      "source_fingerprint": {"type": "string"},
                                                      "recorded_at": {"type": "string"}}}}}}})
    async def api_upload_analysis(person_id: RowId, request: Request, who: Who) -> UploadOut:
        """Upload the analysis made at home (``hipwise upload``): the contract JSON and,
        optionally, the landmarks. The video never leaves home. Same analysis twice: stored
        once (``created`` false)."""
        with store.read() as db:
            _patient_self(db, who, person_id)
        up = parse_analysis_upload(await _read_body(request, config.max_analysis_bytes))
        with store.read() as db:
            name = person_for(db, who, person_id).name
        res = store.analyses.save(name, up.analysis, up.fingerprint, landmarks=up.landmarks,
                                  recorded_at=up.recorded_at, create_person=False)
        return UploadOut(recording_id=res.recording_id, session_id=res.session_id,
                         created=res.created)

    @app.post("/api/patients/{person_id}/videos", tags=["uploads"], status_code=202,
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/octet-stream": {"schema": {"type": "string",
                                                          "format": "binary"}}}}})
    async def api_upload_video(
        person_id: RowId, request: Request, who: Who,
        filename: Annotated[str | None, Query(max_length=255)] = None,
        keep_video: Annotated[bool, Query()] = False,
    ) -> JobOut:
        """Upload a video (the fallback) as the raw request body. It is checked by content
        (MP4/MOV, WebM, AVI), size and duration, analysed on the task queue, and deleted
        afterwards unless ``keep_video`` (the patient's consent to keep it for their
        therapist). The same video twice gives the same job. Poll ``/api/jobs/{id}``."""
        with store.read() as db:
            _patient_self(db, who, person_id)
        check_filename(filename)
        limit = config.max_video_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise UploadError(413, f"the video is larger than {limit} bytes")
        digest = hashlib.sha256()
        with tempfile.TemporaryDirectory(prefix="hipwise-upload-") as tmp:
            path = pathlib.Path(tmp) / "upload"
            size = 0
            with path.open("wb") as fh:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise UploadError(413, f"the video is larger than {limit} bytes")
                    digest.update(chunk)
                    fh.write(chunk)
            if size == 0:
                raise UploadError(422, "the upload is empty")
            check_video_file(path, max_bytes=limit, max_duration_s=config.max_video_s)
            sha = digest.hexdigest()
            data = path.read_bytes()
        submit = False
        for _attempt in range(2):
            try:
                with store.transaction() as db:
                    job = db.scalars(select(ClinicJob).where(
                        ClinicJob.person_id == person_id, ClinicJob.sha256 == sha)).first()
                    if job is None:
                        job = ClinicJob(person_id=person_id, sha256=sha, status="queued",
                                        progress=0.0, message="", attempts=0,
                                        keep_video=keep_video, video=data)
                        db.add(job)
                        db.flush()
                        submit = True
                    out = _job_out(job)
                break
            except sa_exc.IntegrityError:  # the same video uploaded twice at once
                continue
        else:
            raise UploadError(409, "the same video is being uploaded twice at once; retry")
        if submit:
            queue.submit(out.id)
        return out

    @app.get("/api/jobs/{job_id}", tags=["uploads"])
    def api_job(job_id: RowId, who: Who) -> JobOut:
        """Status and progress of a video analysis."""
        with store.read() as db:
            return _job_out(job_for(db, who, job_id))

    # -- FHIR --------------------------------------------------------------------------------

    @app.get("/api/patients/{person_id}/fhir", tags=["fhir"])
    def api_fhir_patient(person_id: RowId, who: Who) -> Any:
        """The patient's sessions as a FHIR R4(B) Bundle of Observations."""
        data, *_ = patient_detail(store, who, person_id, now=now(), config=config)
        return JSONResponse(fhir.to_json(fhir.patient_bundle(data)),
                            media_type="application/fhir+json")

    @app.get("/api/fhir/export.ndjson", tags=["fhir"],
             response_class=StreamingResponse)
    def api_fhir_bulk(who: Who) -> StreamingResponse:
        """Every visible patient's Patient and Observation resources as NDJSON (streamed)."""
        require_role(who, "therapist", "admin")
        with store.read() as db:
            stmt = select(Person.name).join(ClinicUser, ClinicUser.person_id == Person.id)
            if who.role == "therapist":
                stmt = stmt.where(ClinicUser.therapist_id == who.user_id)
            names = list(db.scalars(stmt.order_by(Person.id)))

        def lines() -> Iterator[str]:
            for name in names:
                yield from fhir.ndjson_lines(store.programme.person_data(name))

        return StreamingResponse(lines(), media_type="application/fhir+ndjson")

    @app.get("/api/fhir/CodeSystem/session-metrics", tags=["fhir"])
    def api_codesystem(who: Who) -> Any:
        """The hipwise CodeSystem of the non-LOINC Observation codes."""
        return JSONResponse(fhir.to_json(fhir.code_system()),
                            media_type="application/fhir+json")

    # -- dashboard pages ---------------------------------------------------------------------

    def page_user(request: Request) -> Principal | None:
        token = request.cookies.get(COOKIE)
        if not token:
            return None
        try:
            with store.transaction() as db:
                return resolve_token(db, token)
        except AuthError:
            return None

    def _to_login() -> RedirectResponse:
        return RedirectResponse("/login", status_code=303)

    def _html(body: str, status: int = 200) -> HTMLResponse:
        return HTMLResponse(body, status_code=status)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/dashboard", status_code=303)

    @app.get("/login", include_in_schema=False)
    def login_form() -> HTMLResponse:
        return _html(dashboard.login_page())

    @app.post("/login", include_in_schema=False)
    def login_submit(username: Annotated[str, Form(max_length=80)],
                     password: Annotated[str, Form(max_length=1024)]) -> Any:
        try:
            with store.transaction() as db:
                user, token = login(db, username, password, config.token_ttl_s)
                role = user.role
        except AuthError as exc:
            return _html(dashboard.login_page(str(exc)), 401)
        if role not in ("therapist", "admin"):
            with store.transaction() as db:
                revoke_token(db, resolve_token(db, token).token_id)
            return _html(dashboard.login_page(
                "the dashboard is for therapists; patients use the hipwise app"), 403)
        resp = RedirectResponse("/dashboard", status_code=303)
        resp.set_cookie(COOKIE, token, max_age=config.token_ttl_s, httponly=True,
                        samesite="strict", secure=False)
        return resp

    @app.post("/logout", include_in_schema=False)
    def logout_submit(request: Request) -> RedirectResponse:
        who = page_user(request)
        if who is not None:
            with store.transaction() as db:
                revoke_token(db, who.token_id)
        resp = _to_login()
        resp.delete_cookie(COOKIE)
        return resp

    def _page_guard(request: Request) -> Principal | None:
        who = page_user(request)
        if who is None:
            return None
        if who.role not in ("therapist", "admin"):
            raise ForbiddenError("the dashboard is for therapists")
        return who

    @app.get("/dashboard", include_in_schema=False)
    def dash(request: Request) -> Any:
        who = _page_guard(request)
        if who is None:
            return _to_login()
        return _html(dashboard.patients_page(
            who.username, list_patients(store, who, now=now(), config=config)))

    def _patient_html(who: Principal, person_id: RowId, *, saved: bool = False,
                      error: str | None = None, status: int = 200) -> HTMLResponse:
        data, rows, flags, rx = patient_detail(store, who, person_id, now=now(), config=config)
        return _html(dashboard.patient_page(who.username, data, rows, flags, rx, saved=saved,
                                            error=error), status)

    @app.get("/dashboard/patients/{person_id}", include_in_schema=False)
    def dash_patient(person_id: RowId, request: Request, saved: bool = False) -> Any:
        who = _page_guard(request)
        if who is None:
            return _to_login()
        return _patient_html(who, person_id, saved=saved)

    @app.post("/dashboard/patients/{person_id}/prescription", include_in_schema=False)
    async def dash_rx(person_id: RowId, request: Request) -> Any:
        who = _page_guard(request)
        if who is None:
            return _to_login()
        form = await request.form()
        fields = {k: form.get(k) for k in ("variation", "sets_per_side", "reps_per_set",
                                           "sessions_per_week", "progression", "note")}
        try:
            rx = Prescription.model_validate({
                **{k: v for k, v in fields.items() if v not in (None, "")},
                "conditions": form.getlist("conditions"),
                "thresholds": {k: form.get(k) for k in ("max_abduction_deg", "min_hold_s",
                                                       "min_lift_s") if form.get(k)},
            })
        except ValidationError as exc:
            first = exc.errors()[0]
            msg = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
            return _patient_html(who, person_id, error=msg, status=422)
        put_prescription(store, who, person_id, rx)
        return RedirectResponse(f"/dashboard/patients/{person_id}?saved=true", status_code=303)

    @app.get("/dashboard/patients/{person_id}/recordings/{recording_id}",
             include_in_schema=False)
    def dash_recording(person_id: RowId, recording_id: RowId, request: Request) -> Any:
        who = _page_guard(request)
        if who is None:
            return _to_login()
        with store.read() as db:
            rec = recording_for(db, who, person_id, recording_id)
            name = person_for(db, who, person_id).name
            analysis = Analysis.model_validate_json(rec.result_json)
        return _html(dashboard.recording_page(who.username, name, recording_id, analysis))

    return app
