"""The benchmark's two splits of the randomised domain: *tune* and *test*.

Both splits draw from :func:`hipwise.synth.domain.make_domain`, each from its own fixed seed
(:data:`SPLIT_SEEDS`); clip ``i`` of a split depends only on ``(seed, i)``, so the two are
disjoint and a longer split starts with the clips of a shorter one.

- *tune* (seed 1000) is the only split looked at while choosing thresholds and settings.
- *test* (seed 2000) is rendered and scored, never used to choose anything. The README
  reports it, with *tune* beside it so the gap shows.

Rendered clips are cached, one ``.mp4`` + ``.labels.json`` + ``.frames.npz`` per clip, in
``<cache>/<split>/`` (``<cache>`` = ``$HIPWISE_BENCH_CACHE`` or ``~/.cache/hipwise/bench``).
A clip's file name carries a hash of its scenario's non-default values, so a changed domain
renders anew while new scenario keys left at their defaults keep the cache valid. Rendering
skips clips already there and writes each under a ``partial-`` name first, so an interrupted
run resumes where it stopped. A clip being rendered carries a ``.lock`` file with the
renderer's process id: a second ``render`` of the same split skips those clips (two processes
share the work), and a lock whose process is gone is taken over.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing as mp
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Literal

from hipwise.bench.runner import BenchClip, labels_for
from hipwise.synth.cli import write_outputs
from hipwise.synth.domain import make_domain
from hipwise.synth.render import render_clip
from hipwise.synth.scenario import Scenario

__all__ = [
    "SPLIT_SEEDS",
    "Split",
    "cached_split",
    "render_split",
    "split_clip_path",
    "split_dir",
    "split_scenarios",
]

logger = logging.getLogger(__name__)

Split = Literal["tune", "test"]

SPLIT_SEEDS: dict[Split, int] = {"tune": 1000, "test": 2000}
"""The fixed seed of each split (documented in docs/bench.md; never change them)."""

#: ``progress(what, done, total)``
Progress = Callable[[str, int, int], None]


def split_seed(split: Split, seed: int | None = None) -> int:
    """The split's fixed seed, or ``seed`` when given (experiments only)."""
    if split not in SPLIT_SEEDS:
        raise ValueError(f"unknown split {split!r}: choose one of {sorted(SPLIT_SEEDS)}")
    return SPLIT_SEEDS[split] if seed is None else seed


def split_scenarios(split: Split, n: int, seed: int | None = None) -> list[Scenario]:
    """The first ``n`` scenarios of ``split`` (``seed`` overrides the split's seed)."""
    return make_domain(n, split_seed(split, seed))


def split_dir(cache: Path, split: Split, seed: int | None = None) -> Path:
    """``<cache>/<split>``, or ``<cache>/<split>-seed<S>`` for a non-default seed."""
    s = split_seed(split, seed)
    return cache / (split if s == SPLIT_SEEDS[split] else f"{split}-seed{s}")


def split_clip_path(folder: Path, i: int, sc: Scenario) -> Path:
    """Where clip ``i`` is cached: ``<folder>/<i>-<name>-<hash>.mp4`` (hash of the scenario's
    non-default values)."""
    dump = sc.model_dump(mode="json", exclude_defaults=True)
    key = hashlib.sha256(json.dumps(dump, sort_keys=True).encode()).hexdigest()[:10]
    return folder / f"{i:04d}-{sc.name}-{key}.mp4"


def _render_one(video: Path, sc: Scenario, frames: Callable[[int, int], None] | None) -> None:
    """Render ``sc`` to ``video`` (+ labels and frames) through a ``partial-`` name."""
    tmp = video.with_name("partial-" + video.name)
    result = render_clip(sc, tmp, progress=frames)
    write_outputs(tmp, sc, result)
    tmp.with_suffix("").with_suffix(".frames.npz").replace(
        video.with_suffix("").with_suffix(".frames.npz")
    )
    labels_for(tmp).replace(labels_for(video))
    tmp.replace(video)
    warnings = json.loads(labels_for(video).read_text(encoding="utf-8")).get("warnings", [])
    if warnings:
        logger.warning("%s: the labels carry %s (a refusal is expected)", video.name, warnings)


