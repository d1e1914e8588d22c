"""CSV tables: columns match docs/report.md, rows match the engine's results."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

from hipwise.faults import FAULT_RULES
from hipwise.report import ReportInput
from hipwise.report.tables import (
    CHANNEL_COLUMNS,
    CIRCLE_COLUMNS,
    FRAME_COLUMNS,
    HOLD_COLUMNS,
    REP_COLUMNS,
    frame_rows,
    rep_rows,
    write_csv,
)
from hipwise.reps.measure import CHANNELS
from hipwise.reps.session import FrameState

DOCS = Path(__file__).resolve().parents[2] / "docs" / "report.md"


def documented_columns(heading: str) -> list[str]:
    """Column names (first cell, in backticks) of the markdown table under ``heading``."""
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(heading)
    names: list[str] = []
    in_table = False
    for line in text[start:].splitlines()[1:]:
        if line.startswith("|"):
            in_table = True
            m = re.match(r"\|\s*`([^`]+)`\s*\|", line)
            if m:
                names.append(m.group(1))
        elif in_table:
            break
    return names


def test_documented_columns_match_the_code() -> None:
    assert documented_columns("### frames.csv") == [c.name for c in FRAME_COLUMNS]
    assert documented_columns("### reps.csv") == [c.name for c in REP_COLUMNS]
    assert documented_columns("### holds.csv") == [c.name for c in HOLD_COLUMNS]
    assert documented_columns("### circles.csv") == [c.name for c in CIRCLE_COLUMNS]


def test_every_engine_channel_has_a_frame_column() -> None:
    assert set(CHANNELS) <= set(CHANNEL_COLUMNS)
    assert [c.name for c in FRAME_COLUMNS][-len(CHANNEL_COLUMNS):] == list(
        CHANNEL_COLUMNS.values())


def test_written_csv_has_documented_header_and_one_row_per_frame_and_rep(
    tmp_path: Path, report_input: ReportInput
) -> None:
    inp = report_input
    frames = write_csv(tmp_path / "frames.csv", FRAME_COLUMNS, frame_rows(inp.frames))
    reps = write_csv(tmp_path / "reps.csv", REP_COLUMNS, rep_rows(inp.analysis))
    with frames.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == documented_columns("### frames.csv")
    assert len(rows) == len(inp.frames)
    assert [float(r["t_s"]) for r in rows[:3]] == [round(f.t, 3) for f in inp.frames[:3]]
    # the rep counter in the frame table ends at the number of reps counted
    assert max(int(r["reps"]) for r in rows) >= len(inp.analysis.sets[0].reps) - 1
    with reps.open(encoding="utf-8") as fh:
        rep_table = list(csv.DictReader(fh))
    assert list(rep_table[0]) == documented_columns("### reps.csv")
    assert [r["faults"] for r in rep_table] == ["", "toes_up"]
    assert [r["good"] for r in rep_table] == ["1", "0"]
    assert rep_table[1]["cue"] == FAULT_RULES["toes_up"].cue
    peak = inp.analysis.sets[0].reps[0].peak_abduction_deg
    assert float(rep_table[0]["peak_abduction_deg"]) == peak


def test_missing_values_are_empty_cells(tmp_path: Path) -> None:
    state = FrameState(t=0.5, detected=False, side=None, phase="rest", abduction_deg=None,
                       channels=np.full(len(CHANNELS), np.nan), set_index=0, rep_count=0)
    path = write_csv(tmp_path / "f.csv", FRAME_COLUMNS, frame_rows([state]))
    with path.open(encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    assert row["t_s"] == "0.5" and row["detected"] == "0" and row["phase"] == "rest"
    assert row["working_leg"] == "" and row["abduction_deg"] == ""
    assert all(row[name] == "" for name in CHANNEL_COLUMNS.values())
