"""Clinic operations on the store, with the access rules in one place.

Who may see whom:

* an **admin** sees every patient;
* a **therapist** sees the patients assigned to them, nobody else;
* a **patient** sees only themself.

A patient the caller may not see is reported exactly like one that does not exist
(:class:`NotFoundError`), so ids cannot be probed. Actions a role may never take raise
:class:`ForbiddenError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from hipwise.clinic.auth import ROLES, Principal, Role, hash_password
from hipwise.clinic.config import ClinicConfig
from hipwise.clinic.flags import Flag, SessionRow, patient_flags, session_rows
from hipwise.clinic.prescription import PRESCRIPTION_KEY, Prescription
from hipwise.store.inputs import ProfileInput
from hipwise.store.models import ClinicJob, ClinicUser, Person, Recording, Setting, utcnow
from hipwise.store.records import PersonData
from hipwise.store.store import Store

__all__ = ["ClinicError", "ForbiddenError", "NotFoundError", "PatientSummary", "create_user",
           "get_prescription", "job_for", "list_patients", "patient_detail", "person_for",
           "put_prescription", "recording_for"]


class ClinicError(Exception):
    """Base of the clinic's request errors; ``status`` is the HTTP status code."""

    status = 400


class NotFoundError(ClinicError):
    """No such thing, or one the caller may not see (404)."""

    status = 404


class ForbiddenError(ClinicError):
    """The caller's role may not do this (403)."""

    status = 403


class ConflictError(ClinicError):
    """The request clashes with what exists (409), e.g. a taken username."""

    status = 409


@dataclass(frozen=True)
class PatientSummary:
    """A patient in the therapist's list."""

    person_id: int
    username: str
    therapist: str | None
    sessions: int
    last_session: datetime | None
    flags: tuple[Flag, ...]


def create_user(
    db: Session, username: str, password: str, role: str, *, therapist: str | None = None
) -> ClinicUser:
    """Create an account (a patient also gets a store profile named after the username).

    Raises:
        ClinicError: bad role, username or password; ConflictError: the username is taken.
    """
    if role not in ROLES:
        raise ClinicError(f"role must be one of {', '.join(ROLES)}")
    try:
        name = ProfileInput(name=username).name
    except ValidationError as exc:
        raise ClinicError(f"bad username: {exc.errors()[0]['msg']}") from exc
    if len(password) < 8:
        raise ClinicError("the password must have at least 8 characters")
    if db.scalars(select(ClinicUser).where(ClinicUser.username == name)).first() is not None:
        raise ConflictError(f"the username {name!r} is taken")
    therapist_id = None
    if therapist is not None:
        if role != "patient":
            raise ClinicError("only patients have a therapist")
        t = db.scalars(select(ClinicUser).where(ClinicUser.username == therapist,
                                                ClinicUser.role == "therapist")).first()
        if t is None:
            raise ClinicError(f"no therapist named {therapist!r}")
        therapist_id = t.id
    person_id = None
    if role == "patient":
        person = db.scalars(select(Person).where(Person.name == name)).first()
        if person is None:
            person = Person(name=name, conditions=[], goals=[])
            db.add(person)
            db.flush()
        person_id = person.id
    user = ClinicUser(username=name, password_hash=hash_password(password), role=role,
                      person_id=person_id, therapist_id=therapist_id, created_at=utcnow())
    db.add(user)
    db.flush()
    return user


def person_for(db: Session, who: Principal, person_id: int) -> Person:
    """The patient ``person_id`` if ``who`` may see them.

    Raises:
        NotFoundError: no such patient, or not one of the caller's.
    """
    missing = NotFoundError(f"no patient {person_id}")
    if who.role == "patient":
        if who.person_id != person_id:
            raise missing
    else:
        user = db.scalars(select(ClinicUser).where(ClinicUser.person_id == person_id)).first()
        if user is None or (who.role == "therapist" and user.therapist_id != who.user_id):
            raise missing
    person = db.get(Person, person_id)
    if person is None:
        raise missing
    return person


def require_role(who: Principal, *roles: Role) -> None:
    """Raise :class:`ForbiddenError` unless ``who`` has one of ``roles``."""
    if who.role not in roles:
        raise ForbiddenError(f"a {who.role} may not do this")


