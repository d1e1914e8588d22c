"""Clinic fixtures: a store with accounts (admin, two therapists, one patient each), the app
over it with a queue that records job ids, and tokens per role.

``db_url`` comes from the store tests: SQLite, and PostgreSQL when
``HIPWISE_TEST_POSTGRES_URL`` is set (scripts/start_postgres.sh)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hipwise.clinic.app import create_app
from hipwise.clinic.config import ClinicConfig
from hipwise.clinic.service import create_user
from hipwise.store.store import Store
from tests.store.conftest import db_url  # noqa: F401  (the fixture, re-exported)
from tests.store.helpers import make_analysis

PASSWORD = "correct horse battery"
CLIPS = Path(__file__).resolve().parents[1] / "data" / "clips"
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


class RecordingQueue:
    """A job queue that only records what was submitted (the API side alone)."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def submit(self, job_id: int) -> None:
        self.ids.append(job_id)


@dataclass
class Clinic:
    """The app, its store and the ids of the test accounts and their data."""

    store: Store
    client: TestClient
    queue: RecordingQueue
    people: dict[str, int]
    recordings: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def login(self, username: str) -> str:
        r = self.client.post("/api/auth/login", json={"username": username,
                                                      "password": PASSWORD})
        assert r.status_code == 200, r.text
        token: str = r.json()["token"]
        return token

    def auth(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            self.tokens[username] = self.login(username)
        return {"Authorization": f"Bearer {self.tokens[username]}"}


def make_clinic(url: str, config: ClinicConfig | None = None) -> Clinic:
    store = Store.open(url)
    with store.transaction() as db:
        create_user(db, "admin", PASSWORD, "admin")
        create_user(db, "t1", PASSWORD, "therapist")
        create_user(db, "t2", PASSWORD, "therapist")
        p1 = create_user(db, "p1", PASSWORD, "patient", therapist="t1")
        p2 = create_user(db, "p2", PASSWORD, "patient", therapist="t2")
        people = {"p1": p1.person_id or 0, "p2": p2.person_id or 0}
    queue = RecordingQueue()
    client = TestClient(create_app(store, config or ClinicConfig(), queue),
                        raise_server_exceptions=False)
    clinic = Clinic(store, client, queue, people)
    for name in ("p1", "p2"):
        res = store.analyses.save(name, make_analysis(), f"sha256:{name}", recorded_at=T0,
                                  create_person=False)
        clinic.recordings[name] = res.recording_id
    return clinic


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[Clinic]:
    """A clinic on a fresh SQLite database."""
    c = make_clinic(f"sqlite:///{tmp_path / 'clinic.db'}")
    yield c
    c.client.close()
    c.store.close()


@pytest.fixture(scope="module")
def shared_clinic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Clinic]:
    """One clinic for a whole test module (requests whose outcome does not depend on what
    earlier tests of the module changed)."""
    c = make_clinic(f"sqlite:///{tmp_path_factory.mktemp('clinic') / 'clinic.db'}")
    yield c
    c.client.close()
    c.store.close()


@pytest.fixture
def clinic_any_db(db_url: str) -> Iterator[Clinic]:  # noqa: F811
    """A clinic on SQLite and on PostgreSQL (when configured)."""
    c = make_clinic(db_url)
    yield c
    c.client.close()
    c.store.close()
