"""A person the pose model misses on the first look (far from the camera) is looked for again,
turned upright and zoomed, before the video is refused (PoseConfig.retry_turned)."""

from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from hipwise.analysis.video import (
    NotAnalysableError,
    _crop_box,
    _unzoom,
    analyze_video,
    sample_video_path,
)
from hipwise.config import AnalysisConfig
from hipwise.pose.mediapipe_adapter import PoseRun
from hipwise.pose.sequence import PoseSequence


def test_zoomed_landmarks_map_back_to_the_original_frame() -> None:
    size = (640, 480)
    x0, y0, cw, ch = _crop_box(size, 2.0)
    assert (x0, y0, cw, ch) == (160, 120, 320, 240)
    xy = np.zeros((1, 33, 2))
    xy[0, 0] = (640.0, 480.0)  # the zoomed frame's far corner is the crop's far corner
    xy[0, 1] = (320.0, 240.0)  # its centre stays the centre
    seq = PoseSequence(t=np.array([0.0]), xy=xy, depth=np.full((1, 33), 10.0),
                       world=np.zeros((1, 33, 3)), visibility=np.ones((1, 33)), image_size=size)
    run = PoseRun(poses=seq, rotation_deg=np.zeros(1, dtype=int), people=np.full(1, -1),
                  camera_shift=np.array([[8.0, -4.0]]), camera_response=np.ones(1))
    back = _unzoom(run, 2.0)
    assert np.allclose(back.poses.xy[0, 0], (480.0, 360.0))
    assert np.allclose(back.poses.xy[0, 1], (320.0, 240.0))
    assert np.allclose(back.poses.depth, 5.0)
    assert np.allclose(back.camera_shift, [[4.0, -2.0]])
    assert back.poses.image_size == size


def _far_away(src: Path, dst: Path, seconds: float) -> None:
    """``src`` shrunk to a third and pasted in the middle of a plain frame: the person as a
    camera 3x further away would film them."""
    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
    out = cv2.VideoWriter(str(dst), cv2.VideoWriter.fourcc(*"mp4v"), fps, (w, h))
    for _ in range(int(fps * seconds)):
        ok, frame = cap.read()
        if not ok:
            break
        far = np.empty_like(frame)
        far[:] = frame[5, 5]
        small = cv2.resize(frame, (w // 3, h // 3), interpolation=cv2.INTER_AREA)
        y0, x0 = (h - h // 3) // 2, (w - w // 3) // 2
        far[y0 : y0 + h // 3, x0 : x0 + w // 3] = small
        out.write(far)
    out.release()
    cap.release()


@pytest.mark.slow
def test_a_person_far_from_the_camera_is_found_on_a_second_look(tmp_path: Path) -> None:
    clip = tmp_path / "far.mp4"
    _far_away(sample_video_path(), clip, 9.0)  # the sample's first rep ends at ~7.6 s
    with pytest.raises(NotAnalysableError) as refused:
        analyze_video(clip, AnalysisConfig.model_validate({"pose": {"retry_turned": False}}))
    assert [p.code for p in refused.value.problems] == ["no_person"]
    res = analyze_video(clip)
    reps = [r for s in res.analysis.sets for r in s.reps]
    assert len(reps) == 1
    assert abs(reps[0].peak_abduction_deg - 31.0) < 5.0


def _run(detected: NDArray[np.bool_], centre: tuple[float, float], half: float) -> PoseRun:
    """A run whose every landmark lies within ``half`` px of ``centre`` in a 640x480 frame;
    ``detected (T,)`` says which frames found the person."""
    n = len(detected)
    xy = np.tile(np.array(centre), (n, 33, 1)) + np.linspace(-half, half, 33)[None, :, None]
    seq = PoseSequence(t=np.arange(n) / 15.0, xy=xy, depth=np.zeros((n, 33)),
                       world=np.zeros((n, 33, 3)), visibility=np.ones((n, 33)),
                       image_size=(640, 480), detected=detected)
    return PoseRun(poses=seq, rotation_deg=np.zeros(n, dtype=int), people=np.ones(n, dtype=int),
                   camera_shift=np.zeros((n, 2)), camera_response=np.ones(n))


def test_a_small_person_missed_in_part_of_the_video_is_looked_for_zoomed() -> None:
    """Tune clip 131: a person ~140 px long, missed by the detector until 2.1 s into the clip,
    after their first lift; that rep was lost. Such a run gets the zoomed second look."""
    from hipwise.analysis.video import _small_and_partly_missed

    late = np.arange(100) >= 30  # found from frame 30 on
    assert _small_and_partly_missed(_run(late, (320.0, 240.0), 70.0)) == (320.0, 240.0)
    # found in every frame, or in none (the refusal path looks again on its own): no
    assert _small_and_partly_missed(_run(np.ones(100, dtype=bool), (320.0, 240.0), 70.0)) is None
    assert _small_and_partly_missed(_run(np.zeros(100, dtype=bool), (320.0, 240.0), 70.0)) is None
    # a few frames missed: no
    assert _small_and_partly_missed(_run(np.arange(100) >= 3, (320.0, 240.0), 70.0)) is None
    # too large for the half of the picture the zoom enlarges: no
    assert _small_and_partly_missed(_run(late, (320.0, 240.0), 200.0)) is None
    # off-centre (tune clip 47 lay high in the picture): the zoom centres on the body
    assert _small_and_partly_missed(_run(late, (150.0, 100.0), 70.0)) == (150.0, 100.0)


def test_the_zoom_box_centres_on_the_body_and_stays_in_the_frame() -> None:
    assert _crop_box((640, 480), 2.0, (150.0, 100.0)) == (0, 0, 320, 240)
    assert _crop_box((640, 480), 2.0, (400.0, 300.0)) == (240, 180, 320, 240)
    xy = np.zeros((1, 33, 2))
    xy[0, 0] = (320.0, 240.0)  # the middle of the zoomed frame is the box's middle
    seq = PoseSequence(t=np.array([0.0]), xy=xy, depth=np.zeros((1, 33)),
                       world=np.zeros((1, 33, 3)), visibility=np.ones((1, 33)),
                       image_size=(640, 480))
    run = PoseRun(poses=seq, rotation_deg=np.zeros(1, dtype=int), people=np.full(1, -1),
                  camera_shift=np.zeros((1, 2)), camera_response=np.ones(1))
    assert np.allclose(_unzoom(run, 2.0, (400.0, 300.0)).poses.xy[0, 0], (400.0, 300.0))
