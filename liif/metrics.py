"""Full-reference metrics as the super-resolution literature computes them (Y channel, shaved border)."""
from __future__ import annotations

import numpy as np

# ITU-R BT.601 luma for RGB in [0, 255] (MATLAB's rgb2ycbcr); the +16 offset cancels in differences.
_Y_COEFFS = np.array([65.481, 128.553, 24.966], dtype=np.float64) / 255.0


def rgb_to_y(img: np.ndarray) -> np.ndarray:
    """Y channel (BT.601, range 16-235) of an (H, W, 3) RGB image in [0, 255]; gray input passes through."""
    img = np.asarray(img, dtype=np.float64)
    if img.ndim == 2:
        return img
    return img @ _Y_COEFFS + 16.0


def _shave(img: np.ndarray, border: int) -> np.ndarray:
    return img[border:-border, border:-border] if border > 0 else img


def psnr_y(sr: np.ndarray, hr: np.ndarray, shave: int = 0) -> float:
    """PSNR in dB on Y between two RGB images in [0, 255], ``shave`` pixels dropped at each border."""
    if sr.shape != hr.shape:
        raise ValueError(f"images differ in size: {sr.shape} vs {hr.shape}")
    diff = _shave(rgb_to_y(sr), shave) - _shave(rgb_to_y(hr), shave)
    mse = float(np.mean(diff**2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def ssim_y(sr: np.ndarray, hr: np.ndarray, shave: int = 0) -> float:
    """SSIM on Y (Gaussian window sigma 1.5, as MATLAB's ssim used by EDSR/RCAN) between RGB images in [0, 255]."""
    from skimage.metrics import structural_similarity

    if sr.shape != hr.shape:
        raise ValueError(f"images differ in size: {sr.shape} vs {hr.shape}")
    a, b = _shave(rgb_to_y(sr), shave), _shave(rgb_to_y(hr), shave)
    return float(structural_similarity(a, b, data_range=255, gaussian_weights=True, sigma=1.5,
                                       use_sample_covariance=False))
