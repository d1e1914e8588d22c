"""The demo's in-process worker (``hipwise serve --demo``): a video uploaded through the API is
analysed in the server process, its progress visible, the result stored and the video deleted;
a video that is not a leg lift ends as a failed job with the reason."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hipwise.clinic.app import create_app
from hipwise.clinic.config import ClinicConfig
from hipwise.clinic.jobs import InProcessQueue
from hipwise.faults.conditions import LABRAL_TEAR_WARNING
from hipwise.store.models import ClinicJob
from tests.clinic.conftest import CLIPS, Clinic, make_clinic

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Clinic]:
    c = make_clinic(f"sqlite:///{tmp_path / 'demo.db'}")
    queue = InProcessQueue(c.store, workers=1)
    c.client = TestClient(create_app(c.store, ClinicConfig(), queue))
    yield c
    queue.close()
    c.store.close()


def _wait(c: Clinic, job_id: int, seen: list[float]) -> dict[str, object]:
    end = time.monotonic() + 300
    while time.monotonic() < end:
        job: dict[str, object] = c.client.get(f"/api/jobs/{job_id}",
                                              headers=c.auth("p1")).json()
        seen.append(float(str(job["progress"])))
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.3)
    raise AssertionError("the job did not finish")


def test_upload_analyse_store_delete(demo: Clinic) -> None:
    c = demo
    # the patient's conditions apply to the analysis (they used to be ignored by the worker)
    c.store.people.update("p1", conditions=["hip_labral_tear"])
    url = f"/api/patients/{c.people['p1']}/videos?filename=set.mp4"
    r = c.client.post(url, content=(CLIPS / "lift_right_tempo.mp4").read_bytes(),
                      headers=c.auth("p1"))
    assert r.status_code == 202 and r.json()["status"] == "queued"
    seen: list[float] = []
    job = _wait(c, int(r.json()["id"]), seen)
    assert job["status"] == "done" and job["video_kept"] is False
    assert any(0 < p < 1 for p in seen)  # progress was visible while it ran
    rec = int(str(job["recording_id"]))
    analysis = c.client.get(f"/api/patients/{c.people['p1']}/recordings/{rec}",
                            headers=c.auth("t1")).json()
    assert analysis["schema"] == "hipwise.analysis/1"
    assert sum(len(s["reps"]) for s in analysis["sets"]) == 3  # the clip's 3 labelled reps
    assert LABRAL_TEAR_WARNING in analysis["warnings"]
    with c.store.read() as db:
        row = db.get(ClinicJob, int(str(job["id"])))
        assert row is not None and row.video is None

    r = c.client.post(url, content=(CLIPS / "bad_lying_still.mp4").read_bytes(),
                      headers=c.auth("p1"))
    job = _wait(c, int(r.json()["id"]), [])
    assert job["status"] == "failed" and "cannot analyse" in str(job["message"])
    assert job["recording_id"] is None
