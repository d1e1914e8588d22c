"""The store: open a database by URL, migrate it, save analyses and read plain records back.

SQLite (default, a file in the user's data directory) and PostgreSQL (``HIPWISE_DATABASE_URL``,
e.g. ``postgresql://user@host/db``) behave the same:

* every write is one transaction: an analysis with all its sets, reps, faults, landmarks and
  self-report is saved completely or not at all;
* writers take the lock up front (SQLite ``BEGIN IMMEDIATE``; PostgreSQL row lock on the
  person), wait up to :attr:`StoreConfig.lock_timeout_s`, then fail with
  :class:`DatabaseLockedError`;
* saving the same source (fingerprint) twice for a person stores it once, also when two
  processes save it at the same moment;
* the schema is migrated to the newest revision on open (Alembic, serialised between processes).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal, cast

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, create_engine, event, func, select, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from hipwise.contract import Analysis, SetResult, VideoInfo
from hipwise.pose.landmarks import Side
from hipwise.pose.sequence import PoseSequence
from hipwise.store.blobs import LANDMARKS_FORMAT, decode_landmarks, encode_landmarks
from hipwise.store.config import StoreConfig, default_database_url, sqlite_url
from hipwise.store.errors import (
    DatabaseCorruptError,
    DatabaseLockedError,
    DatabaseUnavailableError,
    InvalidProfileError,
    PersonNotFoundError,
    SchemaTooNewError,
    StoreError,
)
from hipwise.store.inputs import ProfileInput, SelfReportInput, profile_error
from hipwise.store.models import (
    Circle,
    Hold,
    Landmarks,
    Person,
    ProgramEvent,
    Recording,
    Rep,
    RepFault,
    SelfReportRow,
    SetRow,
    Setting,
    TrainingSession,
    utcnow,
)
from hipwise.store.records import (
    EventRecord,
    PersonData,
    PersonRecord,
    RepRecord,
    SaveResult,
    SelfReportRecord,
    SessionRecord,
    SetRecord,
)
from hipwise.store.vocab import Condition, EventKind, Feeling, Goal

__all__ = [
    "DEFAULT_PERSON_KEY",
    "DEFAULT_PERSON_NAME",
    "MIGRATIONS_LOCATION",
    "EventSpec",
    "ProfileInput",
    "SelfReportInput",
    "Store",
    "save_analysis",
]

log = logging.getLogger(__name__)

MIGRATIONS_LOCATION = "hipwise:migrations"
DEFAULT_PERSON_KEY = "default_person"
DEFAULT_PERSON_NAME = "me"
_PG_MIGRATION_LOCK = 0x68697077  # "hipw": advisory lock id serialising migrations
_MAX_SAVE_ATTEMPTS = 3


# ---------------------------------------------------------------------------------------------
# errors from the driver -> store errors


def _db_description(url: str) -> str:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return f"the SQLite database {u.database or ':memory:'}"
    return f"the database {u.render_as_string(hide_password=True)}"


def _translate(exc: BaseException, url: str) -> StoreError | None:
    """A store error for a driver error, or None when ``exc`` is not a database problem."""
    orig: BaseException = exc.orig if isinstance(exc, sa_exc.DBAPIError) else exc  # type: ignore[assignment]
    msg = str(orig).lower()
    where = _db_description(url)
    sqlstate = getattr(orig, "sqlstate", None)
    if isinstance(exc, sa_exc.IntegrityError):
        return None
    if "locked" in msg or "busy" in msg or sqlstate in ("55P03", "40P01"):
        return DatabaseLockedError(
            f"{where} is locked by another process (another hipwise saving?). "
            "Wait for it to finish and try again."
        )
    if isinstance(orig, sqlite3.DatabaseError) and (
        "not a database" in msg or "malformed" in msg or "corrupt" in msg
        or "disk image" in msg
    ):
        return DatabaseCorruptError(
            f"{where} is damaged or is not a hipwise database ({orig}). Move the file aside "
            "(it may be recoverable with 'sqlite3 FILE .recover') and hipwise will start a new "
            "one, or point HIPWISE_DATABASE_URL at another database."
        )
    if "readonly" in msg or "read-only" in msg:
        return DatabaseUnavailableError(
            f"{where} is read-only: check the permissions of the file and its folder."
        )
    if isinstance(orig, sqlite3.OperationalError) and "unable to open" in msg:
        return DatabaseUnavailableError(
            f"cannot open {where}: check that its folder exists and is writable, or set "
            "HIPWISE_DATABASE_URL / HIPWISE_DATA_DIR."
        )
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) and (
        "connect" in msg or "connection" in msg or "password" in msg or "does not exist" in msg
    ):
        return DatabaseUnavailableError(
            f"cannot connect to {where} ({str(orig).strip()}). Check that the server is running "
            "and the URL in HIPWISE_DATABASE_URL is right."
        )
    if isinstance(exc, sa_exc.DBAPIError | sqlite3.Error):
        return StoreError(f"database error in {where}: {str(orig).strip()}")
    return None


# ---------------------------------------------------------------------------------------------
# the module-level save (inside a caller's transaction)


def _find_or_create_session(
    db: Session, person_id: int, start: datetime, end: datetime, gap_s: float
) -> TrainingSession:
    gap = timedelta(seconds=gap_s)
    candidates = db.scalars(
        select(TrainingSession)
        .where(
            TrainingSession.person_id == person_id,
            TrainingSession.started_at <= end + gap,
            TrainingSession.ended_at >= start - gap,
        )
        .order_by(TrainingSession.started_at)
    ).all()
    if candidates:
        ts = candidates[0]
        ts.started_at = min(ts.started_at, start)
        ts.ended_at = max(ts.ended_at, end)
        return ts
    ts = TrainingSession(person_id=person_id, started_at=start, ended_at=end)
    db.add(ts)
    db.flush()
    return ts


def _current_load(db: Session, person_id: int, side: str) -> float:
    """The ankle-weight load (kg) the latest programme event set for ``side`` (0: bodyweight)."""
    row = db.scalars(
        select(ProgramEvent)
        .where(
            ProgramEvent.person_id == person_id,
            ProgramEvent.load_kg.is_not(None),
            (ProgramEvent.side == side) | ProgramEvent.side.is_(None),
        )
        .order_by(ProgramEvent.effective_at.desc(), ProgramEvent.id.desc())
        .limit(1)
    ).first()
    return float(row.load_kg) if row is not None and row.load_kg is not None else 0.0


def _set_start(recorded_at: datetime, s: SetResult) -> datetime:
    starts = [r.start_s for r in s.reps]
    starts += [h.start_s for h in s.holds or []]
    starts += [c.start_s for c in s.circles or []]
    return recorded_at + timedelta(seconds=min(starts) if starts else 0.0)


def _set_row(
    person_id: int, session_id: int, position: int, s: SetResult, recorded_at: datetime,
    load_kg: float,
) -> SetRow:
    row = SetRow(
        person_id=person_id,
        session_id=session_id,
        position=position,
        working_leg=s.working_leg,
        variation=s.variation,
        started_at=_set_start(recorded_at, s),
        load_kg=load_kg,
        total_reps=len(s.reps),
        good_reps=s.good_reps,
    )
    row.reps = [
        Rep(
            index=r.index, start_s=r.start_s, peak_s=r.peak_s, end_s=r.end_s,
            peak_abduction_deg=r.peak_abduction_deg, lift_s=r.lift_s, hold_s=r.hold_s,
            lower_s=r.lower_s, good=r.good, shaking=r.shaking,
            foot_rotation_deg=r.foot_rotation_deg, side_bend_change_deg=r.side_bend_change_deg,
            pelvis_roll_deg=r.pelvis_roll_deg, forward_drift_deg=r.forward_drift_deg,
            min_knee_deg=r.min_knee_deg, peak_opening_deg=r.peak_opening_deg,
            faults=[RepFault(fault=f) for f in r.faults],
        )
        for r in s.reps
    ]
    row.holds = [
        Hold(
            position=i, start_s=h.start_s, end_s=h.end_s, hold_s=h.hold_s,
            mean_abduction_deg=h.mean_abduction_deg, sag_deg=h.sag_deg, shaking=h.shaking,
        )
        for i, h in enumerate(s.holds or [], start=1)
    ]
    row.circles = [
        Circle(
            index=c.index, start_s=c.start_s, end_s=c.end_s, direction=c.direction,
            diameter_cm=c.diameter_cm,
        )
        for c in s.circles or []
    ]
    return row


def save_analysis(
    session: Session,
    person: Person,
    analysis: Analysis,
    source_fingerprint: str,
    landmarks: PoseSequence | None = None,
    recorded_at: datetime | None = None,
    self_report: SelfReportInput | None = None,
    *,
    load_kg: float | Mapping[Side, float] | None = None,
    kind: Literal["video", "live"] = "video",
    session_gap_s: float = StoreConfig().session_gap_s,
) -> SaveResult:
    """Save one analysis for ``person`` inside the caller's open transaction ``session``.

    Most callers want :meth:`Store.save_analysis`, which opens the transaction, resolves the
    person by name and handles two processes saving the same source at once.

    Args:
        session: an ORM session inside a transaction (commit/rollback is the caller's).
        person: the :class:`~hipwise.store.models.Person` row.
        analysis: the result of ``hipwise analyze`` (or a live set wrapped in an Analysis).
        source_fingerprint: identifies the source, e.g. ``"sha256:<hex of the file bytes>"``
            (1-128 characters); the same fingerprint for the same person is stored once.
        landmarks: the pose sequence, stored compressed (see :mod:`hipwise.store.blobs`).
        recorded_at: when the recording started (timezone-aware); default: now minus the
            video's duration.
        self_report: what the person felt, attached to the recording's last set.
        load_kg: ankle weight (kg) per side or for both; default: the programme's current load.
        kind: ``"video"`` for a recorded file, ``"live"`` for a live camera set.
        session_gap_s: recordings closer than this (s) join the same training session.

    Returns:
        What was saved; ``created`` False (and nothing written) when the fingerprint exists.

    Raises:
        ValueError: bad fingerprint or naive ``recorded_at``.
    """
    fingerprint = source_fingerprint.strip()
    if not 1 <= len(fingerprint) <= 128:
        raise ValueError("source_fingerprint must be 1-128 characters")
    existing = session.scalars(
        select(Recording).where(
            Recording.person_id == person.id, Recording.fingerprint == fingerprint
        )
    ).first()
    if existing is not None:
        set_ids = session.scalars(
            select(SetRow.id).where(SetRow.recording_id == existing.id).order_by(SetRow.position)
        ).all()
        log.info("source %s already saved for %s (recording %d)", fingerprint, person.name,
                 existing.id)
        return SaveResult(existing.id, existing.session_id, tuple(set_ids), created=False)
    if recorded_at is None:
        recorded_at = utcnow() - timedelta(seconds=analysis.video.duration_s)
    if recorded_at.tzinfo is None:
        raise ValueError("recorded_at must be timezone-aware (e.g. datetime.now(UTC))")
    end = recorded_at + timedelta(seconds=analysis.video.duration_s)
    ts = _find_or_create_session(session, person.id, recorded_at, end, session_gap_s)
    rec = Recording(
        person_id=person.id, session_id=ts.id, fingerprint=fingerprint, kind=kind,
        recorded_at=recorded_at, saved_at=utcnow(), duration_s=analysis.video.duration_s,
        fps=analysis.video.fps, frames=analysis.video.frames, width=analysis.video.width,
        height=analysis.video.height, hipwise_version=analysis.hipwise_version,
        warnings=list(analysis.warnings), result_json=analysis.to_json(indent=None),
    )
    session.add(rec)
    session.flush()
    for pos, s in enumerate(analysis.sets, start=1):
        if load_kg is None:
            load = _current_load(session, person.id, s.working_leg)
        elif isinstance(load_kg, Mapping):
            load = float(load_kg.get(s.working_leg, 0.0))
        else:
            load = float(load_kg)
        rec.sets.append(_set_row(person.id, ts.id, pos, s, recorded_at, load))
    session.flush()
    if landmarks is not None:
        rec.landmarks = Landmarks(
            format=LANDMARKS_FORMAT, frames=len(landmarks), data=encode_landmarks(landmarks)
        )
    if self_report is not None:
        last = rec.sets[-1] if rec.sets else None
        session.add(
            SelfReportRow(
                person_id=person.id, set_id=last.id if last else None, recorded_at=end,
                feelings=list(self_report.feelings),
                side=self_report.side or (last.working_leg if last else None),
                note=self_report.note,
            )
        )
    session.flush()
    log.info("saved recording %d (%d sets) for %s", rec.id, len(rec.sets), person.name)
    return SaveResult(rec.id, ts.id, tuple(s.id for s in rec.sets), created=True)


# ---------------------------------------------------------------------------------------------
# engine set-up


def _install_sqlite_hooks(engine: Engine, config: StoreConfig) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(config.lock_timeout_s * 1000)}")
            cur.execute("PRAGMA foreign_keys = ON")
            if config.sqlite_wal:
                cur.execute("PRAGMA journal_mode = WAL")
                cur.execute("PRAGMA synchronous = NORMAL")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("hipwise_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _make_engine(url: str, config: StoreConfig) -> Engine:
    try:
        u = make_url(url)
    except sa_exc.ArgumentError as exc:
        raise DatabaseUnavailableError(
            f"{url!r} is not a database URL. Use e.g. sqlite:////path/hipwise.db or "
            "postgresql://user@host/dbname."
        ) from exc
    backend = u.get_backend_name()
    if backend == "sqlite":
        memory = u.database in (None, "", ":memory:")
        if not memory:
            assert u.database is not None
            path = Path(u.database)
            if path.is_dir():
                raise DatabaseUnavailableError(
                    f"{path} is a folder; the database URL must name a file."
                )
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailableError(
                    f"cannot create the folder {path.parent} for the database: {exc}"
                ) from exc
        engine = create_engine(
            u,
            connect_args={"timeout": config.lock_timeout_s, "check_same_thread": False},
            poolclass=StaticPool if memory else None,
        )
        _install_sqlite_hooks(engine, config)
        return engine
    if backend == "postgresql":
        if u.get_driver_name() in ("", "psycopg2") and u.drivername == "postgresql":
            u = u.set(drivername="postgresql+psycopg")
        try:
            return create_engine(
                u, pool_pre_ping=True,
                connect_args={"connect_timeout": config.connect_timeout_s},
            )
        except ModuleNotFoundError as exc:
            raise DatabaseUnavailableError(
                f"the database driver {u.drivername!r} is not installed: use a "
                "postgresql:// URL (psycopg 3, installed with hipwise)"
            ) from exc
    raise DatabaseUnavailableError(
        f"unsupported database {backend!r}: hipwise supports SQLite and PostgreSQL."
    )


@dataclass(frozen=True)
class EventSpec:
    """A programme event to add (see :meth:`Store.update_programme`)."""

    kind: EventKind
    effective_at: datetime
    side: Side | None = None
    load_kg: float | None = None
    variation: str | None = None
    reason: str = ""


@dataclass
class _Revisions:
    head: str
    known: frozenset[str]


class Store:
    """A hipwise database. Open with :meth:`open`; use as a context manager to close it.

    >>> with Store.open("sqlite:///:memory:") as store:          # doctest: +SKIP
    ...     result = store.save_analysis("me", analysis, "sha256:...")
    """

    def __init__(self, engine: Engine, url: str, config: StoreConfig) -> None:
        self.engine = engine
        self.url = url
        self.config = config
        self._write_engine = engine.execution_options(hipwise_write=True)

    # -- life cycle ----------------------------------------------------------------------------

    @classmethod
    def open(
        cls, url: str | None = None, *, config: StoreConfig | None = None, migrate: bool = True
    ) -> Store:
        """Open the database at ``url`` (default :func:`default_database_url`; a plain file path
        means a SQLite file) and, unless ``migrate`` is False, upgrade its schema to the newest
        revision.

        Raises:
            DatabaseCorruptError, DatabaseLockedError, DatabaseUnavailableError,
            SchemaTooNewError: with a message saying what to do.
        """
        url = url or default_database_url()
        if "://" not in url:  # a plain file path means a SQLite file
            url = sqlite_url(url)
        config = config or StoreConfig()
        store = cls(_make_engine(url, config), url, config)
        try:
            if migrate:
                store.upgrade()
            else:
                store.current_revision()  # fails early on a corrupt/unreachable database
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Release all connections."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except (sa_exc.DBAPIError, sqlite3.Error) as exc:
            err = _translate(exc, self.url)
            if err is None:
                raise
            raise err from exc

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: committed when the block ends, rolled back (nothing written) on
        any exception. Takes the write lock at once (SQLite) and applies the lock timeout."""
        with (
            self._errors(),
            Session(self._write_engine, expire_on_commit=False) as db,
            db.begin(),
        ):
            if self.backend == "postgresql":
                ms = int(self.config.lock_timeout_s * 1000)
                db.execute(text(f"SET LOCAL lock_timeout = {ms}"))
            yield db

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only transaction (rolled back at the end)."""
        with self._errors(), Session(self.engine, expire_on_commit=False) as db, db.begin():
            yield db
            db.rollback()

    # -- schema --------------------------------------------------------------------------------

    @staticmethod
    def _alembic_config() -> Any:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", MIGRATIONS_LOCATION)
        return cfg

    def _revisions(self) -> _Revisions:
        from alembic.script import ScriptDirectory

        script = ScriptDirectory.from_config(self._alembic_config())
        head = script.get_current_head()
        assert head is not None
        return _Revisions(head, frozenset(r.revision for r in script.walk_revisions()))

    def current_revision(self) -> str | None:
        """The schema revision of the database (None: empty database)."""
        from alembic.runtime.migration import MigrationContext

        with self._errors(), self.engine.connect() as conn:
            rev = MigrationContext.configure(conn).get_current_revision()
            conn.rollback()
            return rev

    def head_revision(self) -> str:
        """The newest schema revision this hipwise knows."""
        return self._revisions().head

    def upgrade(self, target: str = "head") -> tuple[str | None, str | None]:
        """Migrate the schema to ``target``; returns (revision before, revision after).

        Serialised between processes (SQLite write lock, PostgreSQL advisory lock), so two
        processes opening a new database at once create it once.

        Raises:
            SchemaTooNewError: the database has a revision this hipwise does not know.
        """
        from alembic import command
        from alembic.runtime.migration import MigrationContext

        revs = self._revisions()
        with self._errors(), self._write_engine.connect() as conn, conn.begin():
            if self.backend == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                             {"k": _PG_MIGRATION_LOCK})
            before = MigrationContext.configure(conn).get_current_revision()
            if before is not None and before not in revs.known:
                raise SchemaTooNewError(
                    f"{_db_description(self.url)} has schema revision {before!r}, written "
                    f"by a newer hipwise (this one knows up to {revs.head!r}). Upgrade "
                    "hipwise, or use another database."
                )
            wanted = revs.head if target == "head" else target
            if before == wanted:
                return before, before
            cfg = self._alembic_config()
            cfg.attributes["connection"] = conn
            log.info("migrating %s from %s to %s", _db_description(self.url), before, wanted)
            command.upgrade(cfg, target)
            after = MigrationContext.configure(conn).get_current_revision()
        return before, after

    def check(self) -> list[str]:
        """Integrity problems found (empty: healthy). SQLite runs ``PRAGMA quick_check``."""
        problems: list[str] = []
        if self.backend == "sqlite":
            with self._errors(), self.engine.connect() as conn:
                rows = conn.exec_driver_sql("PRAGMA quick_check").all()
                conn.rollback()
            problems += [str(r[0]) for r in rows if str(r[0]).lower() != "ok"]
        rev, head = self.current_revision(), self.head_revision()
        if rev != head:
            problems.append(f"schema revision {rev} is not the newest ({head}): run "
                            "'hipwise db upgrade'")
        return problems

    # -- people and settings -------------------------------------------------------------------

    def _person_row(
        self, db: Session, name: str | None, *, create: bool = False, lock: bool = False
    ) -> Person:
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

    @staticmethod
    def _person_record(row: Person) -> PersonRecord:
        return PersonRecord(
            id=row.id,
            name=row.name,
            conditions=tuple(cast(list[Condition], row.conditions or [])),
            goals=tuple(cast(list[Goal], row.goals or [])),
        )

    def create_person(
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
            with self.transaction() as db:
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
                    self._put_setting(db, None, DEFAULT_PERSON_KEY, row.name)
                return self._person_record(row)
        except sa_exc.IntegrityError as exc:
            raise InvalidProfileError(f"a profile named {profile.name!r} exists already") from exc

    def update_person(
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
        with self.transaction() as db:
            row = self._person_row(db, name, lock=True)
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
                default = self._get_setting(db, None, DEFAULT_PERSON_KEY)
                if default == row.name:
                    self._put_setting(db, None, DEFAULT_PERSON_KEY, profile.name)
            row.name = profile.name
            row.conditions = list(profile.conditions)
            row.goals = list(profile.goals)
            row.updated_at = utcnow()
            db.flush()
            return self._person_record(row)

    def get_person(self, name: str | None = None) -> PersonRecord:
        """The profile named ``name`` (None: the default person).

        Raises:
            PersonNotFoundError: with what to do.
        """
        with self.read() as db:
            return self._person_record(self._person_row(db, name))

    def list_people(self) -> list[PersonRecord]:
        """All profiles, by name."""
        with self.read() as db:
            rows = db.scalars(select(Person).order_by(Person.name))
            return [self._person_record(p) for p in rows]

    def set_default_person(self, name: str) -> PersonRecord:
        """Make ``name`` the default profile."""
        with self.transaction() as db:
            row = self._person_row(db, name)
            self._put_setting(db, None, DEFAULT_PERSON_KEY, row.name)
            return self._person_record(row)

    @staticmethod
    def _get_setting(db: Session, person_id: int | None, key: str) -> Any:
        cond = Setting.person_id.is_(None) if person_id is None else Setting.person_id == person_id
        row = db.scalars(select(Setting).where(cond, Setting.key == key)).first()
        return None if row is None else row.value

    @staticmethod
    def _put_setting(db: Session, person_id: int | None, key: str, value: Any) -> None:
        cond = Setting.person_id.is_(None) if person_id is None else Setting.person_id == person_id
        row = db.scalars(select(Setting).where(cond, Setting.key == key)).first()
        if row is None:
            db.add(Setting(person_id=person_id, key=key, value=value))
        else:
            row.value = value
            row.updated_at = utcnow()
        db.flush()

    def get_setting(self, key: str, person: str | None = None, *, store_wide: bool = False) -> Any:
        """A setting's JSON value (None if unset); per person unless ``store_wide``."""
        with self.read() as db:
            pid = None if store_wide else self._person_row(db, person).id
            return self._get_setting(db, pid, key)

    def set_setting(
        self, key: str, value: Any, person: str | None = None, *, store_wide: bool = False
    ) -> None:
        """Store a JSON-serialisable setting, per person unless ``store_wide``."""
        with self.transaction() as db:
            pid = None if store_wide else self._person_row(db, person).id
            self._put_setting(db, pid, key, value)

    # -- saving --------------------------------------------------------------------------------

    def save_analysis(
        self,
        person: str | None,
        analysis: Analysis,
        source_fingerprint: str,
        *,
        landmarks: PoseSequence | None = None,
        recorded_at: datetime | None = None,
        self_report: SelfReportInput | None = None,
        load_kg: float | Mapping[Side, float] | None = None,
        kind: Literal["video", "live"] = "video",
        create_person: bool = True,
    ) -> SaveResult:
        """Save ``analysis`` for the profile ``person`` (None: the default profile, created as
        ``"me"`` when the store has none) in one transaction; see :func:`save_analysis` for the
        arguments. Saving a fingerprint that is already stored writes nothing and returns
        ``created=False``, also when two processes race.

        Raises:
            DatabaseLockedError: another process held the lock past the timeout (nothing saved).
            PersonNotFoundError: ``create_person`` is False and the profile does not exist.
        """
        last: Exception | None = None
        for attempt in range(1, _MAX_SAVE_ATTEMPTS + 1):
            try:
                with self.transaction() as db:
                    row = self._person_row(db, person, create=create_person, lock=True)
                    return save_analysis(
                        db, row, analysis, source_fingerprint, landmarks, recorded_at,
                        self_report, load_kg=load_kg, kind=kind,
                        session_gap_s=self.config.session_gap_s,
                    )
            except sa_exc.IntegrityError as exc:  # a concurrent writer won the race: re-read
                log.info("save attempt %d lost a race (%s); retrying", attempt, exc.orig)
                last = exc
        raise StoreError(f"could not save after {_MAX_SAVE_ATTEMPTS} attempts: {last}")

    def save_live_set(
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
        return self.save_analysis(
            person, analysis, source_fingerprint, landmarks=landmarks, recorded_at=started_at,
            self_report=self_report, kind="live",
        )

    def add_self_report(
        self,
        person: str | None,
        report: SelfReportInput,
        *,
        set_id: int | None = None,
        recorded_at: datetime | None = None,
    ) -> SelfReportRecord:
        """Record what the person felt after a set (default: their latest set)."""
        with self.transaction() as db:
            row = self._person_row(db, person, lock=True)
            target: SetRow | None
            if set_id is None:
                target = db.scalars(
                    select(SetRow).where(SetRow.person_id == row.id)
                    .order_by(SetRow.started_at.desc(), SetRow.id.desc()).limit(1)
                ).first()
            else:
                target = db.get(SetRow, set_id)
                if target is None or target.person_id != row.id:
                    raise StoreError(f"no set {set_id} for {row.name!r}")
            rep = SelfReportRow(
                person_id=row.id, set_id=target.id if target else None,
                recorded_at=recorded_at or utcnow(), feelings=list(report.feelings),
                side=report.side or (target.working_leg if target else None), note=report.note,
            )
            db.add(rep)
            db.flush()
            return SelfReportRecord(
                id=rep.id, recorded_at=rep.recorded_at,
                feelings=tuple(cast(list[Feeling], rep.feelings)), set_id=rep.set_id,
                side=cast(Side | None, rep.side), note=rep.note,
            )

    def add_program_event(
        self,
        person: str | None,
        kind: EventKind,
        *,
        effective_at: datetime,
        side: Side | None = None,
        load_kg: float | None = None,
        variation: str | None = None,
        reason: str = "",
    ) -> EventRecord:
        """Record a programme change (progression, regression, safe variation, resume)."""
        with self.transaction() as db:
            row = self._person_row(db, person, lock=True)
            ev = ProgramEvent(person_id=row.id, side=side, kind=kind, effective_at=effective_at,
                              load_kg=load_kg, variation=variation, reason=reason)
            db.add(ev)
            db.flush()
            return EventRecord(ev.id, kind, ev.effective_at, side, load_kg, variation, reason)

    # -- reading -------------------------------------------------------------------------------

    def load_analysis(self, recording_id: int) -> Analysis:
        """The stored analysis of a recording, exactly as saved."""
        with self.read() as db:
            rec = db.get(Recording, recording_id)
            if rec is None:
                raise StoreError(f"no recording {recording_id}")
            return Analysis.model_validate_json(rec.result_json)

    def load_landmarks(self, recording_id: int) -> PoseSequence | None:
        """The stored landmarks of a recording (None when none were saved)."""
        with self.read() as db:
            row = db.get(Landmarks, recording_id)
            if row is None:
                return None
            fmt, data = row.format, row.data
        try:
            return decode_landmarks(data, fmt)
        except ValueError as exc:
            raise DatabaseCorruptError(
                f"the landmarks of recording {recording_id} are damaged: {exc}"
            ) from exc

    def counts(self) -> dict[str, int]:
        """Row counts per table (for checks and ``hipwise db info``)."""
        tables = (Person, TrainingSession, Recording, Landmarks, SetRow, Rep, RepFault,
                  SelfReportRow, ProgramEvent)
        with self.read() as db:
            return {
                t.__tablename__: int(db.scalar(select(func.count()).select_from(t)) or 0)
                for t in tables
            }

    def person_data(self, person: str | None = None) -> PersonData:
        """Everything the programme engine needs about ``person`` as plain records:
        sessions with sets and reps in time order, self-reports, programme events, settings."""
        with self.read() as db:
            return self._person_data(db, self._person_row(db, person))

    def update_programme(
        self,
        person: str | None,
        decide: Callable[[PersonData], Sequence[EventSpec]],
    ) -> list[EventRecord]:
        """Read the person's data, ``decide`` which programme events to add, and add them, all
        in one write transaction holding the person's lock: two processes deciding at once
        cannot record the same change twice."""
        with self.transaction() as db:
            row = self._person_row(db, person, lock=True)
            specs = decide(self._person_data(db, row))
            out = []
            for spec in specs:
                ev = ProgramEvent(person_id=row.id, side=spec.side, kind=spec.kind,
                                  effective_at=spec.effective_at, load_kg=spec.load_kg,
                                  variation=spec.variation, reason=spec.reason)
                db.add(ev)
                db.flush()
                out.append(EventRecord(ev.id, spec.kind, ev.effective_at, spec.side,
                                       spec.load_kg, spec.variation, spec.reason))
            return out

    @staticmethod
    def _set_records(db: Session, person_id: int) -> dict[int, list[SetRecord]]:
        """The person's sets with reps, faults and holds per session id, in time order.
        Plain column queries: about 5x faster than loading ORM objects for a year of data."""
        sets = db.execute(
            select(SetRow.id, SetRow.session_id, SetRow.recording_id, SetRow.working_leg,
                   SetRow.variation, SetRow.started_at, SetRow.load_kg, Recording.recorded_at)
            .join(Recording, Recording.id == SetRow.recording_id)
            .where(SetRow.person_id == person_id)
            .order_by(SetRow.started_at, SetRow.id)
        ).all()
        in_person = SetRow.person_id == person_id
        reps = db.execute(
            select(Rep.id, Rep.set_id, Rep.index.label("rep_index"), Rep.start_s,
                   Rep.peak_abduction_deg, Rep.lift_s, Rep.hold_s, Rep.lower_s, Rep.shaking)
            .join(SetRow, SetRow.id == Rep.set_id).where(in_person)
            .order_by(Rep.set_id, Rep.index)
        ).all()
        faults: dict[int, list[str]] = {}
        for rep_id, fault in db.execute(
            select(RepFault.rep_id, RepFault.fault).join(Rep, Rep.id == RepFault.rep_id)
            .join(SetRow, SetRow.id == Rep.set_id).where(in_person)
            .order_by(RepFault.rep_id, RepFault.fault)
        ):
            faults.setdefault(rep_id, []).append(fault)
        holds: dict[int, list[float]] = {}
        for set_id, hold_s in db.execute(
            select(Hold.set_id, Hold.hold_s).join(SetRow, SetRow.id == Hold.set_id)
            .where(in_person).order_by(Hold.set_id, Hold.position)
        ):
            holds.setdefault(set_id, []).append(hold_s)
        circles = dict(db.execute(
            select(Circle.set_id, func.count()).join(SetRow, SetRow.id == Circle.set_id)
            .where(in_person).group_by(Circle.set_id)
        ).all())
        start_of = {row.id: row.recorded_at for row in sets}
        reps_of: dict[int, list[RepRecord]] = {}
        for r in reps:
            reps_of.setdefault(r.set_id, []).append(RepRecord(
                at=start_of[r.set_id] + timedelta(seconds=r.start_s), index=r.rep_index,
                peak_abduction_deg=r.peak_abduction_deg, lift_s=r.lift_s, hold_s=r.hold_s,
                lower_s=r.lower_s, faults=tuple(faults.get(r.id, ())), shaking=r.shaking,
            ))
        out: dict[int, list[SetRecord]] = {}
        for row in sets:
            out.setdefault(row.session_id, []).append(SetRecord(
                id=row.id, session_id=row.session_id, recording_id=row.recording_id,
                side=cast(Side, row.working_leg), variation=row.variation,
                started_at=row.started_at, load_kg=row.load_kg,
                reps=tuple(reps_of.get(row.id, ())), holds_s=tuple(holds.get(row.id, ())),
                circles=int(circles.get(row.id, 0)),
            ))
        return out

    def _person_data(self, db: Session, p: Person) -> PersonData:
        sessions = db.scalars(
            select(TrainingSession).where(TrainingSession.person_id == p.id)
            .order_by(TrainingSession.started_at, TrainingSession.id)
        ).all()
        by_session = self._set_records(db, p.id)
        reports = db.scalars(
            select(SelfReportRow).where(SelfReportRow.person_id == p.id)
            .order_by(SelfReportRow.recorded_at, SelfReportRow.id)
        ).all()
        events = db.scalars(
            select(ProgramEvent).where(ProgramEvent.person_id == p.id)
            .order_by(ProgramEvent.effective_at, ProgramEvent.id)
        ).all()
        settings = db.scalars(select(Setting).where(Setting.person_id == p.id)).all()
        return PersonData(
            person=self._person_record(p),
            sessions=tuple(
                SessionRecord(s.id, s.started_at, s.ended_at, tuple(by_session.get(s.id, [])))
                for s in sessions
            ),
            self_reports=tuple(
                SelfReportRecord(
                    id=r.id, recorded_at=r.recorded_at,
                    feelings=tuple(cast(list[Feeling], r.feelings)), set_id=r.set_id,
                    side=cast(Side | None, r.side), note=r.note,
                )
                for r in reports
            ),
            events=tuple(
                EventRecord(
                    id=e.id, kind=cast(EventKind, e.kind), effective_at=e.effective_at,
                    side=cast(Side | None, e.side), load_kg=e.load_kg,
                    variation=e.variation, reason=e.reason,
                )
                for e in events
            ),
            settings={s.key: s.value for s in settings},
        )
