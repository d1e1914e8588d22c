"""The HTML page: self-contained, headline first, faults with their cues."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hipwise.faults import FAULT_RULES
from hipwise.report import ReportError, ReportInput, write_set_report


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, report_input: ReportInput) -> Path:
    return write_set_report(report_input, tmp_path_factory.mktemp("html")).html


def test_page_leads_with_good_reps_and_shows_each_fault_with_its_cue(written: Path) -> None:
    html = written.read_text(encoding="utf-8")
    h1 = re.search(r"<h1>(.*?)</h1>", html)
    assert h1 is not None
    leg = "right"  # lying on the left side: the right leg works
    assert h1.group(1) == f"1 good rep of 2 · {leg} leg"
    assert '<span class="chip">toes up</span>' in html
    assert FAULT_RULES["toes_up"].cue in html
    assert '<span class="chip good">good</span>' in html
    assert "a note for the reader" in html  # warnings are shown
    assert "Settings used" in html and "too_high_deg" in html and "cue_show_s" in html
    assert html.count("<svg") == 6  # three charts, each for wide screens and for phones
    assert html.count('<img src="data:image/jpeg;base64,') == 2


def test_page_is_self_contained(written: Path) -> None:
    html = written.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    # every src/href is inline data, a fragment, or a file beside the page
    refs = re.findall(r'\b(?:src|href)="([^"]*)"', html)
    assert refs
    for ref in refs:
        assert ref.startswith(("data:", "#")) or re.fullmatch(r"[\w.-]+", ref), ref
    assert "http://" not in html.replace("http://www.w3.org/", "")
    assert "https://" not in html
    assert 'name="viewport"' in html


def test_files_beside_the_page(written: Path, report_input: ReportInput) -> None:
    d = written.parent
    assert sorted(p.name for p in d.iterdir()) == [
        "analysis.json", "frames.csv", "report.html", "reps.csv"]
    data = json.loads((d / "analysis.json").read_text(encoding="utf-8"))
    assert data["schema"] == "hipwise.analysis/1"
    assert [r["faults"] for r in data["sets"][0]["reps"]] == [[], ["toes_up"]]


def test_a_set_without_reps_still_makes_a_page(tmp_path: Path, report_input: ReportInput) -> None:
    empty = report_input.analysis.model_copy(update={"sets": []})
    inp = ReportInput(empty, report_input.frames, report_input.settings)
    html = write_set_report(inp, tmp_path).html.read_text(encoding="utf-8")
    assert "<h1>No reps counted</h1>" in html


def test_unwritable_folder_is_a_report_error(tmp_path: Path, report_input: ReportInput) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ReportError, match="cannot create the report folder"):
        write_set_report(report_input, blocker / "report")


def test_live_set_without_landmarks_or_video(tmp_path: Path, report_input: ReportInput) -> None:
    """The live coach passes only the contract and the frame states."""
    live = report_input.analysis.model_copy(
        update={"video": report_input.analysis.video.model_copy(
            update={"duration_s": 0.0, "frames": 0})})
    files = write_set_report(ReportInput(live, report_input.frames, report_input.settings,
                                         title="live set"), tmp_path)
    html = files.html.read_text(encoding="utf-8")
    assert files.video is None and files.key_frames == 0
    assert "<img" not in html and "<video" not in html
    assert '<p class="meta">live set</p>' in html
    assert '<span class="chip">toes up</span>' in html and html.count("<svg") == 6
