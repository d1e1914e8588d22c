"""The ``profile``, ``today``, ``feel``, ``history`` and ``db`` commands end to end (SQLite)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hipwise.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, main
from hipwise.store import Store
from tests.store.helpers import make_analysis


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'h.db'}"


def test_profile_create_show_update_and_errors(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profile", "create", "Ana", "--condition", "bursitis", "--goal", "runner",
                 "--db", db]) == EXIT_OK
    out = capsys.readouterr().out
    assert "trochanteric bursitis" in out and "pre-run activation" in out
    assert main(["profile", "update", "--condition", "labral", "--set", "sessions_per_week=4",
                 "--ankle-weight", "left=1", "--db", db, "--json"]) == EXIT_OK
    shown = json.loads(capsys.readouterr().out)
    assert shown["conditions"] == ["hip_labral_tear"]
    assert shown["program_overrides"] == {"sessions_per_week": 4}
    assert shown["ankle_weight_kg"] == {"left": 1.0, "right": 0.0}
    # invalid values: exit 2, one clear line, nothing changed
    for argv in (["profile", "update", "--condition", "flu"],
                 ["profile", "update", "--set", "sessions_per_week=0"],
                 ["profile", "update", "--set", "nonsense=1"],
                 ["profile", "update", "--ankle-weight", "middle=1"],
                 ["profile", "create", "Ana"],
                 ["profile", "show", "Nobody"]):
        assert main([*argv, "--db", db]) == EXIT_USAGE
        err = capsys.readouterr().err
        assert err.startswith("hipwise: ") and "Traceback" not in err
    with Store.open(db) as store:
        assert store.people.get("Ana").conditions == ("hip_labral_tear",)
        assert store.people.get_setting("program_config", "Ana") == {"sessions_per_week": 4}


def test_today_records_progression_and_feel_pain_switches(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    t0 = datetime.now(UTC) - timedelta(days=3)
    with Store.open(db) as store:
        store.people.create("Ana")
        store.analyses.save("Ana", make_analysis(faults=[()] * 20), "v1", recorded_at=t0)
    assert main(["today", "--db", db, "--json"]) == EXIT_OK
    plan = json.loads(capsys.readouterr().out)
    assert plan["load_kg"] == {"left": 0.5, "right": 0.0}
    assert plan["changes"] and "ankle weight of 0.5 kg" in plan["changes"][0]
    assert main(["today", "--db", db, "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["changes"] == []  # recorded once
    assert main(["feel", "pain", "--db", db]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.startswith("STOP.") and "isometric" in out
    assert main(["today", "--db", db, "--pain", "no", "--json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["variation"] == "isometric_hold"
    assert main(["feel", "elbow", "--db", db]) == EXIT_USAGE
    assert "unknown feeling" in capsys.readouterr().err


def test_history_tables_plot_and_json(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t0 = datetime.now(UTC) - timedelta(days=5)
    with Store.open(db) as store:
        store.analyses.save(None, make_analysis(), "v1", recorded_at=t0)
        store.analyses.save(None, make_analysis(side="right"), "v2",
                            recorded_at=t0 + timedelta(days=2))
    plot = tmp_path / "h.png"
    series = tmp_path / "h.json"
    assert main(["history", "--db", db, "--plot", str(plot), "--json", str(series)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "2/3" in out and "hip hike" in out and "Sessions per week" in out
    assert plot.read_bytes()[:4] == b"\x89PNG"
    assert json.loads(series.read_text())["sides"]["right"]["good_reps"] == [2]
    assert main(["history", "--db", db, "--plot", "x.gif"]) == EXIT_USAGE


def test_corrupt_database_is_a_clear_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00garbage" * 1000)
    for argv in (["today"], ["history"], ["profile", "show"], ["db", "check"], ["db", "info"]):
        assert main([*argv, "--db", f"sqlite:///{bad}"]) == EXIT_BAD_INPUT
        err = capsys.readouterr().err
        assert "damaged or is not a hipwise database" in err and "Traceback" not in err


def test_db_upgrade_and_check(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade", "--db", db]) == EXIT_OK
    assert "empty -> 0003" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", db]) == EXIT_OK
    assert "already at 0003" in capsys.readouterr().out
    assert main(["db", "check", "--db", db]) == EXIT_OK
    assert capsys.readouterr().out.strip().endswith("ok")


def test_no_profile_yet_is_explained(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["today", "--db", db]) == EXIT_USAGE
    assert "hipwise profile create NAME" in capsys.readouterr().err


def test_building_the_cli_does_not_import_the_database_stack() -> None:
    import subprocess
    import sys

    code = (
        "import sys, importlib\n"
        "for m in ('hipwise.program.commands.profile', 'hipwise.program.commands.today',\n"
        "          'hipwise.program.commands.feel', 'hipwise.program.commands.history',\n"
        "          'hipwise.store.cli', 'hipwise.store', 'hipwise.program'):\n"
        "    importlib.import_module(m)\n"
        "print(sorted(m for m in ('sqlalchemy', 'alembic', 'matplotlib', 'psycopg')\n"
        "             if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_feel_combines_the_report_with_the_measured_faults(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with Store.open(db) as store:
        store.analyses.save(None, make_analysis(faults=[("toes_up",), ("toes_up",), ()]), "v1")
    assert main(["feel", "nothing", "--db", db]) == EXIT_OK
    out = capsys.readouterr().out
    assert "toes up on 2 of 3 reps" in out and "toward the floor" in out
    assert main(["feel", "back", "--db", db]) == EXIT_OK
    assert "don't count toward ankle weights" in capsys.readouterr().out
    with Store.open(db) as store:
        reports = store.programme.person_data().self_reports
    assert [r.feelings for r in reports] == [("nothing",), ("lower_back",)]
    assert all(r.side == "left" and r.set_id is not None for r in reports)
