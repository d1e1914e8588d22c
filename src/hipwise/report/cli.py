"""CLI glue for ``hipwise analyze VIDEO --report DIR``: a progress bar while the report is
written, the list of files afterwards, and user-facing errors (never a traceback)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from hipwise.cli import EXIT_BAD_INPUT, EXIT_OK
from hipwise.report.model import AnalysedVideo
from hipwise.report.writer import ReportError, ReportFiles, write_report
from hipwise.settings import AnalysisConfig, ReportConfig
from hipwise.video.errors import VideoError

__all__ = ["report_after_analysis"]


def report_after_analysis(
    result: AnalysedVideo,
    settings: AnalysisConfig,
    out_dir: Path,
    *,
    quiet: bool,
    out: Any,
    err: Any,
    report: ReportConfig | None = None,
) -> int:
    """Write the report of ``result`` (a :class:`~hipwise.analysis.video.VideoAnalysis`) into
    ``out_dir`` with a rich progress bar on ``err`` (unless ``quiet`` or not a terminal), print
    the files written on ``out``; returns a :mod:`hipwise.cli` exit code (3 when the folder or
    a file cannot be written, or the video cannot be decoded again). ``report``: the
    ``[report]`` settings (None: the defaults)."""
    files: ReportFiles
    try:
        if quiet or not sys.stderr.isatty():
            files = write_report(result, settings, out_dir, config=report)
        else:
            with Progress(
                TextColumn("[bold]report[/bold] {task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            ) as bar:
                task = bar.add_task("data", total=None)

                def progress(step: str, done: int, total: int) -> None:
                    bar.update(task, description=step, completed=done, total=total or None)

                files = write_report(result, settings, out_dir, progress, report)
    except ReportError as exc:
        err.print(f"[red]cannot write the report:[/red] {exc}")
        return EXIT_BAD_INPUT
    except VideoError as exc:
        err.print(f"[red]cannot read the video again for the report:[/red] {exc}")
        return EXIT_BAD_INPUT
    if not quiet:
        out.print(f"Report written to {files.directory}/")
        for p in files.all():
            out.print(f"  {p.name}")
        for note in files.notes:
            out.print(f"  [dim]({note})[/dim]")
        out.print(f"Open {files.html} in a browser (works offline).")
    return EXIT_OK
