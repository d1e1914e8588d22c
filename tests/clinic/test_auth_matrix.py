"""Authorisation matrix: every API endpoint x every role x own or other patient's data.

Roles: admin, therapist ``t1`` (whose patient is ``p1``), patient ``p1``. "own" targets
``p1``'s data, "other" targets ``p2`` (patient of ``t2``). Every cross-patient read or write
must be denied, and a denied write must store nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from hipwise.store.models import ClinicJob, Setting
from tests.clinic.conftest import CLIPS, Clinic
from tests.store.helpers import make_analysis

ROLES = {"admin": "admin", "therapist": "t1", "patient": "p1"}
TARGETS = {"own": "p1", "other": "p2"}
READ = {("admin", "own"): 200, ("admin", "other"): 200, ("therapist", "own"): 200,
        ("therapist", "other"): 404, ("patient", "own"): 200, ("patient", "other"): 404}
THERAPIST_WRITE = {**READ, ("patient", "own"): 403, ("patient", "other"): 403}
PATIENT_WRITE = {("admin", "own"): 403, ("admin", "other"): 403, ("therapist", "own"): 403,
                 ("therapist", "other"): 403, ("patient", "own"): 201,
                 ("patient", "other"): 404}
VIDEO_WRITE = {**PATIENT_WRITE, ("patient", "own"): 202}

RX = {"variation": "clamshell", "sets_per_side": 2, "reps_per_set": 8}


def _analysis_body(seed: int) -> bytes:
    a = json.loads(make_analysis(faults=[()] * (seed + 1)).to_json())
    return json.dumps({"analysis": a}).encode()


# (name, method, path template, body, expected per (role, target))
PATIENT_ENDPOINTS: list[tuple[str, str, str, Any, dict[tuple[str, str], int]]] = [
    ("patient", "GET", "/api/patients/{pid}", None, READ),
    ("recording", "GET", "/api/patients/{pid}/recordings/{rid}", None, READ),
    ("report", "GET", "/api/patients/{pid}/recordings/{rid}/report", None, READ),
    ("get_rx", "GET", "/api/patients/{pid}/prescription", None, READ),
    ("put_rx", "PUT", "/api/patients/{pid}/prescription", RX, THERAPIST_WRITE),
    ("analysis", "POST", "/api/patients/{pid}/analyses", "analysis", PATIENT_WRITE),
    ("video", "POST", "/api/patients/{pid}/videos?filename=set.mp4", "video", VIDEO_WRITE),
    ("fhir", "GET", "/api/patients/{pid}/fhir", None, READ),
    ("job", "GET", "/api/jobs/{jid}", None, READ),
]


def _jobs(c: Clinic) -> dict[str, int]:
    """A finished job per patient (made once per clinic)."""
    out: dict[str, int] = getattr(c, "_jobs", {})
    if out:
        return out
    with c.store.transaction() as db:
        for name, pid in c.people.items():
            job = ClinicJob(person_id=pid, sha256=f"{pid:064d}", status="done", progress=1.0,
                            message="", attempts=1, keep_video=False)
            db.add(job)
            db.flush()
            out[name] = job.id
    c._jobs = out  # type: ignore[attr-defined]
    return out


def _snapshot(c: Clinic) -> tuple[dict[str, int], int, list[Any]]:
    with c.store.read() as db:
        jobs = db.query(ClinicJob).count()
        rx = sorted(json.dumps(s.value, sort_keys=True) for s in db.query(Setting).all())
    return c.store.schema.counts(), jobs, rx


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", PATIENT_ENDPOINTS, ids=[e[0] for e in PATIENT_ENDPOINTS])
def test_patient_endpoints(shared_clinic: Clinic, endpoint: Any, role: str, target: str) -> None:
    clinic = shared_clinic
    name, method, template, body, expected = endpoint
    patient = TARGETS[target]
    jobs = _jobs(clinic)
    path = template.format(pid=clinic.people[patient], rid=clinic.recordings[patient],
                           jid=jobs[patient])
    kwargs: dict[str, Any] = {"headers": clinic.auth(ROLES[role])}
    if body == "analysis":
        kwargs["content"] = _analysis_body(3)
        kwargs["headers"] = {**kwargs["headers"], "Content-Type": "application/json"}
    elif body == "video":
        kwargs["content"] = (CLIPS / "lift_left_toes_up.mp4").read_bytes()
    elif body is not None:
        kwargs["json"] = body
    before = _snapshot(clinic)
    r = clinic.client.request(method, path, **kwargs)
    want = expected[(role, target)]
    assert r.status_code == want, (name, role, target, r.text)
    if want >= 400:
        assert "Traceback" not in r.text and r.json()["detail"]
        assert _snapshot(clinic) == before, "a denied request changed the database"
    if name == "recording" and want == 200:
        assert r.json()["schema"] == "hipwise.analysis/1"


def test_a_patient_id_with_another_patients_recording_is_not_found(shared_clinic: Clinic) -> None:
    clinic = shared_clinic
    r = clinic.client.get(
        f"/api/patients/{clinic.people['p1']}/recordings/{clinic.recordings['p2']}",
        headers=clinic.auth("t1"))
    assert r.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_patient_list_shows_only_own_patients(shared_clinic: Clinic, role: str) -> None:
    clinic = shared_clinic
    r = clinic.client.get("/api/patients", headers=clinic.auth(ROLES[role]))
    if role == "patient":
        assert r.status_code == 403
        return
    assert r.status_code == 200
    names = {p["username"] for p in r.json()}
    assert names == ({"p1", "p2"} if role == "admin" else {"p1"})


@pytest.mark.parametrize("role", ROLES)
def test_bulk_fhir_export_holds_only_own_patients(shared_clinic: Clinic, role: str) -> None:
    clinic = shared_clinic
    r = clinic.client.get("/api/fhir/export.ndjson", headers=clinic.auth(ROLES[role]))
    if role == "patient":
        assert r.status_code == 403
        return
    assert r.status_code == 200
    subjects = {json.loads(line).get("subject", {}).get("reference")
                for line in r.text.splitlines()} - {None}
    want = {f"Patient/hipwise-{clinic.people[p]}" for p in
            (("p1", "p2") if role == "admin" else ("p1",))}
    assert subjects == want


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_create_accounts(clinic: Clinic, role: str) -> None:
    before = _snapshot(clinic)
    r = clinic.client.post("/api/users", headers=clinic.auth(ROLES[role]), json={
        "username": "p3", "password": "long enough pw", "role": "patient", "therapist": "t1"})
    assert r.status_code == (201 if role == "admin" else 403)
    if role != "admin":
        assert _snapshot(clinic) == before


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_themself_and_the_code_system(shared_clinic: Clinic, role: str) -> None:
    clinic = shared_clinic
    me = clinic.client.get("/api/me", headers=clinic.auth(ROLES[role])).json()
    assert me["username"] == ROLES[role] and me["role"] == role
    r = clinic.client.get("/api/fhir/CodeSystem/session-metrics",
                          headers=clinic.auth(ROLES[role]))
    assert r.status_code == 200 and r.json()["resourceType"] == "CodeSystem"


def test_every_api_endpoint_needs_a_token(shared_clinic: Clinic) -> None:
    clinic = shared_clinic
    api = [r for r in clinic.client.app.routes  # type: ignore[attr-defined]
           if getattr(r, "path", "").startswith("/api/") and r.path != "/api/auth/login"]
    assert len(api) >= 14
    for route in api:
        path = route.path.format(person_id=clinic.people["p1"], recording_id=1, job_id=1)
        for method in route.methods:
            r = clinic.client.request(method, path)
            assert r.status_code == 401, (method, path, r.text)
            assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_pages_by_role(clinic: Clinic, role: str) -> None:
    c = clinic.client
    r = c.post("/login", data={"username": ROLES[role], "password": "correct horse battery"},
               follow_redirects=False)
    if role == "patient":
        assert r.status_code == 403 and "hipwise_token" not in r.cookies
        return
    assert r.status_code == 303
    own, other = clinic.people["p1"], clinic.people["p2"]
    assert c.get("/dashboard").status_code == 200
    assert c.get(f"/dashboard/patients/{own}").status_code == 200
    assert c.get(f"/dashboard/patients/{other}").status_code == (200 if role == "admin" else 404)
    rec = clinic.recordings["p2"]
    assert c.get(f"/dashboard/patients/{other}/recordings/{rec}").status_code == (
        200 if role == "admin" else 404)
    before = _snapshot(clinic)
    r = c.post(f"/dashboard/patients/{other}/prescription", data={"sets_per_side": "4"},
               follow_redirects=False)
    assert r.status_code == (303 if role == "admin" else 404)
    if role != "admin":
        assert _snapshot(clinic) == before
    c.post("/logout")
    assert c.get("/dashboard", follow_redirects=False).status_code == 303


def test_a_patient_cookie_cannot_open_the_dashboard(clinic: Clinic) -> None:
    clinic.client.cookies.set("hipwise_token", clinic.login("p1"))
    r = clinic.client.get("/dashboard")
    assert r.status_code == 403
