"""Classical detail and tone cues (numpy / scipy / scikit-image / OpenCV).

Sharpness cues are measured on the output and on the bicubic enlargement of the
input at the same size, so they read as a gain over bicubic. Tone cues shrink the
output back to the input size with the same bicubic kernel and compare it with the
input itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from skimage.color import deltaE_ciede2000, rgb2lab
from skimage.metrics import peak_signal_noise_ratio

from liif.imageio import luma_bt601
from liif.resize import pil_bicubic

from .images import center_crop

__all__ = [
    "SHARPNESS_CROP",
    "TONE_MAX_PIXELS",
    "laplacian_variance",
    "tenengrad",
    "Spectrum",
    "spectrum",
    "high_frequency_share",
    "psnr",
    "texture_energy",
    "detail_beyond",
    "effective_resolution",
    "colourfulness",
    "ToneCues",
    "ToneSample",
    "tone_cues",
    "shrink_to",
    "texture_mask",
]

# Large-image policy for classical cues: sharpness on a centre crop of at most
# this size; colour statistics on a regular subsample of at most this many pixels.
SHARPNESS_CROP = 2048
TONE_MAX_PIXELS = 1_000_000
# Colourfulness change is relative to the input's M, or to this floor for near-grey inputs.
COLOURFULNESS_FLOOR = 15.0


def _y(image: np.ndarray) -> np.ndarray:
    image = center_crop(image, SHARPNESS_CROP)
    return luma_bt601(image) if image.ndim == 3 else image.astype(np.float64)


def laplacian_variance(image: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian of luma (image HxWx3 uint8 or HxW float)."""
    return float(cv2.Laplacian(_y(image), cv2.CV_64F, ksize=1).var())


def tenengrad(image: np.ndarray) -> float:
    """Mean of the squared 3x3 Sobel gradient magnitude of luma."""
    y = _y(image)
    gx = cv2.Sobel(y, cv2.CV_64F, 1, 0, ksize=3)
    gy = cv2.Sobel(y, cv2.CV_64F, 0, 1, ksize=3)
    return float(np.mean(gx * gx + gy * gy))


@dataclass(frozen=True)
class Spectrum:
    """The power spectrum of a (Hann-windowed, DC-free) luma, and each frequency's radius (1.0 = Nyquist)."""

    power: np.ndarray
    radius: np.ndarray
    window_energy: float  # sum of the squared window: white noise of variance v has power v * this


def spectrum(image: np.ndarray) -> Spectrum:
    """The spectrum of an image's luma (or of a luma), on the centre crop the sharpness cues use."""
    from scipy import fft

    y = _y(image)
    y = y - y.mean()
    window = np.outer(np.hanning(y.shape[0]), np.hanning(y.shape[1]))
    power = np.abs(fft.rfft2(y * window, workers=1)) ** 2
    fy = fft.fftfreq(y.shape[0])[:, None]
    fx = fft.rfftfreq(y.shape[1])[None, :]
    return Spectrum(power, np.sqrt(fx * fx + fy * fy) / 0.5, float((window ** 2).sum()))


def _spectrum(image: np.ndarray | Spectrum) -> Spectrum:
    return image if isinstance(image, Spectrum) else spectrum(image)


def high_frequency_share(image: np.ndarray | Spectrum, cutoff: float = 0.5) -> float:
    """Share of (Hann-windowed, DC-free) spectral energy above ``cutoff``.

    ``cutoff`` is a fraction of the Nyquist frequency; for an enlargement by ``s``
    use ``1/s``: the band the input could not represent.
    """
    spec = _spectrum(image)
    ac = spec.radius > 0
    total = spec.power[ac].sum()
    if total <= 0:
        return 0.0
    return float(spec.power[spec.radius > cutoff].sum() / total)


# Effective resolution: the highest frequency whose radial mean power stays this many times above the
# power of 8-bit rounding noise (the floor every 8-bit image has).
RESOLUTION_ABOVE_FLOOR = 10.0


def effective_resolution(image: np.ndarray | Spectrum, bins: int = 64) -> float:
    """Where detail ends: the highest frequency (fraction of the image's Nyquist, 0-1) with power above the floor.

    The floor is the power 8-bit rounding adds at every frequency (variance 1/12 grey level squared,
    Hann-windowed like the image); a plain enlargement falls to it just beyond the input's Nyquist.
    """
    spec = _spectrum(image)
    index = np.minimum((np.minimum(spec.radius, 1.0) * bins).astype(int), bins - 1).ravel()
    counts = np.maximum(np.bincount(index, None, bins), 1)
    mean = np.bincount(index, spec.power.ravel(), bins) / counts
    above = np.nonzero(mean[1:] > RESOLUTION_ABOVE_FLOOR * spec.window_energy / 12.0)[0]
    return float((above[-1] + 2) / bins) if above.size else 0.0


# Texture: input pixels whose 3x3 mean |Laplacian| is at least TEXTURE_ACTIVE grey levels (fine-scale
# activity) without a strong edge (5x5 range under TEXTURE_EDGE): fur, foliage, fabric, not outlines.
TEXTURE_ACTIVE = 4.0
TEXTURE_EDGE = 80.0


