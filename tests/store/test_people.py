"""People and settings: profiles, their validation, the default person, settings.
Each on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hipwise.store import InvalidProfileError, PersonNotFoundError, Store

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
EMPTY = {
    "people": 0, "sessions": 0, "recordings": 0, "landmarks": 0, "sets": 0, "reps": 0,
    "rep_faults": 0, "self_reports": 0, "program_events": 0,
}


@pytest.mark.parametrize(
    ("name", "conditions", "goals", "match"),
    [
        ("", (), (), "name"),
        ("   ", (), (), "blank"),
        ("x" * 81, (), (), "at most 80"),
        ("Ana\x00", (), (), "printable"),
        ("Ana", ("broken_leg",), (), "conditions"),
        ("Ana", (), ("lose_weight",), "goals"),
    ],
)
def test_invalid_profile_values_are_rejected(
    db_url: str, name: str, conditions: tuple[str, ...], goals: tuple[str, ...], match: str
) -> None:
    with Store.open(db_url) as store:
        with pytest.raises(InvalidProfileError, match=match):
            store.people.create(name, conditions, goals)
        assert store.schema.counts() == EMPTY


def test_duplicate_and_missing_profiles(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.people.create("Ana", ["trochanteric_bursitis"], ["pre_run_activation"])
        with pytest.raises(InvalidProfileError, match="exists already"):
            store.people.create("Ana")
        with pytest.raises(PersonNotFoundError, match="profile create"):
            store.people.get("Nobody")
        store.people.create("Bo")
        with pytest.raises(InvalidProfileError, match="exists already"):
            store.people.update("Bo", new_name="Ana")
        with pytest.raises(InvalidProfileError, match="conditions"):
            store.people.update("Ana", conditions=["flu"])
        ana = store.people.get("Ana")
        assert ana.conditions == ("trochanteric_bursitis",)
        renamed = store.people.update("Ana", new_name="Ana B", goals=[])
        assert renamed.goals == () and store.people.get().name == "Ana B"


def test_settings_per_person_and_store_wide(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.people.create("Ana")
        store.people.create("Bo")
        store.people.set_setting("program_config", {"sessions_per_week": 4}, "Ana")
        store.people.set_setting("program_config", {"sessions_per_week": 2}, "Ana")
        assert store.people.get_setting("program_config", "Ana") == {"sessions_per_week": 2}
        assert store.people.get_setting("program_config", "Bo") is None
        assert store.people.get_setting("default_person", store_wide=True) == "Ana"
        store.people.set_default("Bo")
        assert store.people.get().name == "Bo"
