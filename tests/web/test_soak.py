"""The soak benchmark's summary (the run itself is a benchmark: python -m hipwise.web.bench
--soak MINUTES)."""

from __future__ import annotations

import pytest

from hipwise.web.bench import main
from hipwise.web.soak import _summarise


def test_summary_per_minute_and_memory_levels() -> None:
    lat = [(float(t), 50.0 + (t % 10)) for t in range(0, 180)]  # 1 result a second, 3 minutes
    rss = [(float(t), 400.0 + (100.0 if t % 20 == 0 else 0.0) + t / 10) for t in range(0, 181, 5)]
    res = _summarise(3.0, lat, drops=[61.0], errs=[(130.0, "boom")], rss=rss,
                     rss_start=400.0, warmup_s=60.0, cycles=9, abandoned=9, resumed=3,
                     finished=3)
    assert [m.results for m in res.per_minute] == [60, 60, 60]
    assert [m.dropped for m in res.per_minute] == [0, 1, 0]
    assert [m.errors for m in res.per_minute] == [0, 0, 1]
    assert res.per_minute[0].p95_ms == pytest.approx(59.0, abs=0.6)
    # medians ignore the 100 MB swings of a model being built
    assert res.rss_warm_mb == pytest.approx(409.0, abs=1.0)
    assert res.rss_end_mb == pytest.approx(416.0, abs=1.5)
    assert res.rss_peak_mb == pytest.approx(518.0)
    text = res.table()
    assert "| 2 |" in text and "1 errors" in text and "9 session cycles" in text


def test_soak_flags_are_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--soak", "0"]) == 2
    assert main(["--soak", "1", "--cycle", "0"]) == 2
    assert main(["--abandoned", "3"]) == 2
    assert "error" in capsys.readouterr().err
