"""``hipwise analyze --save``: store an analysis in the person's history and say what changed.

Called by the analyze command after a successful analysis (not a subcommand of its own)::

    from hipwise.program.commands.save import save_after_analysis
    code = save_after_analysis(result, person=args.person, quiet=args.quiet, out=out, err=err)
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from rich.console import Console

from hipwise.cli import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE
from hipwise.program.service import apply_programme_updates
from hipwise.settings import Settings
from hipwise.store.errors import InvalidProfileError, PersonNotFoundError, StoreError
from hipwise.store.store import Store

if TYPE_CHECKING:
    from hipwise.contract import Analysis
    from hipwise.pose.sequence import PoseSequence
    from hipwise.store.records import SaveResult


class _PoseRunView(Protocol):
    @property
    def poses(self) -> PoseSequence: ...


class AnalysedVideo(Protocol):
    """What saving reads of an analysed video (:class:`~hipwise.analysis.video.VideoAnalysis`
    is one): the contract, the video's path and the landmarks."""
    @property
    def analysis(self) -> Analysis: ...

    @property
    def path(self) -> Path: ...

    @property
    def run(self) -> _PoseRunView: ...

log = logging.getLogger(__name__)

__all__ = [
    "AnalysedVideo",
    "file_sha256",
    "profile_conditions",
    "save_after_analysis",
    "save_analysis_file",
]


def file_sha256(path: Path) -> str:
    """``"sha256:<hex>"`` of the file's bytes: the video's fingerprint in the store."""
    h = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return f"sha256:{h.hexdigest()}"


def _recorded_at(path: Path, duration_s: float) -> datetime:
    """When the recording started: the file's modification time minus its duration."""
    mtime = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return mtime - timedelta(seconds=duration_s)


def save_analysis_file(
    analysis: Analysis,
    path: Path,
    *,
    person: str | None = None,
    landmarks: PoseSequence | None = None,
    db_url: str | None = None,
    recorded_at: datetime | None = None,
    settings: Settings | None = None,
) -> tuple[SaveResult, str, list[str]]:
    """Save the analysis of the video at ``path`` (fingerprint: sha256 of its bytes; start
    time: ``recorded_at`` or the file's modification time minus the duration). ``settings``:
    its ``[store]`` and ``[program]`` sections (None: the defaults).

    The profile ``person`` (None: the default) must exist, except in an empty store, where it
    is created (``"me"`` when None). Returns (what was saved, the profile's name, the programme
    changes this recording triggered, as sentences).

    Raises:
        StoreError: database problems; PersonNotFoundError: unknown profile.
    """
    fingerprint = file_sha256(path)
    when = recorded_at or _recorded_at(path, analysis.video.duration_s)
    cfg = settings or Settings()
    with Store.open(db_url, config=cfg.store) as store:
        create = not store.people.all()
        result = store.analyses.save(person, analysis, fingerprint, landmarks=landmarks,
                                     recorded_at=when, create_person=create)
        name = store.people.get(person).name
        changes = apply_programme_updates(store, name, cfg.program) if result.created else []
    return result, name, [c.reason for c in changes]


def profile_conditions(person: str | None, db_url: str | None = None) -> tuple[str, ...]:
    """The conditions stored in the profile ``person`` (None: the default profile), for the
    analysis it is saved to; none when the store has no such profile or cannot be read (the
    save then says why)."""
    try:
        with Store.open(db_url) as store:
            if not store.people.all():
                return ()
            return tuple(store.people.get(person).conditions)
    except StoreError:
        log.debug("no profile conditions", exc_info=True)
        return ()


def save_after_analysis(
    result: AnalysedVideo,
    *,
    person: str | None,
    quiet: bool = False,
    out: Any = None,
    err: Any = None,
    db_url: str | None = None,
    settings: Settings | None = None,
) -> int:
    """Store ``result`` (a :class:`~hipwise.analysis.video.VideoAnalysis`: its ``analysis``,
    ``path`` and the landmarks in ``run.poses``) and print what happened on ``out``; errors go
    to ``err``. Returns a :mod:`hipwise.cli` exit code: 0 saved (or already saved), 2 unknown
    profile, 3 database problem."""
    out = out or Console()
    err = err or Console(stderr=True)
    analysis = result.analysis
    try:
        saved, name, changes = save_analysis_file(
            analysis, Path(result.path), person=person, landmarks=result.run.poses,
            db_url=db_url, settings=settings,
        )
    except (PersonNotFoundError, InvalidProfileError) as exc:
        err.print(f"[red]not saved:[/red] {exc}")
        return EXIT_USAGE
    except StoreError as exc:
        err.print(f"[red]not saved:[/red] {exc}")
        return EXIT_BAD_INPUT
    except OSError as exc:
        err.print(f"[red]not saved:[/red] cannot read {result.path}: {exc.strerror}")
        return EXIT_BAD_INPUT
    if quiet:
        return EXIT_OK
    if not saved.created:
        out.print(f"Already in {name}'s history (same video): nothing saved again.")
        return EXIT_OK
    sets = ", ".join(f"{s.working_leg} {s.good_reps}/{len(s.reps)} good" for s in analysis.sets)
    out.print(f"Saved to {name}'s history" + (f": {sets}." if sets else "."))
    for c in changes:
        out.print(f"[bold]Programme change:[/bold] {c}.")
    out.print("Where did you feel it? 'hipwise feel side|nothing|front|back|pain'. "
              "Next: 'hipwise today'.")
    return EXIT_OK
