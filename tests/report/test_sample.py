"""End to end on the bundled sample clip: ``hipwise analyze --sample --report DIR``.

The sample's labels (``sample.labels.json``, written by the renderer) say which rep carries
which fault; the report must show that fault, with its cue, on that rep.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest

from hipwise.analysis.video import sample_video_path
from hipwise.report.model import by_priority, fault_cue, fault_label
from hipwise.video.reader import open_video
from tests.conftest import committed

pytestmark = pytest.mark.slow


def rep_rows(html: str, set_index: int = 1) -> dict[int, list[str]]:
    """Chip texts of each rep row in the report's table of set ``set_index``."""
    start = html.index(f'<section class="set" id="set-{set_index}">')
    section = html[start:html.index("</section>", start)]
    rows: dict[int, list[str]] = {}
    for row in re.findall(r'<tr class="(?:good|bad)">(.*?)</tr>', section):
        index = int(re.search(r"<b>(\d+)</b>", row).group(1))  # type: ignore[union-attr]
        rows[index] = re.findall(r'<span class="chip[^"]*">([^<]+)</span>', row)
    return rows


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    video = sample_video_path()
    labels = video.with_name("sample.labels.json")
    committed(video, labels)
    from hipwise.cli import main

    out = tmp_path_factory.mktemp("sample") / "report"
    assert main(["analyze", "--sample", "--report", str(out), "--quiet"]) == 0
    return out, json.loads(labels.read_text(encoding="utf-8"))


def test_the_report_shows_the_fault_the_sample_contains(
    sample: tuple[Path, dict[str, Any]],
) -> None:
    out, labels = sample
    html = (out / "report.html").read_text(encoding="utf-8")
    labelled = [(r["index"], f) for s in labels["sets"] for r in s["reps"] for f in r["faults"]]
    assert labelled, "the sample is meant to contain a fault"
    rows = rep_rows(html)
    assert len(rows) == len(labels["sets"][0]["reps"])
    for index, fault in labelled:
        assert fault_label(fault) in rows[index], f"rep {index} should show {fault}"
        assert fault_cue(fault) in html


def test_the_report_shows_exactly_what_the_analysis_found(
    sample: tuple[Path, dict[str, Any]],
) -> None:
    out, _ = sample
    html = (out / "report.html").read_text(encoding="utf-8")
    analysis = json.loads((out / "analysis.json").read_text(encoding="utf-8"))
    rows = rep_rows(html)
    with (out / "reps.csv").open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    reps = analysis["sets"][0]["reps"]
    assert [int(r["rep"]) for r in table] == [r["index"] for r in reps]
    for r, row in zip(reps, table, strict=True):
        chips = [c for c in rows[r["index"]] if c not in ("shaking", "good")]
        assert chips == [fault_label(f) for f in by_priority(r["faults"])]
        assert row["faults"] == ";".join(r["faults"])


def test_the_annotated_video_has_the_input_frame_count(
    sample: tuple[Path, dict[str, Any]],
) -> None:
    out, labels = sample
    with open_video(sample_video_path()) as src:
        n_in = sum(1 for _ in src)
    with open_video(out / "annotated.mp4") as src:
        assert src.info.codec == "h264"
        n_out = sum(1 for _ in src)
    assert n_out == n_in == labels["video"]["frames"]
