"""Live sets: a set from ``hipwise live`` stored as a recording with one set."""

from __future__ import annotations

from datetime import datetime

from hipwise.contract import Analysis, SetResult, VideoInfo
from hipwise.pose.sequence import PoseSequence
from hipwise.store.inputs import SelfReportInput
from hipwise.store.recordings import AnalysisRepository
from hipwise.store.records import SaveResult

__all__ = ["LiveSetRepository"]


class LiveSetRepository:
    """Sets trained in front of the live page, saved as one-set recordings of kind ``live``."""

    def __init__(self, analyses: AnalysisRepository) -> None:
        self.analyses = analyses

    def save(
        self,
        person: str | None,
        set_result: SetResult,
        source_fingerprint: str,
        *,
        started_at: datetime,
        duration_s: float,
        fps: float = 30.0,
        landmarks: PoseSequence | None = None,
        self_report: SelfReportInput | None = None,
    ) -> SaveResult:
        """Save one live set (times in ``set_result`` are seconds from ``started_at``)."""
        analysis = Analysis(
            video=VideoInfo(duration_s=duration_s, fps=fps, frames=round(duration_s * fps)),
            sets=[set_result],
        )
        return self.analyses.save(
            person, analysis, source_fingerprint, landmarks=landmarks, recorded_at=started_at,
            self_report=self_report, kind="live",
        )
