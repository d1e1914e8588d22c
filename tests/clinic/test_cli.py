"""The patient's commands against a real server: ``hipwise login``, ``upload`` (the analysis
JSON; the video stays home), ``sync`` and then ``hipwise today`` following the prescription."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from hipwise.cli import main
from hipwise.clinic.client import login_path
from hipwise.store.store import Store
from hipwise.web.harness import ServerThread
from tests.clinic.conftest import PASSWORD, Clinic, make_clinic
from tests.store.helpers import make_analysis


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Clinic, str]]:
    c = make_clinic(f"sqlite:///{tmp_path / 'server.db'}")
    srv = ServerThread(c.client.app).start()
    monkeypatch.setenv("HIPWISE_DATA_DIR", str(tmp_path / "home"))
    monkeypatch.setenv("HIPWISE_PASSWORD", PASSWORD)
    yield c, srv.url.rstrip("/")
    srv.stop()
    c.store.close()


def test_upload_without_login_is_a_usage_error(served: tuple[Clinic, str], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "a.json"
    f.write_text(make_analysis().to_json())
    assert main(["upload", str(f)]) == 2
    assert "log in first" in capsys.readouterr().err


def test_login_upload_sync_today(served: tuple[Clinic, str], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    clinic, url = served
    assert main(["login", "--server", url, "--user", "nobody"]) == 3
    assert "wrong username or password" in capsys.readouterr().err
    assert main(["login", "--server", url, "--user", "p1"]) == 0
    assert stat.S_IMODE(login_path().stat().st_mode) == 0o600

    f = tmp_path / "set1.json"
    f.write_text(make_analysis(faults=[(), ("toes_up",), ()]).to_json())
    before = clinic.store.schema.counts()["recordings"]
    assert main(["upload", str(f)]) == 0
    assert main(["upload", str(f)]) == 0
    assert "sent before" in capsys.readouterr().out
    assert clinic.store.schema.counts()["recordings"] == before + 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "hipwise.analysis/1", "video": {}, "sets": []}))
    assert main(["upload", str(bad)]) == 3
    assert "breaks the contract" in capsys.readouterr().err

    local = f"sqlite:///{tmp_path / 'local.db'}"
    assert main(["sync", "--db", local]) == 0
    assert "not set a prescription" in capsys.readouterr().out
    r = clinic.client.put(f"/api/patients/{clinic.people['p1']}/prescription",
                          headers=clinic.auth("t1"),
                          json={"sets_per_side": 4, "reps_per_set": 12, "sessions_per_week": 4,
                                "progression": "hold", "note": "slow on the way down"})
    assert r.status_code == 200
    assert main(["sync", "--db", local]) == 0
    out = capsys.readouterr().out
    assert "4 x 12 reps per side, 4x a week" in out and "slow on the way down" in out
    assert main(["today", "--db", local, "--json", "--pain", "no"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert (plan["sets_per_side"], plan["reps_per_set"]) == (4, 12)
    assert plan["adherence"]["target"] == 4
    with Store.open(local) as store:
        cfg = store.people.get_setting("program_config")
    assert cfg["progression_good_streak"] == 500  # "hold": no automatic progression
    assert main(["sync", "--db", local]) == 0
    assert "(no change)" in capsys.readouterr().out
