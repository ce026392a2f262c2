"""Saliency: does the enlargement move what draws the eye? (the saliency retention row)

Saliency is the spectral residual of Hou and Zhang (CVPR 2007), the "static saliency"
of OpenCV's contrib module, computed here from OpenCV and numpy primitives: the contrib
wheel cannot be the only OpenCV wheel installed, because pyiqa's dependency facexlib
pulls in ``opencv-python`` (two wheels sharing the ``cv2`` folder overwrite each other).
Maps are compared by Pearson's linear correlation coefficient (CC), the usual score for
comparing saliency maps (Bylinskii et al., "What do different evaluation metrics tell
us about saliency models?", 2019).
"""

from __future__ import annotations

import cv2
import numpy as np

from liif.imageio import luma_bt601

from .base import Cue, Views, Warns, register

__all__ = ["SALIENCY_WIDTH", "SALIENCY_KEPT", "SALIENCY_MOVED", "spectral_residual", "map_correlation"]

# The paper's working width: a glance-level map of what draws the eye. (At 128 px the map
# follows fine texture, and LIIF, like the true high-resolution image, already "moves" it.)
SALIENCY_WIDTH = 64


def spectral_residual(image: np.ndarray, width: int = SALIENCY_WIDTH) -> np.ndarray:
    """Spectral-residual saliency of an HxWx3 uint8 image (or its luma), float32 in [0, 1], ``width`` px wide."""
    h, w = image.shape[:2]
    size = (width, max(1, round(width * h / w)))
    y = image.astype(np.float32, copy=False) if image.ndim == 2 else luma_bt601(image).astype(np.float32)
    y = cv2.resize(y, size, interpolation=cv2.INTER_AREA)
    spectrum = np.fft.fft2(y)
    log_amplitude = np.log(np.abs(spectrum) + 1e-8).astype(np.float32)
    residual = log_amplitude - cv2.blur(log_amplitude, (3, 3), borderType=cv2.BORDER_REPLICATE)
    back = np.fft.ifft2(np.exp(residual + 1j * np.angle(spectrum)))
    saliency = cv2.GaussianBlur((np.abs(back) ** 2).astype(np.float32), (0, 0), 2.5)
    low, high = float(saliency.min()), float(saliency.max())
    return (saliency - low) / (high - low) if high > low else np.zeros_like(saliency)


def map_correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two saliency maps of the same shape (1 = same; 0 = unrelated)."""
    if a.shape != b.shape:
        raise ValueError(f"saliency maps differ in shape: {a.shape} and {b.shape}")
    a = a.astype(np.float64).ravel() - a.mean()
    b = b.astype(np.float64).ravel() - b.mean()
    denom = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denom) if denom > 0 else (1.0 if np.allclose(a, b) else 0.0)


# Saliency-map correlation with bicubic's: kept from SALIENCY_KEPT; a warning below
# SALIENCY_MOVED. The true high-resolution image itself reads 0.79-1.00 on Set5/Set14 x4
# (fine detail shifts a glance-level map too), so only larger moves warn.
SALIENCY_KEPT = 0.90
SALIENCY_MOVED = 0.75


# "Moved" is reported, not judged: it fired on 23 clean x8 outputs of the validity suite (a model's new detail
# changes a glance-level map against bicubic's blur).
MOVED = Warns("saliency moved", "moves what draws the eye", judged=False)


@register("saliency_retention", "Saliency retention", "saliency",
          "Correlation of the spectral-residual saliency map (Hou and Zhang 2007; 64 px wide) "
          "of the output with that of the bicubic enlargement: does the enlargement move what "
          "draws the eye?", "higher", "-1 to 1 (1 = same)", warns=(MOVED,))
def saliency_retention(views: Views) -> Cue:
    """Correlation of the output's saliency map with the bicubic enlargement's."""
    value = map_correlation(*views.both(spectral_residual))
    if value >= SALIENCY_KEPT:
        return Cue(value, None, f"what draws the eye is unchanged (saliency CC {value:.2f} with bicubic)")
    if value >= SALIENCY_MOVED:
        return Cue(value, None, f"what draws the eye has moved slightly (saliency CC {value:.2f} with bicubic)")
    return Cue(value, None, f"what draws the eye has moved (saliency CC {value:.2f} with bicubic)",
               MOVED.name)
