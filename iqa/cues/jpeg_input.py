"""The input's JPEG grid as the report judges it: where it lands in an enlargement, whether there is one to speak of.

Three rows read it: the input's JPEG blocks (magnified or removed), and consistency and texture, where removing a
JPEG's artefacts excuses departing from the input. It lives apart from the cue families because the tone cues
need it and the artefact cues import the tone cues.
"""
from __future__ import annotations

import numpy as np

from liif.imageio import luma_bt601

from .base import Views

__all__ = ["INPUT_GRID_SEEN", "abs_steps", "bicubic_grid", "grid_by_axis", "jpeg_expected", "jpeg_grid_seen",
           "lowres_size", "magnified_grid"]

# The input's grid is there to magnify only where its plain (bicubic) enlargement shows it at least this strongly.
# On the validity suite's fit split (12 BSD200 images JPEG'd at q30, q50 and q75, enlarged x2 and x4) bicubic reads
# 1.07 at the least (q75, x4) and 1.5 at the median: 1.05 keeps every one. Without it an input liif.inspect reads
# as JPEG but whose enlargement shows no grid (small drawn text) had its sharpened strokes on the 8-pixel lines
# called magnified blocks. And each way must show more step on the borders than mid-block (1 = no grid): on 40
# BSD200 images JPEG'd at q30 and q50, x2 and x4, the weaker way reads 1.03 at the least (q75: 8 of 75 under 1); drawn
# text that liif.inspect took for a JPEG (5 of the transfer suite's 36, text lines every 8 input pixels) 0.78-0.91.
INPUT_GRID_SEEN = 1.05


def abs_steps(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """|differences| between horizontal and vertical neighbours; the second is transposed."""
    return np.abs(np.diff(y, axis=1)), np.abs(np.diff(y, axis=0)).T


def magnified_grid(image: np.ndarray, input_size: tuple[int, int]) -> float:
    """Strength of the *input's* 8x8 JPEG grid as it shows in an enlargement of it (1 = no grid).

    The input's block borders (columns and rows 8k) land at 8k x scale in the enlargement; the step
    across each is compared with the step at the middle of the blocks (8k + 4), as ``jpeg_blockiness``
    does at the input's own size. ``input_size`` is the input's (width, height).
    """
    ratios = grid_by_axis(image, input_size)
    return float(np.mean(ratios)) if ratios else 1.0


def grid_by_axis(image: np.ndarray, input_size: tuple[int, int]) -> list[float]:
    """``magnified_grid`` across the columns' borders and across the rows', apart (those the image is large for)."""
    y = image.astype(np.float32, copy=False) if image.ndim == 2 else luma_bt601(image).astype(np.float32)
    ratios = []
    for steps, n_in in zip(abs_steps(y), input_size, strict=True):
        scale = (steps.shape[1] + 1) / n_in
        border = np.round(np.arange(8, n_in, 8) * scale).astype(int) - 1
        middle = np.round(np.arange(4, n_in - 4, 8) * scale).astype(int) - 1
        border, middle = border[(border >= 0) & (border < steps.shape[1])], middle[middle < steps.shape[1]]
        if border.size and middle.size:
            ratios.append(float((steps[:, border].mean() + 1e-3) / (steps[:, middle].mean() + 1e-3)))
    return ratios


def lowres_size(views: Views) -> tuple[int, int]:
    """The input's (width, height)."""
    return views.lowres.shape[1], views.lowres.shape[0]


def _bicubic_axes(views: Views) -> list[float]:
    return views.shared("bicubic_grid", lambda: grid_by_axis(views.luma("bicubic"), lowres_size(views)))


def bicubic_grid(views: Views) -> float:
    """How strongly the input's 8x8 grid shows in its plain (bicubic) enlargement; once per assessment."""
    axes = _bicubic_axes(views)
    return float(np.mean(axes)) if axes else 1.0


def jpeg_grid_seen(views: Views) -> bool:
    """Whether the input is a JPEG with a grid to speak of: liif.inspect calls it compressed and bicubic shows it.

    JPEG's blocks are square: its grid shows across the columns and across the rows. Lines of text every 8
    input pixels (or a layout on an 8-pixel grid) show one way only: the other way, no more step on the borders than
    mid-block (1 at most).
    """
    axes = _bicubic_axes(views)
    return (views.input_condition().compressed and bicubic_grid(views) >= INPUT_GRID_SEEN
            and min(axes, default=1.0) > 1.0)


def jpeg_expected(views: Views) -> str:
    """Why departing from a JPEG input is expected ('' unless the input is a JPEG whose grid shows)."""
    if not jpeg_grid_seen(views):  # not compressed, or read so but showing no grid (small drawn text)
        return ""
    return (f"expected with a JPEG input (quality about {views.input_condition().jpeg_quality}) whose artefacts an "
            "enlargement removes")
