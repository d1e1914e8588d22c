"""``hipwise synth SCENARIO.toml -o clip.mp4``: render a labelled synthetic clip.

Writes ``clip.mp4`` (H.264), ``clip.labels.json`` (the truth in the analysis contract's shape
plus the scenario) and ``clip.frames.npz`` (per-frame truth; see :func:`write_outputs`).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

from hipwise.cli import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE
from hipwise.synth.scenario import Scenario, ScenarioError

__all__ = ["LABELS_VERSION", "frames_path", "labels_path", "register", "run", "write_outputs"]

log = logging.getLogger(__name__)

LABELS_VERSION = "hipwise.synth.labels/1"

_EPILOG = """\
examples:
  hipwise synth src/hipwise/synth/scenarios/good_left.toml -o out/good_left.mp4
  hipwise synth my.toml -o clip.mp4 --seed 3      same scenario, another seed
  hipwise synth my.toml -o clip.mp4 --frames 30   first 30 frames only (quick look)

outputs next to the video:
  clip.labels.json  truth in the shape of analysis-v1 (reps, phases, faults) + the scenario
  clip.frames.npz   per frame: t, scripted joint tracks, true angles from the 3D rig,
                    projected 2D keypoints (BlazePose indices) and their visibility
The first render ever builds the anny body cache (~95 s, see docs/synth.md).
"""


def labels_path(video: Path) -> Path:
    """``clip.mp4`` → ``clip.labels.json``."""
    return video.with_suffix("").with_suffix(".labels.json")


def frames_path(video: Path) -> Path:
    """``clip.mp4`` → ``clip.frames.npz``."""
    return video.with_suffix("").with_suffix(".frames.npz")


def write_outputs(video: Path, scenario: Scenario, result: Any) -> tuple[Path, Path]:
    """Write the labels JSON and frames NPZ of a :class:`~hipwise.synth.render.RenderResult`.

    The labels file is an analysis-v1 document (``hipwise.contract.Analysis`` reads it) with
    extra top-level keys: ``labels_version``, ``scenario`` (the full scenario), ``synth``
    (``mirrored``, render ``timings``, ``checks``: largest gaps in degrees between the angles
    measured on the 3D rig and the script, the measured maxima per rep, and the measured
    abduction of every frame, ``true_abduction_deg``).
    """
    doc: dict[str, Any] = json.loads(result.truth.to_json())
    doc["labels_version"] = LABELS_VERSION
    doc["scenario"] = scenario.to_dict()
    arr = result.arrays
    per_rep = []
    for rep in result.truth.sets[0].reps if result.truth.sets else []:
        sel = arr["track_rep_index"] == rep.index
        if np.any(sel):
            per_rep.append(
                {
                    "index": rep.index,
                    "max_true_abduction_deg": float(np.max(arr["true_abduction_deg"][sel])),
                    "max_true_hip_flexion_deg": float(np.max(arr["true_hip_flexion_deg"][sel])),
                    "max_true_knee_flexion_deg": float(
                        np.max(arr["true_knee_flexion_deg"][sel])
                    ),
                    "max_true_side_bend_deg": float(
                        np.max(arr["true_trunk_side_bend_deg"][sel])
                    ),
                    "max_true_pelvis_roll_deg": float(np.max(arr["true_pelvis_roll_deg"][sel])),
                    **(
                        {"max_true_opening_deg": float(
                            np.max(arr["true_clamshell_opening_deg"][sel])
                        )}
                        if "true_clamshell_opening_deg" in arr
                        else {}
                    ),
                    "max_true_pelvis_tilt_deg": float(
                        np.max(arr.get("true_pelvis_tilt_deg", np.zeros(len(sel)))[sel])
                    ),
                }
            )
    doc["synth"] = {
        "mirrored": bool(result.mirrored),
        "working_leg": scenario.person.working_leg,
        "frames_rendered": len(arr["t"]),
        "timings": result.timings,
        "checks": getattr(result, "checks", {}),
        "rep_truth_measured": per_rep,
        "true_abduction_deg": [round(float(v), 3) for v in arr["true_abduction_deg"]],
    }
    lp = labels_path(video)
    lp.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    fp = frames_path(video)
    np.savez_compressed(fp, **arr)
    return lp, fp


def run(args: argparse.Namespace) -> int:
    """Run ``hipwise synth``; returns an exit code (see :mod:`hipwise.cli`)."""
    path = Path(args.scenario)
    if not path.is_file():
        print(f"error: scenario file not found: {path}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        scenario = Scenario.from_toml(path)
        if args.seed is not None:
            scenario = Scenario.from_dict({**scenario.to_dict(), "seed": args.seed})
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("See docs/synth.md for every scenario key.", file=sys.stderr)
        return EXIT_USAGE
    if args.frames is not None and args.frames < 1:
        print("error: --frames must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.output)
    if out.suffix.lower() != ".mp4":
        print(f"error: the output must end in .mp4, got {out}", file=sys.stderr)
        return EXIT_USAGE
    try:
        # lazy: keeps `hipwise` start-up light (hipwise.cli imports every command module)
        from hipwise.synth.render import render_clip
    except ImportError as exc:  # pragma: no cover - depends on the install
        print(
            f"error: rendering needs the synth extras ({exc}); run: bash scripts/install.sh",
            file=sys.stderr,
        )
        return EXIT_INTERNAL

    with Progress(
        TextColumn("[bold]rendering[/] {task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} frames"),
        TimeRemainingColumn(),
        transient=False,
    ) as bar:
        task = bar.add_task(scenario.name, total=args.frames or scenario.n_frames)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            result = render_clip(scenario, out, max_frames=args.frames, progress=progress)
        except Exception as exc:
            if _is_gl_error(exc):
                print(
                    f"error: no OpenGL context for rendering ({exc}). hipwise renders with "
                    "Mesa EGL on the CPU: install it (Debian: apt-get install libegl1 "
                    "libgl1-mesa-dri) or set PYOPENGL_PLATFORM=egl.",
                    file=sys.stderr,
                )
                return EXIT_INTERNAL
            raise
    lp, fp = write_outputs(out, scenario, result)
    t = result.timings
    reps = sum(len(s.reps) for s in result.truth.sets)
    print(
        f"wrote {out} ({int(t['frames'])} frames, {reps} reps, "
        f"{1000 * t['total_s'] / max(t['frames'], 1):.0f} ms/frame), {lp.name}, {fp.name}"
    )
    if result.truth.warnings:
        print(f"bad-input clip: {', '.join(result.truth.warnings)}")
    return EXIT_OK


def _is_gl_error(exc: BaseException) -> bool:
    """True for failures to get an OpenGL/EGL context (not a hipwise bug)."""
    mod = type(exc).__module__ or ""
    return mod.startswith(("OpenGL", "pyrender")) or "EGL" in str(exc)


def register(subparsers: Any) -> None:
    """Add the ``synth`` subcommand."""
    p = subparsers.add_parser(
        "synth",
        help="render a labelled synthetic clip from a scenario file",
        description=(
            "Render a side-lying leg lift clip of a parametric body (anny) from a TOML "
            "scenario, with exact labels: rep phases, peak angles, faults, per-frame truth."
        ),
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("scenario", help="scenario TOML file (see src/hipwise/synth/scenarios/)")
    p.add_argument("-o", "--output", required=True, help="output video path (.mp4)")
    p.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    p.add_argument(
        "--frames", type=int, default=None, help="render only the first N frames (preview)"
    )
    p.set_defaults(func=run)
