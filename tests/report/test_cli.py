"""``hipwise analyze --report DIR`` glue: files listed on success, exit code 3 when the folder
cannot be written (a message, never a traceback)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from hipwise.analysis.engine import EngineResult
from hipwise.cli import EXIT_BAD_INPUT, EXIT_OK, build_parser
from hipwise.contract import Analysis
from hipwise.pose.sequence import PoseSequence
from hipwise.report import ReportInput
from hipwise.report.cli import report_after_analysis


@dataclass(frozen=True)
class FakeRun:
    poses: PoseSequence | None


@dataclass(frozen=True)
class FakeResult:
    """What the report reads of an analysed video (hipwise.report.model.AnalysedVideo)."""

    analysis: Analysis
    engine: EngineResult
    run: FakeRun
    path: Path


def fake_result(inp: ReportInput, video: Path) -> FakeResult:
    return FakeResult(analysis=inp.analysis, engine=EngineResult(sets=[], frames=list(
        inp.frames)), run=FakeRun(inp.poses), path=video)


def consoles() -> tuple[Console, io.StringIO, Console, io.StringIO]:
    out_buf, err_buf = io.StringIO(), io.StringIO()
    return (Console(file=out_buf, width=200), out_buf, Console(file=err_buf, width=200),
            err_buf)


def test_report_flag_is_registered() -> None:
    args = build_parser().parse_args(["analyze", "x.mp4", "--report", "out"])
    assert args.report == Path("out")


def test_success_lists_the_files(
    tmp_path: Path, report_input: ReportInput, synthetic_video: Path
) -> None:
    out, out_buf, err, err_buf = consoles()
    code = report_after_analysis(fake_result(report_input, synthetic_video),
                                 report_input.settings, tmp_path / "rep", quiet=False, out=out,
                                 err=err)
    assert code == EXIT_OK
    text = out_buf.getvalue()
    for name in ("report.html", "annotated.mp4", "frames.csv", "reps.csv", "analysis.json"):
        assert name in text and (tmp_path / "rep" / name).exists()
    assert err_buf.getvalue() == ""


def test_unwritable_folder_exits_3_with_a_message(
    tmp_path: Path, report_input: ReportInput, synthetic_video: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    out, out_buf, err, err_buf = consoles()
    code = report_after_analysis(fake_result(report_input, synthetic_video),
                                 report_input.settings, blocker / "rep", quiet=False, out=out,
                                 err=err)
    assert code == EXIT_BAD_INPUT
    msg = err_buf.getvalue()
    assert "cannot write the report" in msg and str(blocker / "rep") in msg
    assert "Traceback" not in msg and out_buf.getvalue() == ""