def _patient_users(db: Session, who: Principal) -> list[ClinicUser]:
    stmt = select(ClinicUser).where(ClinicUser.role == "patient")
    if who.role == "therapist":
        stmt = stmt.where(ClinicUser.therapist_id == who.user_id)
    elif who.role != "admin":
        raise ForbiddenError("only therapists and admins list patients")
    return list(db.scalars(stmt.order_by(ClinicUser.username)))


def prescription_of(data: PersonData) -> Prescription | None:
    """The stored prescription of a person (None: none set)."""
    raw = data.settings.get(PRESCRIPTION_KEY)
    return None if raw is None else Prescription.model_validate(raw)


def _flags_for(data: PersonData, rx: Prescription | None, now: datetime,
               config: ClinicConfig) -> list[Flag]:
    return patient_flags(
        data, now=now, window_days=config.flag_window_days,
        good_share_drop=config.good_share_drop,
        sessions_per_week=rx.sessions_per_week if rx else config.sessions_per_week,
    )


def list_patients(
    store: Store, who: Principal, *, now: datetime, config: ClinicConfig
) -> list[PatientSummary]:
    """The caller's patients, flagged ones first (then by name)."""
    with store.read() as db:
        users = _patient_users(db, who)
        therapists = {u.id: u.username for u in db.scalars(
            select(ClinicUser).where(ClinicUser.role == "therapist"))}
        rows = []
        for u in users:
            person = db.get(Person, u.person_id) if u.person_id is not None else None
            if person is not None:
                rows.append((person.id, person.name, u.username,
                             therapists.get(u.therapist_id) if u.therapist_id else None))
    out = []
    for person_id, name, username, therapist in rows:
        data = store.programme.person_data(name)
        flags = _flags_for(data, prescription_of(data), now, config)
        out.append(PatientSummary(
            person_id=person_id, username=username, therapist=therapist,
            sessions=len(data.sessions),
            last_session=data.sessions[-1].started_at if data.sessions else None,
            flags=tuple(flags),
        ))
    out.sort(key=lambda p: (not p.flags, p.username))
    return out


def patient_detail(
    store: Store, who: Principal, person_id: int, *, now: datetime, config: ClinicConfig
) -> tuple[PersonData, list[SessionRow], list[Flag], Prescription | None]:
    """One patient's data, trend rows, flags and prescription (raises NotFoundError)."""
    with store.read() as db:
        name = person_for(db, who, person_id).name
    data = store.programme.person_data(name)
    rx = prescription_of(data)
    return data, session_rows(data), _flags_for(data, rx, now, config), rx


def recording_for(db: Session, who: Principal, person_id: int, recording_id: int) -> Recording:
    """A stored recording of a visible patient (raises NotFoundError)."""
    person_for(db, who, person_id)
    rec = db.get(Recording, recording_id)
    if rec is None or rec.person_id != person_id:
        raise NotFoundError(f"no recording {recording_id} for patient {person_id}")
    return rec


def get_prescription(store: Store, who: Principal, person_id: int) -> Prescription | None:
    """The patient's prescription (None: none set yet)."""
    with store.read() as db:
        person_for(db, who, person_id)
        row = db.scalars(select(Setting).where(Setting.person_id == person_id,
                                               Setting.key == PRESCRIPTION_KEY)).first()
        return None if row is None else Prescription.model_validate(row.value)


def put_prescription(
    store: Store, who: Principal, person_id: int, rx: Prescription
) -> Prescription:
    """Set the patient's prescription (therapist of the patient, or admin)."""
    require_role(who, "therapist", "admin")
    value: Any = rx.model_dump(mode="json")
    with store.transaction() as db:
        person_for(db, who, person_id)
        row = db.scalars(select(Setting).where(Setting.person_id == person_id,
                                               Setting.key == PRESCRIPTION_KEY)).first()
        if row is None:
            db.add(Setting(person_id=person_id, key=PRESCRIPTION_KEY, value=value))
        else:
            row.value = value
            row.updated_at = utcnow()
    return rx


def job_for(db: Session, who: Principal, job_id: int) -> ClinicJob:
    """A video job of a visible patient (raises NotFoundError)."""
    job = db.get(ClinicJob, job_id)
    if job is None:
        raise NotFoundError(f"no job {job_id}")
    try:
        person_for(db, who, job.person_id)
    except NotFoundError:
        raise NotFoundError(f"no job {job_id}") from None
    return job
