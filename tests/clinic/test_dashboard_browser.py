"""The dashboard in Debian's Chromium (Playwright): a therapist logs in, sees flagged patients
first, opens one, changes the prescription; the screenshots go to the test's folder (and to
``$HIPWISE_SCREENSHOT_DIR`` when set)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hipwise.clinic.app import create_app
from hipwise.clinic.config import ClinicConfig
from hipwise.clinic.demo import DEMO_PASSWORD, load_demo
from hipwise.clinic.service import get_prescription
from hipwise.store.store import Store
from hipwise.web.harness import ServerThread, chromium_args, chromium_path
from tests.clinic.conftest import RecordingQueue

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Store]]:
    store = Store.open(f"sqlite:///{tmp_path / 'demo.db'}")
    load_demo(store, now=datetime.now(UTC))
    srv = ServerThread(create_app(store, ClinicConfig(), RecordingQueue())).start()
    yield srv.url.rstrip("/"), store
    srv.stop()
    store.close()


@pytest.fixture
def page() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    exe = chromium_path()
    if exe is None:
        pytest.skip("Debian's chromium is not installed (scripts/install.sh installs it)")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=chromium_args(None, False))
        try:
            yield browser.new_page(viewport={"width": 1200, "height": 900})
        finally:
            browser.close()


def _shot(page: Any, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    out = os.environ.get("HIPWISE_SCREENSHOT_DIR")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(out) / name)
    return path


def test_therapist_opens_a_flagged_patient_and_changes_the_prescription(
    server: tuple[str, Store], page: Any, tmp_path: Path
) -> None:
    url, store = server
    page.goto(f"{url}/dashboard")
    assert page.url.endswith("/login")
    page.fill("input[name=username]", "therapist")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    assert "wrong username or password" in page.inner_text("[role=alert]")
    page.fill("input[name=username]", "therapist")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#patients")
    rows = page.query_selector_all("#patients tbody tr")
    names = [r.query_selector("a").inner_text() for r in rows]
    flagged = [bool(r.query_selector("[data-flag]")) for r in rows]
    assert "zoe" not in names  # another therapist's patient
    assert flagged == sorted(flagged, reverse=True) and flagged[0] and not flagged[-1]
    assert names[: flagged.count(True)] == ["ben", "chloe", "dev"]
    _shot(page, tmp_path, "clinic_patients.png")

    page.click("#patients tbody tr:first-child a")  # ben: falling good-rep share
    page.wait_for_selector("#prescription")
    assert page.query_selector("[data-flag=falling_good_share]") is not None
    assert len(page.query_selector_all("#sessions tbody tr")) == 10
    assert page.query_selector("svg[aria-label='good reps']") is not None
    page.select_option("select[name=variation]", "wall_slide")
    page.fill("input[name=sets_per_side]", "2")
    page.fill("input[name=reps_per_set]", "12")
    page.check("input[value=hip_labral_tear]")
    page.fill("input[name=max_abduction_deg]", "35")
    page.click("#prescription button[type=submit]")
    page.wait_for_selector("text=Prescription saved.")
    assert page.input_value("input[name=reps_per_set]") == "12"
    shot = _shot(page, tmp_path, "clinic_patient.png")
    assert shot.stat().st_size > 10_000

    from hipwise.clinic.auth import Principal

    admin = Principal(1, "admin", "admin", None, 0)
    pid = int(page.url.split("/patients/")[1].split("?")[0])
    rx = get_prescription(store, admin, pid)
    assert rx is not None and (rx.variation, rx.sets_per_side, rx.reps_per_set) == (
        "wall_slide", 2, 12)
    assert rx.conditions == ("hip_labral_tear",) and rx.thresholds.max_abduction_deg == 35

    page.click("#sessions tbody tr:first-child a")  # the newest session's report
    page.wait_for_selector("#headline")
    assert "good reps of 10" in page.inner_text("#headline")

    page.click("header button")  # log out
    page.wait_for_selector("input[name=password]")
    page.goto(f"{url}/dashboard/patients/{pid}")
    assert page.url.endswith("/login")
