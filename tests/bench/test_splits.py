"""Bench splits: fixed, disjoint seeds; cached one file per clip; rendering resumes."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipwise.bench import splits
from hipwise.bench.runner import labels_for
from hipwise.synth.scenario import Scenario


def test_splits_are_fixed_and_disjoint() -> None:
    assert splits.SPLIT_SEEDS == {"tune": 1000, "test": 2000}
    tune = splits.split_scenarios("tune", 12)
    test = splits.split_scenarios("test", 12)
    assert not {s.name for s in tune} & {s.name for s in test}
    assert all(a.person != b.person for a, b in zip(tune, test, strict=True))
    assert [s.to_dict() for s in splits.split_scenarios("tune", 4)] == [
        s.to_dict() for s in tune[:4]
    ]
    with pytest.raises(ValueError, match="unknown split"):
        splits.split_scenarios("train", 2)  # type: ignore[arg-type]


def test_clip_names_ignore_keys_left_at_their_defaults(tmp_path: Path) -> None:
    sc = splits.split_scenarios("test", 1)[0]
    again = Scenario.model_validate(sc.model_dump(exclude_defaults=True))
    assert splits.split_clip_path(tmp_path, 0, sc) == splits.split_clip_path(tmp_path, 0, again)
    other = sc.model_copy(update={"fps": 30.0 if sc.fps == 15.0 else 15.0})
    assert splits.split_clip_path(tmp_path, 0, other) != splits.split_clip_path(tmp_path, 0, sc)
    assert splits.split_dir(tmp_path, "tune") == tmp_path / "tune"
    assert splits.split_dir(tmp_path, "tune", 7) == tmp_path / "tune-seed7"


def test_render_split_skips_rendered_clips_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []

    def fake_render(video: Path, sc: Scenario, frames: object) -> None:
        rendered.append(sc.name)
        if len(rendered) == 3 and sc.name.endswith("0002"):
            raise KeyboardInterrupt  # interrupted mid-run
        video.write_bytes(b"mp4")
        labels_for(video).write_text("{}", encoding="utf-8")

    monkeypatch.setattr(splits, "_render_one", fake_render)
    have, missing = splits.cached_split(tmp_path, "tune", 4)
    assert have == [] and len(missing) == 4
    with pytest.raises(KeyboardInterrupt):
        splits.render_split(tmp_path, "tune", 4)
    have, missing = splits.cached_split(tmp_path, "tune", 4)
    assert [c.name for c in have] == ["dom1000_0000", "dom1000_0001"] and len(missing) == 2
    progress: list[tuple[str, int, int]] = []
    clips = splits.render_split(tmp_path, "tune", 4, progress=lambda *a: progress.append(a))
    assert rendered[3:] == ["dom1000_0002", "dom1000_0003"]
    assert [c.name for c in clips] == [f"dom1000_{i:04d}" for i in range(4)]
    assert all(c.video.parent == tmp_path / "tune" and c.video.exists() for c in clips)
    assert progress[-1][1:] == (4, 4)
    splits.render_split(tmp_path, "tune", 4)
    assert len(rendered) == 5  # nothing left to render


def test_cli_render_needs_a_split_and_scoring_needs_rendered_clips(tmp_path: Path) -> None:
    from hipwise.cli import EXIT_BAD_INPUT, EXIT_USAGE, main

    assert main(["bench", "render", "--cache", str(tmp_path)]) == EXIT_USAGE
    assert main(["bench", "--split", "tune", "--clips", str(tmp_path)]) == EXIT_USAGE
    assert main(["bench", "--split", "test", "--n", "0"]) == EXIT_USAGE
    code = main(["bench", "--split", "test", "--n", "2", "--rendered-only",
                 "--cache", str(tmp_path)])
    assert code == EXIT_BAD_INPUT
    assert main(["bench", "--from-landmarks", str(tmp_path)]) == EXIT_BAD_INPUT
    assert main(["bench", "--split", "test", "--from-landmarks", str(tmp_path)]) == EXIT_USAGE


def test_two_renderers_share_a_split_and_stale_locks_are_taken_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    rendered: list[str] = []

    def fake_render(video: Path, sc: Scenario, frames: object) -> None:
        assert video.with_name(video.name + ".lock").read_text() == str(os.getpid())
        rendered.append(sc.name)
        video.write_bytes(b"mp4")
        labels_for(video).write_text("{}", encoding="utf-8")

    monkeypatch.setattr(splits, "_render_one", fake_render)
    folder = tmp_path / "test"
    folder.mkdir()
    scs = splits.split_scenarios("test", 3)
    paths = [splits.split_clip_path(folder, i, sc) for i, sc in enumerate(scs)]
    # clip 0: another live process renders it; clip 1: a lock left by a dead process
    paths[0].with_name(paths[0].name + ".lock").write_text(str(os.getppid()))
    paths[1].with_name(paths[1].name + ".lock").write_text("999999999")
    clips = splits.render_split(tmp_path, "test", 3)
    assert rendered == ["dom2000_0001", "dom2000_0002"]
    assert [c.name for c in clips] == ["dom2000_0001", "dom2000_0002"]
    assert sorted(p.name for p in folder.glob("*.lock")) == [paths[0].name + ".lock"]
