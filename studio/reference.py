"""The reference tab: make the low-resolution input from a sharp image by the benchmark protocol, enlarge it
back with LIIF and bicubic, score both against the original and map where the errors are.

The protocol is ``liif eval``'s (``liif.evaluate.make_pair``: HR cropped to a multiple of the factor, LR by
MATLAB-compatible bicubic; PSNR/SSIM on Y with ``ceil(factor)`` pixels shaved from each border), so the LIIF
figures match ``liif eval`` on the same image. The bicubic baseline is PIL bicubic, as in every tab and in
``iqa``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from matplotlib import colormaps
from PIL import Image

import iqa
import liif
from iqa.cues.fr import rgb_to_y
from liif.evaluate import make_pair
from liif.imageio import ImageLike
from liif.resize import pil_bicubic

from .reports import format_score
from .views import to_display

MIN_LOWRES_SIDE = 8
COLOUR_MAP = "magma"


class ReferenceTooSmall(liif.InputError):
    """A reference image that cannot be used at the chosen factor; the message says what to change."""


@dataclass
class ReferenceResult:
    """Everything the tab shows: the images (uint8 RGB arrays), the report and the protocol's parameters."""

    reference: np.ndarray
    lowres: np.ndarray
    result: np.ndarray
    bicubic: np.ndarray
    report: iqa.Report
    factor: float
    shave: int


def degrade_and_score(up: liif.Upscaler, reference: ImageLike, factor: float) -> ReferenceResult:
    """Run the benchmark protocol on one image: LR by MATLAB bicubic, LIIF and bicubic back, scores."""
    hr = np.asarray(to_display(reference).convert("RGB"))
    h, w = hr.shape[:2]
    lw, lh = math.floor(w / factor + 1e-9), math.floor(h / factor + 1e-9)
    if min(lw, lh) < MIN_LOWRES_SIDE:
        raise ReferenceTooSmall(f"At x{factor:g} this {w}x{h} image becomes {lw}x{lh} pixels, too small to enlarge: "
                              "choose a smaller factor or a larger image.")
    hr, lr = make_pair(hr, factor)
    size = (hr.shape[1], hr.shape[0])
    result = up.upscale(lr, size=size)
    shave = math.ceil(factor)
    report = iqa.assess(result, lr, reference=hr, shave=shave)
    # The input is made with the benchmark's MATLAB kernel (make_pair); the bicubic shown and scored beside
    # LIIF is the display kernel, the same baseline iqa.assess computes.
    return ReferenceResult(hr, lr, result, pil_bicubic(lr, size), report, factor, shave)


def error_maps(run: ReferenceResult) -> tuple[Image.Image, Image.Image, float]:
    """|Y(output) - Y(reference)| for bicubic and LIIF on one colour scale (magma); returns the scale's top.

    Y is the luma PSNR is computed on (MATLAB ``rgb2ycbcr``, 16 to 235); the top is the 99.5th percentile
    of both maps, so that a few outliers do not wash the rest out.
    """
    ref = rgb_to_y(run.reference)
    err_b, err_l = np.abs(rgb_to_y(run.bicubic) - ref), np.abs(rgb_to_y(run.result) - ref)
    top = float(max(np.percentile(err_b, 99.5), np.percentile(err_l, 99.5), 1.0))
    cmap = colormaps[COLOUR_MAP]

    def paint(err: np.ndarray) -> Image.Image:
        return Image.fromarray((cmap(np.clip(err / top, 0, 1))[..., :3] * 255).round().astype(np.uint8))

    return paint(err_b), paint(err_l), top


def gain_sentence(report: iqa.Report) -> str:
    """'PSNR (Y): LIIF 31.20 dB vs bicubic 28.43 dB (higher is better); ...' for the full-reference scores."""
    parts = []
    for s in report.rows:
        if s.group == "full-reference" and s.available and s.value is not None and s.baseline is not None:
            parts.append(f"**{s.name}**: LIIF {format_score(s, s.value)} vs bicubic {format_score(s, s.baseline)} "
                         f"({s.direction} is better)")
    return "; ".join(parts)
