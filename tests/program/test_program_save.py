"""``analyze --save`` glue: save a video's analysis, once, with its landmarks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from hipwise.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE
from hipwise.contract import Analysis
from hipwise.pose.sequence import PoseSequence
from hipwise.program.commands.save import file_sha256, save_after_analysis
from hipwise.store import Store
from tests.store.helpers import make_analysis, make_landmarks


@dataclass
class _Run:
    poses: PoseSequence


@dataclass
class _Result:
    analysis: Analysis
    path: Path
    run: _Run


@pytest.fixture
def result(tmp_path: Path) -> _Result:
    video = tmp_path / "set.mp4"
    video.write_bytes(b"not really a video, but bytes to fingerprint" * 100)
    return _Result(make_analysis(faults=[()] * 20), video, _Run(make_landmarks(60)))


def test_save_after_analysis_saves_once_and_reports_changes(
    result: _Result, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'h.db'}"
    assert save_after_analysis(result, person=None, db_url=db) == EXIT_OK
    out = capsys.readouterr().out
    assert "Saved to me's history: left 20/20 good." in out
    assert "ankle weight of 0.5 kg" in out and "hipwise feel" in out
    assert save_after_analysis(result, person=None, db_url=db) == EXIT_OK
    assert "nothing saved again" in capsys.readouterr().out
    with Store.open(db) as store:
        assert store.schema.counts()["recordings"] == 1
        (rec,) = store.programme.person_data().sessions[0].sets
        assert store.analyses.landmarks(rec.recording_id) is not None
        assert store.programme.person_data().sessions[0].started_at < rec.reps[0].at


def test_save_needs_an_existing_profile_once_there_are_profiles(
    result: _Result, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite:///{tmp_path / 'h.db'}"
    with Store.open(db) as store:
        store.people.create("Ana")
    assert save_after_analysis(result, person="Anna", db_url=db) == EXIT_USAGE
    assert "no profile named 'Anna'" in capsys.readouterr().err
    assert save_after_analysis(result, person="Ana", db_url=db, quiet=True) == EXIT_OK
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 500)
    assert save_after_analysis(result, person=None, db_url=f"sqlite:///{bad}") == EXIT_BAD_INPUT
    assert "damaged" in capsys.readouterr().err


def test_fingerprint_is_the_sha256_of_the_bytes(tmp_path: Path) -> None:
    p = tmp_path / "x"
    p.write_bytes(b"abc")
    assert file_sha256(p) == (
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
