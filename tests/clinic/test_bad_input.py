"""Bad input gets a specific 4xx, a JSON ``detail`` without a traceback, and stores nothing."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from hipwise.clinic.config import ClinicConfig
from hipwise.store.models import ClinicJob, ClinicToken, utcnow
from tests.clinic.conftest import CLIPS, Clinic, make_clinic
from tests.store.helpers import make_analysis

CLIP = CLIPS / "lift_left_toes_up.mp4"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    """A clinic with small limits: 300 kB analyses, 2 MB / 10 s videos."""
    cfg = ClinicConfig(max_video_bytes=2_000_000, max_video_s=10.0, max_analysis_bytes=300_000)
    c = make_clinic(f"sqlite:///{tmp_path_factory.mktemp('small') / 'c.db'}", cfg)
    yield c
    c.client.close()
    c.store.close()


def _state(c: Clinic) -> tuple[dict[str, int], int]:
    with c.store.read() as db:
        return c.store.schema.counts(), db.query(ClinicJob).count()


def _refused(c: Clinic, r: Any, status: int, words: str) -> None:
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert isinstance(detail, str) and words in detail, detail
    assert "Traceback" not in r.text and "File \"" not in r.text


def _video(c: Clinic, data: bytes, query: str = "filename=set.mp4") -> Any:
    return c.client.post(f"/api/patients/{c.people['p1']}/videos?{query}", content=data,
                         headers=c.auth("p1"))


def test_a_non_video_is_refused_by_content_whatever_its_name(small: Clinic,
                                                             tmp_path: Path) -> None:
    before = _state(small)
    png = b"\x89PNG\r\n\x1a\n" + bytes(2000)
    _refused(small, _video(small, png), 415, "not a video")
    _refused(small, _video(small, b"hello, this is text\n" * 50), 415, "not a video")
    assert _state(small) == before and small.queue.ids == []


def test_an_oversized_video_is_refused(small: Clinic) -> None:
    before = _state(small)
    data = CLIP.read_bytes() + bytes(900_000)
    _refused(small, _video(small, data), 413, "larger than")
    assert _state(small) == before


def test_a_truncated_video_is_refused(small: Clinic) -> None:
    before = _state(small)
    data = CLIP.read_bytes()
    for cut in (len(data) // 2, len(data) - 100, 100):
        _refused(small, _video(small, data[:cut]), 422, "truncated")
    _refused(small, _video(small, b""), 422, "empty")
    assert _state(small) == before


def test_a_too_long_video_is_refused(small: Clinic) -> None:
    before = _state(small)
    _refused(small, _video(small, CLIP.read_bytes()), 422, "limit is 10 s")
    assert _state(small) == before


@pytest.mark.parametrize("name", ["../../etc/passwd.mp4", "..\\win.mp4", "a/b.mp4",
                                  ".hidden.mp4", "x\x01.mp4", "~root.mp4"])
def test_path_tricks_in_file_names_are_refused(small: Clinic, name: str) -> None:
    from urllib.parse import quote

    before = _state(small)
    _refused(small, _video(small, CLIP.read_bytes(), f"filename={quote(name)}"), 400,
             "bad file name")
    assert _state(small) == before


@pytest.mark.parametrize("path", ["/api/patients/..%2F..%2Fetc%2Fpasswd",
                                  "/api/patients/1/recordings/%2E%2E",
                                  "/api/patients/-1", "/api/jobs/1e9"])
def test_path_tricks_in_urls_are_4xx(small: Clinic, path: str) -> None:
    r = small.client.get(path, headers=small.auth("t1"))
    assert 400 <= r.status_code < 500 and "Traceback" not in r.text


def _analysis(**changes: Any) -> dict[str, Any]:
    a: dict[str, Any] = json.loads(make_analysis(faults=[(), ("toes_up",)]).to_json())
    a.update(changes)
    return a


def _bad_rep() -> dict[str, Any]:
    a = _analysis()
    a["sets"][0]["reps"][1]["good"] = True  # a rep with a fault cannot be good
    return a


def _unknown_fault() -> dict[str, Any]:
    a = _analysis()
    a["sets"][0]["reps"][0]["faults"] = ["rm -rf /"]
    return a


TAMPERED = {
    "not json": b"{not json",
    "no analysis": json.dumps({"result": _analysis()}).encode(),
    "wrong schema id": json.dumps({"analysis": _analysis(schema="hipwise.analysis/9")}).encode(),
    "no sets": json.dumps({"analysis": {k: v for k, v in _analysis().items()
                                        if k != "sets"}}).encode(),
    "negative duration": json.dumps({"analysis": _analysis(
        video={"duration_s": -1, "fps": 30, "frames": 1})}).encode(),
    "good rep with a fault": json.dumps({"analysis": _bad_rep()}).encode(),
    "unknown fault": json.dumps({"analysis": _unknown_fault()}).encode(),
    "unknown field": json.dumps({"analysis": _analysis(), "sql": "drop"}).encode(),
    "bad landmarks": json.dumps({"analysis": _analysis(),
                                 "landmarks": base64.b64encode(b"PK\x03\x04junk").decode()}
                                ).encode(),
    "bad fingerprint": json.dumps({"analysis": _analysis(),
                                   "source_fingerprint": "../../x"}).encode(),
    "naive time": json.dumps({"analysis": _analysis(),
                              "recorded_at": "2026-11-20T08:00:00"}).encode(),
}


@pytest.mark.parametrize("case", TAMPERED)
def test_a_tampered_analysis_is_refused(small: Clinic, case: str) -> None:
    before = _state(small)
    r = small.client.post(f"/api/patients/{small.people['p1']}/analyses",
                          content=TAMPERED[case], headers=small.auth("p1"))
    assert r.status_code == 422, (case, r.text)
    assert "Traceback" not in r.text and isinstance(r.json()["detail"], str)
    assert _state(small) == before


def test_an_oversized_analysis_is_refused(small: Clinic) -> None:
    before = _state(small)
    body = json.dumps({"analysis": _analysis(warnings=["x" * 400_000])}).encode()
    r = small.client.post(f"/api/patients/{small.people['p1']}/analyses", content=body,
                          headers=small.auth("p1"))
    _refused(small, r, 413, "larger than")
    assert _state(small) == before


def test_a_valid_analysis_with_landmarks_is_stored_once(small: Clinic) -> None:
    from hipwise.store.blobs import encode_landmarks
    from tests.store.helpers import make_landmarks

    body = json.dumps({"analysis": _analysis(), "recorded_at": "2026-11-21T09:00:00+00:00",
                       "landmarks": base64.b64encode(encode_landmarks(make_landmarks(60)))
                       .decode()}).encode()
    url = f"/api/patients/{small.people['p1']}/analyses"
    first = small.client.post(url, content=body, headers=small.auth("p1"))
    again = small.client.post(url, content=body, headers=small.auth("p1"))
    assert first.status_code == again.status_code == 201
    assert first.json()["created"] and not again.json()["created"]
    assert first.json()["recording_id"] == again.json()["recording_id"]
    seq = small.store.analyses.landmarks(first.json()["recording_id"])
    assert seq is not None and len(seq) == 60


def test_wrong_password_and_unknown_user_look_the_same(small: Clinic) -> None:
    a = small.client.post("/api/auth/login", json={"username": "p1", "password": "nope"})
    b = small.client.post("/api/auth/login", json={"username": "nobody", "password": "nope"})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json()


def test_a_token_is_dead_after_logout_replay(clinic: Clinic) -> None:
    token = clinic.login("t1")
    h = {"Authorization": f"Bearer {token}"}
    assert clinic.client.get("/api/me", headers=h).status_code == 200
    assert clinic.client.post("/api/auth/logout", headers=h).status_code == 204
    r = clinic.client.get("/api/me", headers=h)
    _refused(clinic, r, 401, "revoked")
    r = clinic.client.put(f"/api/patients/{clinic.people['p1']}/prescription", headers=h,
                          json={"sets_per_side": 5})
    _refused(clinic, r, 401, "revoked")
    assert clinic.client.get(f"/api/patients/{clinic.people['p1']}/prescription",
                             headers=clinic.auth("t1")).json() is None


def test_an_expired_token_is_refused(clinic: Clinic) -> None:
    token = clinic.login("p1")
    with clinic.store.transaction() as db:
        db.execute(update(ClinicToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    r = clinic.client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    _refused(clinic, r, 401, "expired")


@pytest.mark.parametrize("header", ["Bearer", "Bearer not-a-token", "Basic dTpw", "token x"])
def test_garbage_tokens_are_refused(small: Clinic, header: str) -> None:
    r = small.client.get("/api/me", headers={"Authorization": header})
    assert r.status_code == 401 and "Traceback" not in r.text


def test_a_bad_prescription_is_refused_and_not_stored(small: Clinic) -> None:
    url = f"/api/patients/{small.people['p1']}/prescription"
    for body in ({"sets_per_side": 0}, {"reps_per_set": 500}, {"variation": "squat"},
                 {"thresholds": {"max_abduction_deg": 170}}, {"colour": "red"}):
        r = small.client.put(url, json=body, headers=small.auth("t1"))
        assert r.status_code == 422, body
    assert small.client.get(url, headers=small.auth("t1")).json() is None


def test_clinic_settings_reject_unknown_and_out_of_range_values() -> None:
    from hipwise.clinic.config import ClinicConfigError

    assert ClinicConfig.from_env({"HIPWISE_CLINIC_TOKEN_TTL_S": "120"}).token_ttl_s == 120
    with pytest.raises(ClinicConfigError, match="TOKEN_TTL_S"):
        ClinicConfig.from_env({"HIPWISE_CLINIC_TOKEN_TTL_S": "1"})
    with pytest.raises(ClinicConfigError, match="TOKEN_TTL"):
        ClinicConfig.from_env({"HIPWISE_CLINIC_TOKEN_TTL": "100"})
