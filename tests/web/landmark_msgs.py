"""Landmark messages (browser pose) made from a known pose sequence, for the socket and browser
tests."""

from __future__ import annotations

from typing import Any

import numpy as np

from hipwise.pose.sequence import PoseSequence

__all__ = ["landmark_message", "sequence_messages"]


def landmark_message(seq: PoseSequence, i: int, msg_id: int, t_ms: float,
                     people: int = 1, luma: float = 120.0) -> dict[str, Any]:
    """Frame ``i`` of ``seq`` as the page would send it (x, y normalised, z = depth / width)."""
    w, h = seq.image_size
    pose: Any = None
    world: Any = None
    if bool(seq.detected[i]):
        xy = seq.xy[i] / np.array([w, h])
        pose = [[float(x), float(y), float(z), float(v)] for (x, y), z, v in
                zip(xy, seq.depth[i] / w, np.clip(seq.visibility[i], 0, 1), strict=True)]
        world = seq.world[i].tolist()
    return {"type": "landmarks", "id": msg_id, "t": t_ms, "image": [w, h], "pose": pose,
            "world": world, "people": people, "luma": luma}


def sequence_messages(seq: PoseSequence, start_ms: float = 0.0) -> list[dict[str, Any]]:
    """Every frame of ``seq`` as a landmark message, timed by the sequence."""
    return [landmark_message(seq, i, i + 1, start_ms + 1000.0 * float(seq.t[i]))
            for i in range(len(seq))]