def texture_mask(lowres_luma: np.ndarray) -> np.ndarray:
    """The input's textured, non-edge pixels (HxW bool) from its luma."""
    active = cv2.blur(np.abs(cv2.Laplacian(lowres_luma, cv2.CV_32F, ksize=1)), (3, 3)) >= TEXTURE_ACTIVE
    k5 = np.ones((5, 5), np.uint8)
    return active & ((cv2.dilate(lowres_luma, k5) - cv2.erode(lowres_luma, k5)) < TEXTURE_EDGE)


def texture_energy(luma: np.ndarray, mask: np.ndarray) -> float:
    """Mean squared 4-neighbour Laplacian of ``luma`` over ``mask``: fine-scale energy at the input's scale."""
    lap = cv2.Laplacian(luma.astype(np.float32, copy=False), cv2.CV_32F, ksize=1)
    return float(np.mean(lap[mask] ** 2)) if mask.any() else 0.0


def detail_beyond(luma: np.ndarray, lowres_luma: np.ndarray, factor: float) -> float:
    """Fine-scale energy an enlargement holds beyond 1/``factor`` of its Nyquist, per unit of the input's own.

    The mean squared difference between the luma and its reduction by ``factor`` enlarged back (PIL
    bicubic both ways: the detail a x``factor`` reduction would lose), over the input's mean squared
    Laplacian (how much fine detail the input shows), so that a detailed photo and a smooth one compare.
    """
    h, w = luma.shape
    small = pil_bicubic(luma.astype(np.float32), (max(1, round(w / factor)), max(1, round(h / factor))))
    top = float(np.mean((luma - pil_bicubic(small, (w, h))) ** 2))
    fine = float(np.mean(cv2.Laplacian(lowres_luma.astype(np.float32), cv2.CV_32F, ksize=1) ** 2))
    return top / fine if fine > 0 else 0.0


def psnr(a: np.ndarray, b: np.ndarray, data_range: float = 255.0) -> float:
    """PSNR in dB over all pixels and channels; ``inf`` for identical images."""
    if a.shape != b.shape:
        raise ValueError(f"PSNR needs equal shapes, got {a.shape} and {b.shape}")
    if np.array_equal(a, b):  # scikit-image would divide by zero
        return float("inf")
    return float(peak_signal_noise_ratio(a.astype(np.float64), b.astype(np.float64), data_range=data_range))


def colourfulness(image: np.ndarray) -> float:
    """Hasler and Suesstrunk (2003) colourfulness M on 0-255 RGB."""
    rgb = image.reshape(-1, 3).astype(np.float64)
    rg = rgb[:, 0] - rgb[:, 1]
    yb = 0.5 * (rgb[:, 0] + rgb[:, 1]) - rgb[:, 2]
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def shrink_to(image: np.ndarray, like: np.ndarray) -> np.ndarray:
    """Bicubic resize of ``image`` to the size of ``like`` (Pillow's kernel, the baseline's: not the benchmark's)."""
    return pil_bicubic(image, (like.shape[1], like.shape[0]))


def _subsample(image: np.ndarray) -> np.ndarray:
    step = int(np.ceil(np.sqrt(image.shape[0] * image.shape[1] / TONE_MAX_PIXELS)))
    return image[::step, ::step] if step > 1 else image


@dataclass(frozen=True)
class ToneCues:
    consistency_psnr: float  # dB, shrunk output vs input (RGB)
    color_drift: float  # mean CIEDE2000
    luma_mean_shift: float  # L* units
    luma_spread_shift: float  # L* units
    colourfulness_change: float  # percent


class ToneSample:
    """An image, the regular subsample its colour statistics use, and that subsample's Lab (computed once)."""

    def __init__(self, image: np.ndarray) -> None:
        self.rgb = image
        sample = _subsample(image)
        # float32 Lab: CIEDE2000 runs 1.7x faster on it, and its mean moves by a millionth
        self.lab = rgb2lab(sample).astype(np.float32)
        self.colourfulness = colourfulness(sample)


def tone_cues(candidate: np.ndarray, lowres: np.ndarray | ToneSample) -> ToneCues:
    """Tone retention of an enlargement ``candidate`` of ``lowres`` (HxWx3 uint8, or the input's ``ToneSample``).

    ``candidate`` may also be the enlargement already shrunk back to the input's size (``shrink_to``).
    """
    low = lowres if isinstance(lowres, ToneSample) else ToneSample(lowres)
    shrunk = candidate if candidate.shape == low.rgb.shape else shrink_to(candidate, low.rgb)
    out = ToneSample(shrunk)
    drift = float(np.mean(deltaE_ciede2000(low.lab, out.lab), dtype=np.float64))
    mean_shift = float(out.lab[..., 0].mean(dtype=np.float64) - low.lab[..., 0].mean(dtype=np.float64))
    spread_shift = float(out.lab[..., 0].std(dtype=np.float64) - low.lab[..., 0].std(dtype=np.float64))
    # Relative to at least "slightly colourful" (M = 15 on Hasler and Suesstrunk's scale):
    # against a grey input (M = 0) a trace of chroma would otherwise read as a huge change.
    change = 100.0 * (out.colourfulness - low.colourfulness) / max(low.colourfulness, COLOURFULNESS_FLOOR)
    return ToneCues(psnr(shrunk, low.rgb), drift, mean_shift, spread_shift, float(change))
