"""Drawing on video frames: skeleton, hip angle arc, status panel, cue bar (pure functions that
return new arrays; OpenCV for antialiased lines, Pillow for text).

All coordinates are pixels of the frame being drawn on (x right, y down); frames are RGB
``uint8`` arrays ``(H, W, 3)``.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache
from typing import Any

import cv2
import matplotlib
import numpy as np
from numpy.typing import NDArray
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from hipwise.pose.landmarks import LM, SKELETON_EDGES, Side, leg_indices
from hipwise.pose.sequence import FloatArray

__all__ = [
    "PHASE_COLOURS",
    "RGB",
    "blank_canvas",
    "blend_patch",
    "draw_angle_arc",
    "draw_skeleton",
    "encode_jpeg",
    "panel_patch",
    "resize_to_width",
]

RGB = tuple[int, int, int]
Image = NDArray[np.uint8]

#: Phase colours on video (RGB), matching the report's chart shading.
PHASE_COLOURS: dict[str, RGB] = {
    "rest": (170, 170, 170),
    "lift": (78, 155, 214),
    "hold": (242, 177, 52),
    "lower": (155, 114, 207),
}
_BONE: RGB = (245, 245, 245)
_WORKING: RGB = (255, 196, 0)
_OUTLINE: RGB = (20, 20, 20)
_ARC: RGB = (255, 196, 0)


def _scale(img: Image) -> float:
    """Drawing scale: 1.0 for a 480-pixel-high frame (min side)."""
    return max(0.5, min(img.shape[0], img.shape[1]) / 480.0)


def blank_canvas(size: tuple[int, int], colour: RGB = (38, 44, 52)) -> Image:
    """A plain ``(height, width, 3)`` frame of ``size = (width, height)`` px."""
    w, h = size
    out = np.empty((h, w, 3), dtype=np.uint8)
    out[:] = colour
    return out


def draw_skeleton(
    img: Image,
    xy: FloatArray,
    visibility: FloatArray,
    working: Side | None,
    min_visibility: float = 0.3,
    copy: bool = True,
) -> Image:
    """``img`` with the BlazePose skeleton ``xy (33, 2)`` px drawn: bones with a dark outline,
    the working leg highlighted; landmarks under ``min_visibility`` are skipped. Draws on a
    copy unless ``copy`` is False (then ``img`` must be C-contiguous and is modified)."""
    out = np.ascontiguousarray(img.copy()) if copy else img
    s = _scale(out)
    ok = np.isfinite(xy).all(axis=1) & (visibility >= min_visibility)
    pts = np.round(np.nan_to_num(xy) * 16).astype(np.int64)  # 4 fractional bits
    leg = set(int(i) for i in leg_indices(working)) if working is not None else set()
    thick = max(2, round(3 * s))
    for pass_outline in (True, False):
        for a, b in SKELETON_EDGES:
            if not (ok[a] and ok[b]):
                continue
            hot = a in leg and b in leg
            colour = _OUTLINE if pass_outline else (_WORKING if hot else _BONE)
            width = thick + (2 if pass_outline else 0) + (1 if hot else 0)
            cv2.line(out, tuple(int(v) for v in pts[a]), tuple(int(v) for v in pts[b]),
                     colour, width, cv2.LINE_AA, 4)
    r = max(2, round(3 * s))
    for i in np.flatnonzero(ok):
        if i <= int(LM.MOUTH_RIGHT) and i != int(LM.NOSE):
            continue  # face detail adds clutter
        c = tuple(int(v) for v in pts[i])
        cv2.circle(out, c, (r + 1) * 16, _OUTLINE, -1, cv2.LINE_AA, 4)
        cv2.circle(out, c, r * 16, _WORKING if int(i) in leg else _BONE, -1, cv2.LINE_AA, 4)
    return out


def _unit_angle_deg(v: FloatArray) -> float:
    return math.degrees(math.atan2(float(v[1]), float(v[0])))


def draw_angle_arc(
    img: Image,
    xy: FloatArray,
    visibility: FloatArray,
    working: Side,
    abduction_deg: float,
    min_visibility: float = 0.3,
    copy: bool = True,
) -> Image:
    """``img`` with the hip angle shown at the working hip: a translucent wedge of
    ``abduction_deg`` (the engine's angle above rest, deg) ending on the hip→ankle line, opening
    toward the trunk axis, labelled in degrees. Unchanged when landmarks are missing. Draws on
    a copy unless ``copy`` is False (then ``img`` must be C-contiguous and is modified)."""
    hip, _, ankle, _, _ = (int(i) for i in leg_indices(working))
    trunk = [int(LM.LEFT_SHOULDER), int(LM.RIGHT_SHOULDER), int(LM.LEFT_HIP), int(LM.RIGHT_HIP)]
    need = [hip, ankle, *trunk]
    if not (np.isfinite(xy[need]).all() and np.all(visibility[need] >= min_visibility)):
        return img
    if not math.isfinite(abduction_deg):
        return img
    out = np.ascontiguousarray(img.copy()) if copy else img
    s = _scale(out)
    mid_sh = xy[trunk[:2]].mean(axis=0)
    mid_hip = xy[trunk[2:]].mean(axis=0)
    axis = mid_hip - mid_sh  # shoulders -> hips, extended past the hips
    leg = xy[ankle] - xy[hip]
    leg_len = float(np.hypot(*leg))
    if leg_len < 1 or float(np.hypot(*axis)) < 1:
        return img
    theta_leg = _unit_angle_deg(leg)
    delta = (theta_leg - _unit_angle_deg(axis) + 180.0) % 360.0 - 180.0
    span = max(0.0, abduction_deg)
    theta_rest = theta_leg - math.copysign(span, delta)
    start, end = sorted((theta_rest, theta_leg))
    radius = int(np.clip(0.35 * leg_len, 28 * s, 90 * s))
    centre = (round(float(xy[hip][0])), round(float(xy[hip][1])))
    if span >= 1.0:  # blend the wedge only inside its bounding square
        h, w = out.shape[:2]
        x0, y0 = max(0, centre[0] - radius - 2), max(0, centre[1] - radius - 2)
        x1, y1 = min(w, centre[0] + radius + 3), min(h, centre[1] + radius + 3)
        if x0 < x1 and y0 < y1:
            roi = out[y0:y1, x0:x1]
            wedge = roi.copy()
            cv2.ellipse(wedge, (centre[0] - x0, centre[1] - y0), (radius, radius), 0.0, start,
                        end, _ARC, -1, cv2.LINE_AA)
            out[y0:y1, x0:x1] = cv2.addWeighted(wedge, 0.35, roi, 0.65, 0.0)
        cv2.ellipse(out, centre, (radius, radius), 0.0, start, end, _ARC, max(2, round(2 * s)),
                    cv2.LINE_AA)
    # the rest direction as a thin dashed guide
    rad = math.radians(theta_rest)
    tip = (centre[0] + int(radius * 1.25 * math.cos(rad)),
           centre[1] + int(radius * 1.25 * math.sin(rad)))
    cv2.line(out, centre, tip, (230, 230, 230), 1, cv2.LINE_AA)
    if span < 1.0:
        return out  # at rest: no wedge, no "0°" label
    mid = math.radians(0.5 * (start + end))
    label = panel_patch((f"{abduction_deg:.0f}°",), round(22 * s), (255, 255, 255),
                        (0, 0, 0, 150))
    reach = radius + 0.6 * max(label.shape[0], label.shape[1])
    lx = centre[0] + int(reach * math.cos(mid)) - label.shape[1] // 2
    ly = centre[1] + int(reach * math.sin(mid)) - label.shape[0] // 2
    return blend_patch(out, label, lx, ly)


@lru_cache(maxsize=4)
def _font(size: int, bold: bool) -> Any:
    try:
        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        return ImageFont.truetype(f"{matplotlib.get_data_path()}/fonts/ttf/{name}", size)
    except (OSError, ImportError):
        return ImageFont.load_default(size=size)


@lru_cache(maxsize=256)
def panel_patch(
    lines: tuple[str, ...],
    size: int,
    fg: RGB,
    bg: tuple[int, int, int, int],
    bold_first: bool = False,
    pad: int | None = None,
    min_width: int = 0,
) -> NDArray[np.uint8]:
    """A rounded panel with ``lines`` of text (``size`` px), as RGBA ``(h, w, 4)`` uint8 for
    :func:`blend_patch`; cached, since the same text repeats for many frames."""
    pad = round(size * 0.45) if pad is None else pad
    fonts = [_font(size, bold_first and i == 0) for i in range(len(lines))]
    boxes = [f.getbbox(text) for f, text in zip(fonts, lines, strict=True)]
    line_h = round(size * 1.25)
    w = max([b[2] for b in boxes] + [1]) + 2 * pad
    w = max(w, min_width)
    h = line_h * len(lines) + 2 * pad - round(size * 0.2)
    im = PILImage.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle((0, 0, w - 1, h - 1), radius=max(4, size // 3), fill=bg)
    for i, (f, text) in enumerate(zip(fonts, lines, strict=True)):
        d.text((pad, pad + i * line_h - round(size * 0.1)), text, font=f, fill=(*fg, 255))
    return np.asarray(im, dtype=np.uint8)


def blend_patch(img: Image, patch: NDArray[np.uint8], x: int, y: int) -> Image:
    """``img`` with the RGBA ``patch`` alpha-blended at top-left ``(x, y)`` px (clipped to the
    frame); modifies and returns ``img``."""
    h, w = patch.shape[:2]
    H, W = img.shape[:2]  # noqa: N806
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if x0 >= x1 or y0 >= y1:
        return img
    p = patch[y0 - y:y1 - y, x0 - x:x1 - x]
    a = p[..., 3:4].astype(np.float32) / 255.0
    roi = img[y0:y1, x0:x1].astype(np.float32)
    img[y0:y1, x0:x1] = (roi * (1.0 - a) + p[..., :3].astype(np.float32) * a + 0.5).astype(
        np.uint8)
    return img


def resize_to_width(img: Image, width: int) -> Image:
    """``img`` scaled (area filter when shrinking) to ``width`` px, aspect kept."""
    h, w = img.shape[:2]
    if w == width:
        return img
    height = max(2, round(h * width / w))
    interp = cv2.INTER_AREA if width < w else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(img, (width, height), interpolation=interp), dtype=np.uint8)


def encode_jpeg(img: Image, quality: int = 80) -> bytes:
    """JPEG bytes of an RGB frame."""
    buf = io.BytesIO()
    PILImage.fromarray(img).save(buf, format="JPEG", quality=quality, optimize=True)
    return buf.getvalue()
