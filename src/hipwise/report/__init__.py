"""Reports people would rather look at than read: a self-contained HTML page, an annotated
H.264 video, CSV tables and the JSON contract, written from the engine's results.

Typical use::

    from hipwise.report import write_report
    files = write_report(video_analysis, settings, "report/")
    print(files.html)

Heavy libraries (matplotlib, OpenCV, Pillow, PyAV) are imported only when a report is written.
"""

from hipwise.report.model import FrameSource, ReportInput
from hipwise.report.writer import (
    ReportError,
    ReportFiles,
    ReportProgress,
    write_report,
    write_set_report,
)
from hipwise.settings import ReportConfig

__all__ = [
    "FrameSource",
    "ReportConfig",
    "ReportError",
    "ReportFiles",
    "ReportInput",
    "ReportProgress",
    "write_report",
    "write_set_report",
]