def _render_job(video: str, scenario: dict[str, object]) -> str:
    """Worker of :func:`render_split` with ``jobs > 1`` (top level, so it pickles)."""
    _render_one(Path(video), Scenario.model_validate(scenario), None)
    return video


def _is_cached(video: Path) -> bool:
    return video.exists() and labels_for(video).exists()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _lock(video: Path) -> Path | None:
    """Take ``<video>.lock`` for this process; ``None`` when a live process holds it."""
    lock = video.with_name(video.name + ".lock")
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            try:
                pid = int(lock.read_text(encoding="utf-8") or "0")
            except (OSError, ValueError):
                pid = 0
            if pid > 0 and _alive(pid):
                return None
            lock.unlink(missing_ok=True)  # left by a process that is gone
            continue
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        return lock
    return None


def render_split(
    cache: Path,
    split: Split,
    n: int,
    seed: int | None = None,
    jobs: int = 1,
    progress: Progress | None = None,
) -> list[BenchClip]:
    """Render the first ``n`` clips of ``split`` into its cache folder, skipping those
    already there; ``jobs`` > 1 renders that many clips at once (one process each, ~1 GB of
    memory and one core each). Clips another process is rendering (see the module docstring)
    are left to it. Returns the clips rendered by the end, in order."""
    folder = split_dir(cache, split, seed)
    folder.mkdir(parents=True, exist_ok=True)
    scenarios = split_scenarios(split, n, seed)
    paths = [split_clip_path(folder, i, sc) for i, sc in enumerate(scenarios)]
    todo = [i for i, p in enumerate(paths) if not _is_cached(p)]
    done = len(paths) - len(todo)
    logger.info("%s split: %d of %d clips cached, %d to render in %s",
                split, done, len(paths), len(todo), folder)
    busy: list[str] = []

    def finished(name: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(f"rendered {name}", done, len(paths))

    if jobs <= 1:
        for i in todo:
            lock = _lock(paths[i])
            if lock is None:
                busy.append(paths[i].name)
                continue
            name, k = paths[i].name, done

            def frames(f: int, total: int, name: str = name, k: int = k) -> None:
                if progress is not None and (f % 10 == 0 or f == total):
                    progress(f"rendering {name} (clip {k + 1}/{len(paths)}): frame", f, total)

            try:
                _render_one(paths[i], scenarios[i], frames)
            finally:
                lock.unlink(missing_ok=True)
            finished(name)
    elif todo:
        locks: dict[str, Path] = {}
        for i in todo:
            lock = _lock(paths[i])
            if lock is None:
                busy.append(paths[i].name)
            else:
                locks[str(paths[i])] = lock
        try:
            with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn")) as ex:
                futs = [ex.submit(_render_job, str(paths[i]), scenarios[i].to_dict())
                        for i in todo if str(paths[i]) in locks]
                for fut in as_completed(futs):
                    video = fut.result()
                    locks.pop(video).unlink(missing_ok=True)
                    finished(Path(video).name)
        finally:
            for lock in locks.values():
                lock.unlink(missing_ok=True)
    if busy:
        logger.warning("%d %s clips are being rendered by another process (left out): %s",
                       len(busy), split, ", ".join(busy))
    return [BenchClip(sc.name, p) for sc, p in zip(scenarios, paths, strict=True)
            if _is_cached(p)]


def cached_split(
    cache: Path, split: Split, n: int, seed: int | None = None
) -> tuple[list[BenchClip], list[str]]:
    """The clips of the first ``n`` of ``split`` already rendered, and the names of those
    missing (nothing is rendered)."""
    folder = split_dir(cache, split, seed)
    have: list[BenchClip] = []
    missing: list[str] = []
    for i, sc in enumerate(split_scenarios(split, n, seed)):
        p = split_clip_path(folder, i, sc)
        if _is_cached(p):
            have.append(BenchClip(sc.name, p))
        else:
            missing.append(p.name)
    return have, missing
