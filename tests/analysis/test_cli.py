"""``hipwise analyze`` in-process: exit codes, messages, and the JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hipwise.cli import EXIT_BAD_INPUT, EXIT_NOT_ANALYSABLE, EXIT_OK, EXIT_USAGE, main
from tests.conftest import assert_contract

ROOT = Path(__file__).resolve().parents[2]
CLIPS = ROOT / "tests" / "data" / "clips"


def test_sample_writes_a_contract_json_with_its_fault(tmp_path: Path) -> None:
    out = tmp_path / "sample.json"
    assert main(["analyze", "--sample", "--quiet", "--json", str(out)]) == EXIT_OK
    doc = json.loads(out.read_text())
    labels = json.loads((ROOT / "src/hipwise/data/sample.labels.json").read_text())
    assert doc["schema"] == "hipwise.analysis/1"
    assert [s["working_leg"] for s in doc["sets"]] == [labels["sets"][0]["working_leg"]]
    got = [r["faults"] for r in doc["sets"][0]["reps"]]
    assert got == [r["faults"] for r in labels["sets"][0]["reps"]]
    assert_contract(doc)


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "/nonexistent/set.mp4"]) == EXIT_BAD_INPUT
    assert "No such file" in capsys.readouterr().err


def test_not_a_video(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "notes.mp4"
    f.write_text("these are my notes, not a video\n" * 50)
    assert main(["analyze", str(f)]) == EXIT_BAD_INPUT
    assert "not a video" in capsys.readouterr().err.lower()


def test_truncated_video(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = (CLIPS / "lift_right_tempo.mp4").read_bytes()
    f = tmp_path / "cut.mp4"
    f.write_bytes(data[: len(data) // 3])
    code = main(["analyze", str(f), "--quiet"])
    err = capsys.readouterr().err
    # the index of this file sits at the end: a cut copy cannot be read, and says so
    assert code == EXIT_BAD_INPUT, err
    assert "incomplete" in err or "damaged" in err


@pytest.mark.parametrize(
    ("clip", "words"),
    [
        ("bad_standing", "upright"),
        ("bad_lying_still", "no leg lift"),
        ("bad_out_of_frame", "part of a body"),
        ("bad_camera_moved", "camera moved"),
        ("bad_two_people", "upright|two people|someone"),
    ],
)
def test_unusable_videos_are_refused_with_a_reason(
    clip: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(CLIPS / f"{clip}.mp4"), "--quiet"]) == EXIT_NOT_ANALYSABLE
    err = " ".join(capsys.readouterr().err.lower().split())
    assert any(w in err for w in words.split("|")), err


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze"]) == EXIT_USAGE
    assert main(["analyze", "--sample", "--set", "faults.too_high=40"]) == EXIT_USAGE
    assert "too_high" in capsys.readouterr().err
