"""Live sets saved as recordings.
Each on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from hipwise.store import Store
from tests.store.helpers import make_analysis

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def test_live_set_is_saved_as_a_live_recording(db_url: str) -> None:
    set_result = make_analysis(side="left").sets[0]
    with Store.open(db_url) as store:
        res = store.live.save(None, set_result, "live:1234", started_at=T0, duration_s=20.0)
        back = store.analyses.load(res.recording_id)
    assert back.sets == [set_result]
    assert back.video.frames == 600
