"""Saliency retention: does the enlargement move what draws the eye?

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

__all__ = ["SALIENCY_WIDTH", "spectral_residual", "map_correlation"]

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
