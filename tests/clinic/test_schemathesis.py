"""Property-based API testing with schemathesis against the published OpenAPI spec: random
valid and invalid requests to every operation, as a therapist and as a patient; the app must
never answer with a server error (5xx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, settings  # noqa: E402

from tests.clinic.conftest import Clinic, make_clinic  # noqa: E402

pytestmark = pytest.mark.slow


def _clinic() -> Clinic:
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="hipwise-schemathesis-"))
    return make_clinic(f"sqlite:///{tmp / 'c.db'}")


CLINIC = _clinic()
TOKENS = {"therapist": CLINIC.login("t1"), "patient": CLINIC.login("p1")}
schema = schemathesis.openapi.from_asgi("/openapi.json", CLINIC.client.app)


@pytest.fixture(scope="module", autouse=True)
def _close() -> Any:
    yield
    CLINIC.client.close()
    CLINIC.store.close()


@pytest.mark.parametrize("role", ["therapist", "patient"])
@schema.parametrize()  # type: ignore[untyped-decorator]  # schemathesis is untyped here
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_no_server_errors(case: Any, role: str) -> None:
    if case.path == "/api/auth/logout":
        return  # would end the shared token for the other examples
    response = case.call(headers={"Authorization": f"Bearer {TOKENS[role]}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
    assert "Traceback" not in response.text
