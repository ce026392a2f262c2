"""Full-reference rows: PSNR and SSIM on Y against a ground-truth high-resolution image.

PSNR and SSIM on MATLAB ``rgb2ycbcr`` Y with a shaved border are the benchmark protocol's, so they
are ``liif.metrics``' (one implementation for ``liif eval`` and the report). LPIPS and DISTS go
through pyiqa when their weights are present (``iqa.pyiqa_backend``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from liif.metrics import psnr_y, rgb_to_y, ssim_y

from .cue import Cue, CueUnavailable, Views

__all__ = ["rgb_to_y", "psnr_y", "ssim_y", "NEEDS_REFERENCE", "psnr_y_cue", "ssim_y_cue"]

NEEDS_REFERENCE = "needs a reference image (--reference)"


def _cue(views: Views, score: Callable[[np.ndarray, np.ndarray, int], float], unit: str, fmt: str) -> Cue:
    if views.reference is None:
        raise CueUnavailable(NEEDS_REFERENCE)
    value = score(views.output, views.reference, views.shave)
    base = score(views.bicubic, views.reference, views.shave)
    warning = "further from the reference than bicubic" if value < base else ""
    if math.isinf(value):
        return Cue(value, base, "identical to the reference", warning)
    return Cue(value, base, f"{value:{fmt}}{unit} vs reference: {value - base:+{fmt}}{unit} over bicubic "
                            f"({base:{fmt}}{unit})", warning)


def psnr_y_cue(views: Views) -> Cue:
    """PSNR on Y of the output and of bicubic against the reference (border shaved)."""
    return _cue(views, psnr_y, " dB", ".2f")


def ssim_y_cue(views: Views) -> Cue:
    """SSIM on Y of the output and of bicubic against the reference (border shaved)."""
    return _cue(views, ssim_y, "", ".3f")
