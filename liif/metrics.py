"""The super-resolution benchmark's scores: PSNR and SSIM on MATLAB ``rgb2ycbcr`` Y, border shaved.

They belong to the benchmark protocol (``liif.evaluate``), so they live with the engine; the
quality package ``iqa`` reuses them for its full-reference rows.
"""
from __future__ import annotations

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

__all__ = ["rgb_to_y", "psnr_y", "ssim_y"]


def rgb_to_y(image: np.ndarray) -> np.ndarray:
    """MATLAB ``rgb2ycbcr`` Y (BT.601, studio range [16, 235]) of 8-bit RGB, float64."""
    rgb = image.astype(np.float64) / 255.0
    return 16.0 + rgb @ np.array([65.481, 128.553, 24.966])


def _shave(y: np.ndarray, shave: int) -> np.ndarray:
    if shave <= 0:
        return y
    if 2 * shave >= min(y.shape[:2]):
        raise ValueError(f"shave={shave} leaves nothing of a {y.shape[1]}x{y.shape[0]} image")
    return y[shave:-shave, shave:-shave]


def _pair(image: np.ndarray, reference: np.ndarray, shave: int) -> tuple[np.ndarray, np.ndarray]:
    if image.shape != reference.shape:
        raise ValueError(
            f"the reference must have the output's size: output {image.shape[1]}x{image.shape[0]}, "
            f"reference {reference.shape[1]}x{reference.shape[0]}"
        )
    return _shave(rgb_to_y(image), shave), _shave(rgb_to_y(reference), shave)


def psnr_y(image: np.ndarray, reference: np.ndarray, shave: int = 0) -> float:
    """PSNR on Y in dB (``inf`` for identical images)."""
    a, b = _pair(image, reference, shave)
    if np.array_equal(a, b):
        return float("inf")
    return float(peak_signal_noise_ratio(b, a, data_range=255.0))


def ssim_y(image: np.ndarray, reference: np.ndarray, shave: int = 0) -> float:
    """SSIM on Y (Wang et al. 2004 settings: Gaussian window sigma 1.5, K1 0.01, K2 0.03)."""
    a, b = _pair(image, reference, shave)
    return float(structural_similarity(a, b, data_range=255.0, gaussian_weights=True, sigma=1.5,
                                       use_sample_covariance=False))
