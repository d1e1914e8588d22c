"""People (profiles: name, conditions, goals) and settings, per person or store-wide.

:func:`person_row` finds a person in an open transaction (``None``: the default person); every
repository uses it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hipwise.store.database import Database
from hipwise.store.errors import InvalidProfileError, PersonNotFoundError
from hipwise.store.inputs import ProfileInput, profile_error
from hipwise.store.models import Person, Setting, utcnow
from hipwise.store.records import PersonRecord
from hipwise.store.vocab import Condition, Goal

__all__ = [
    "DEFAULT_PERSON_KEY",
    "DEFAULT_PERSON_NAME",
    "PeopleRepository",
    "get_setting_value",
    "person_record",
    "person_row",
    "put_setting",
]


DEFAULT_PERSON_KEY = "default_person"
DEFAULT_PERSON_NAME = "me"


def person_row(
    db: Session, name: str | None, *, create: bool = False, lock: bool = False
) -> Person:
    """The person named ``name`` in the open transaction ``db`` (None: the default person:
    the store-wide default, else the only profile). ``create``: make a missing profile (the
    default one is called ``"me"``); ``lock``: lock the row (PostgreSQL) for a writer.

    Raises:
        PersonNotFoundError: with what to do.
    """
    if name is None:
        default = db.scalars(
            select(Setting).where(Setting.person_id.is_(None),
                                  Setting.key == DEFAULT_PERSON_KEY)
        ).first()
        if default is not None:
            name = str(default.value)
        else:
            people = db.scalars(select(Person).order_by(Person.id).limit(2)).all()
            if len(people) == 1:
                name = people[0].name
            elif not people and create:
                name = DEFAULT_PERSON_NAME
            elif not people:
                raise PersonNotFoundError(
                    "no profile yet: create one with 'hipwise profile create NAME'"
                )
            else:
                raise PersonNotFoundError(
                    "several profiles and no default: pass --person NAME or run "
                    "'hipwise profile use NAME'"
                )
    stmt = select(Person).where(Person.name == name.strip())
    if lock:
        stmt = stmt.with_for_update()
    row = db.scalars(stmt).first()
    if row is not None:
        return row
    if not create:
        raise PersonNotFoundError(
            f"no profile named {name!r}: create it with 'hipwise profile create {name!r}' "
            "or list profiles with 'hipwise profile list'"
        )
    try:
        profile = ProfileInput(name=name)
    except ValidationError as exc:
        raise profile_error(exc) from exc
    row = Person(name=profile.name, conditions=[], goals=[])
    db.add(row)
    db.flush()
    return row

def person_record(row: Person) -> PersonRecord:
    """The plain record of a person row."""
    return PersonRecord(
        id=row.id,
        name=row.name,
        conditions=tuple(cast(list[Condition], row.conditions or [])),
        goals=tuple(cast(list[Goal], row.goals or [])),
    )

def get_setting_value(db: Session, person_id: int | None, key: str) -> Any:
    """A setting's JSON value in ``db`` (None if unset); ``person_id`` None: store-wide."""
    cond = Setting.person_id.is_(None) if person_id is None else Setting.person_id == person_id
    row = db.scalars(select(Setting).where(cond, Setting.key == key)).first()
    return None if row is None else row.value

def put_setting(db: Session, person_id: int | None, key: str, value: Any) -> None:
    """Insert or update a setting in ``db``; ``person_id`` None: store-wide."""
    cond = Setting.person_id.is_(None) if person_id is None else Setting.person_id == person_id
    row = db.scalars(select(Setting).where(cond, Setting.key == key)).first()
    if row is None:
        db.add(Setting(person_id=person_id, key=key, value=value))
    else:
        row.value = value
        row.updated_at = utcnow()
    db.flush()

class PeopleRepository:
    """People (profiles) and their settings."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(
        self,
        name: str,
        conditions: Sequence[str] = (),
        goals: Sequence[str] = (),
        *,
        make_default: bool = False,
    ) -> PersonRecord:
        """Create a profile. The first profile becomes the default.

        Raises:
            InvalidProfileError: bad name/condition/goal, or the name is taken.
        """
        try:
            profile = ProfileInput(name=name, conditions=tuple(conditions), goals=tuple(goals))
        except ValidationError as exc:
            raise profile_error(exc) from exc
        try:
            with self.db.transaction() as db:
                if db.scalars(select(Person).where(Person.name == profile.name)).first():
                    raise InvalidProfileError(
                        f"a profile named {profile.name!r} exists already: use "
                        "'hipwise profile update' to change it"
                    )
                first = db.scalar(select(func.count(Person.id))) == 0
                row = Person(name=profile.name, conditions=list(profile.conditions),
                             goals=list(profile.goals))
                db.add(row)
                db.flush()
                if first or make_default:
                    put_setting(db, None, DEFAULT_PERSON_KEY, row.name)
                return person_record(row)
        except sa_exc.IntegrityError as exc:
            raise InvalidProfileError(f"a profile named {profile.name!r} exists already") from exc

    def update(
        self,
        name: str | None,
        *,
        new_name: str | None = None,
        conditions: Sequence[str] | None = None,
        goals: Sequence[str] | None = None,
    ) -> PersonRecord:
        """Change a profile (None: leave as is). ``name`` None: the default person.

        Raises:
            InvalidProfileError, PersonNotFoundError.
        """
        with self.db.transaction() as db:
            row = person_row(db, name, lock=True)
            try:
                profile = ProfileInput(
                    name=new_name if new_name is not None else row.name,
                    conditions=tuple(conditions if conditions is not None else row.conditions),
                    goals=tuple(goals if goals is not None else row.goals),
                )
            except ValidationError as exc:
                raise profile_error(exc) from exc
            if profile.name != row.name:
                if db.scalars(select(Person).where(Person.name == profile.name)).first():
                    raise InvalidProfileError(f"a profile named {profile.name!r} exists already")
                default = get_setting_value(db, None, DEFAULT_PERSON_KEY)
                if default == row.name:
                    put_setting(db, None, DEFAULT_PERSON_KEY, profile.name)
            row.name = profile.name
            row.conditions = list(profile.conditions)
            row.goals = list(profile.goals)
            row.updated_at = utcnow()
            db.flush()
            return person_record(row)

    def get(self, name: str | None = None) -> PersonRecord:
        """The profile named ``name`` (None: the default person).

        Raises:
            PersonNotFoundError: with what to do.
        """
        with self.db.read() as db:
            return person_record(person_row(db, name))

    def all(self) -> list[PersonRecord]:
        """All profiles, by name."""
        with self.db.read() as db:
            rows = db.scalars(select(Person).order_by(Person.name))
            return [person_record(p) for p in rows]

    def set_default(self, name: str) -> PersonRecord:
        """Make ``name`` the default profile."""
        with self.db.transaction() as db:
            row = person_row(db, name)
            put_setting(db, None, DEFAULT_PERSON_KEY, row.name)
            return person_record(row)


    def get_setting(self, key: str, person: str | None = None, *, store_wide: bool = False) -> Any:
        """A setting's JSON value (None if unset); per person unless ``store_wide``."""
        with self.db.read() as db:
            pid = None if store_wide else person_row(db, person).id
            return get_setting_value(db, pid, key)

    def set_setting(
        self, key: str, value: Any, person: str | None = None, *, store_wide: bool = False
    ) -> None:
        """Store a JSON-serialisable setting, per person unless ``store_wide``."""
        with self.db.transaction() as db:
            pid = None if store_wide else person_row(db, person).id
            put_setting(db, pid, key, value)
