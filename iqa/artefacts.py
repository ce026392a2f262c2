"""Artefact cues: what an enlargement may have *added* (noise, halos, blocks, pixelation, banding).

Each function takes an HxWx3 uint8 image or its luma (and, where needed, the low-resolution
input) and returns one number; ``iqa.artefact_cues`` turns them into report rows next to the
same number for the bicubic enlargement. Most work on BT.601 luma and on at most ``ARTEFACT_CROP``
pixels per side (what each costs: ``benchmarks/bench_report.py``, docs/quality.md).
"""

from __future__ import annotations

import cv2
import numpy as np
from skimage.restoration import estimate_sigma

from liif.imageio import luma_bt601

from .images import center_crop

__all__ = [
    "ARTEFACT_CROP",
    "noise_sigma",
    "flat_noise_sigma",
    "tone_matched",
    "halo_overshoot",
    "halo_overshoots",
    "lost_levels",
    "jpeg_blockiness",
    "pixel_grid_share",
]

ARTEFACT_CROP = 2048

# Halo zone: input pixels that are flat themselves (3x3 range below FLAT) but sit one
# pixel from a strong edge (5x5 range at least EDGE). In such places the true
# high-resolution image is flat too, so anything the enlargement puts outside the
# input's local range there is a halo, not recovered detail.
HALO_FLAT = 16.0
HALO_EDGE = 32.0
# Smoothing before the halo measure so that pixel noise (its own cue) is not read as halo: at least this
# (output pixels), and a quarter of an input pixel at larger scales, where one flat input pixel covers
# texture the model rightly draws (LIIF at x8 would otherwise read as haloed on Set14).
HALO_PRESMOOTH = 1.0
HALO_PRESMOOTH_INPUT = 0.25


def _luma(image: np.ndarray) -> np.ndarray:
    """Float32 luma of an HxWx3 image, or an HxW luma as it is (an assessment computes each luma once)."""
    return image.astype(np.float32, copy=False) if image.ndim == 2 else luma_bt601(image).astype(np.float32)


def _y(image: np.ndarray) -> np.ndarray:
    return _luma(center_crop(image, ARTEFACT_CROP))


def noise_sigma(image: np.ndarray) -> float:
    """Gaussian noise standard deviation of luma in grey levels (wavelet MAD, scikit-image).

    Noise added to each RGB channel with sigma s reads as about 0.67 s on luma.
    """
    y = _y(image)
    if not np.any(np.diff(y, axis=0)) and not np.any(np.diff(y, axis=1)):
        return 0.0  # one flat colour: no detail coefficient at all (the estimator's median would be of nothing)
    return float(estimate_sigma(y, channel_axis=None))


# Noise is measured where the input is flat (5x5 range under this many grey levels): there the true
# image is flat too, so any fine-scale energy is noise; elsewhere it may be detail a model synthesised.
NOISE_FLAT = 6.0
NOISE_MIN_COEFFICIENTS = 256  # fewer flat wavelet coefficients than this: the whole image's estimate


def _local_range(y: np.ndarray, side: int) -> np.ndarray:
    kernel = np.ones((side, side), np.uint8)
    return cv2.dilate(y, kernel) - cv2.erode(y, kernel)


def flat_noise_sigma(image: np.ndarray, lowres: np.ndarray) -> float:
    """Noise of luma (grey levels) in the areas where the input is flat: wavelet MAD on those areas only.

    The estimator is scikit-image's (``estimate_sigma``: the median absolute finest diagonal Daubechies-2
    coefficient over 0.6745), restricted to flat areas, and keeping zero coefficients: an exactly flat
    area has no noise. Textured areas, where a model may draw fine detail the estimator would read as
    noise, are left out.
    """
    import pywt

    y, low = _luma(image), _luma(lowres)
    _, (_, _, diagonal) = pywt.dwt2(y, "db2")
    flat = (_local_range(low, 5) < NOISE_FLAT).astype(np.uint8)
    flat = cv2.resize(flat, (diagonal.shape[1], diagonal.shape[0]), interpolation=cv2.INTER_NEAREST).astype(bool)
    if flat.sum() < NOISE_MIN_COEFFICIENTS:
        return noise_sigma(image)
    return float(np.median(np.abs(diagonal[flat])) / 0.6744897501960817)


# Pixels the colour-to-luma map is fitted on (a regular sample): ample for its 11 terms.
TONE_FIT_PIXELS = 20_000


def tone_features(rgb: np.ndarray) -> np.ndarray:
    """The terms of ``tone_matched``'s colour-to-luma map for each pixel of an RGB image: (H*W, 11)."""
    x = rgb.reshape(-1, 3).astype(np.float64) / 255.0
    r, g, b = x.T
    y = x @ np.array([0.299, 0.587, 0.114])
    return np.stack([np.ones_like(r), r, g, b, r * r, g * g, b * b, r * g, r * b, g * b, y ** 3], axis=1)


def tone_matched(lowres: np.ndarray, shrunk: np.ndarray, features: np.ndarray | None = None) -> np.ndarray:
    """The input's luma as ``shrunk`` renders its colours: a global colour-to-luma map fitted by least squares.

    ``shrunk`` is an enlargement shrunk back to the input's size (both HxWx3 uint8). After a gamma,
    contrast or saturation change its luma differs from the input's everywhere, and the texture
    measure must not read that as texture gained or lost: the map (quadratic in R, G, B, plus the
    cube of luma) carries the input into the candidate's tones, and nothing finer. ``features``:
    ``tone_features(lowres)``, when several candidates are matched to one input.
    """
    features = tone_features(lowres) if features is None else features
    target = luma_bt601(shrunk).reshape(-1)
    step = max(1, features.shape[0] // TONE_FIT_PIXELS)
    coef, *_ = np.linalg.lstsq(features[::step], target[::step], rcond=None)
    return (features @ coef).reshape(lowres.shape[:2]).astype(np.float32)


def halo_overshoots(image: np.ndarray, lowres: np.ndarray,
                    presmooth: float = HALO_PRESMOOTH) -> tuple[float, float]:
    """Mean overshoot (grey levels) beyond the input's local range beside strong edges, and a little farther away.

    Beside: flat input pixels (3x3 range under HALO_FLAT) one pixel from a strong edge (5x5 range at least
    HALO_EDGE); farther: flat for two pixels around, an edge within four. Unsharp masking and ringing put
    bright/dark bands beside the edge, so the first exceeds the second; a flat area moved as a whole
    (rounded to a band, re-toned) overshoots as much farther away. 0 where a zone is empty.
    """
    h, w = image.shape[:2]
    y = cv2.GaussianBlur(_luma(image), (0, 0), presmooth)
    low = _luma(lowres)
    hi3, lo3 = cv2.dilate(low, np.ones((3, 3), np.uint8)), cv2.erode(low, np.ones((3, 3), np.uint8))
    flat3, flat5 = (hi3 - lo3) < HALO_FLAT, _local_range(low, 5) < HALO_FLAT
    beside = flat3 & (_local_range(low, 5) >= HALO_EDGE)
    farther = flat5 & (_local_range(low, 9) >= HALO_EDGE) & ~beside
    # The input's local range, carried to the output grid (linear, so it follows the pixel centres).
    hi = cv2.resize(hi3, (w, h), interpolation=cv2.INTER_LINEAR)
    lo = cv2.resize(lo3, (w, h), interpolation=cv2.INTER_LINEAR)
    over = np.maximum(y - hi, 0) + np.maximum(lo - y, 0)

    def mean_over(zone_low: np.ndarray) -> float:
        zone = cv2.resize(zone_low.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST).astype(bool)
        return float(over[zone].mean()) if zone.any() else 0.0

    return mean_over(beside), mean_over(farther)


def halo_overshoot(image: np.ndarray, lowres: np.ndarray, presmooth: float = HALO_PRESMOOTH) -> float:
    """Mean overshoot (grey levels) beyond the input's local range, in the flat areas beside strong edges.

    Unsharp masking and ringing upscalers put bright/dark bands there; a faithful
    enlargement stays inside the range of the input pixels around it. 0 when the input
    has no strong edge with a flat side. (``halo_overshoots`` gives it with the overshoot farther away.)
    """
    return halo_overshoots(image, lowres, presmooth)[0]


def _abs_steps(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """|differences| between horizontal and vertical neighbours; the second is transposed."""
    return np.abs(np.diff(y, axis=1)), np.abs(np.diff(y, axis=0)).T


def jpeg_blockiness(image: np.ndarray) -> float:
    """Strength of the JPEG 8x8 grid: mean neighbour step across block borders / mid-block.

    Borders are between columns (rows) 7|8, 15|16, ...; the comparison is the step 3|4
    in the middle of each block. Both positions fall on the same phase of any 2x or 4x
    enlargement grid, so an upscaler's own periodic pattern cancels out. 1 = no grid.
    Only a grid aligned with the image's top-left corner is seen (a JPEG of the output).
    """
    y = _luma(image[: ARTEFACT_CROP, : ARTEFACT_CROP])  # no centre crop: it could move the grid's phase
    ratios = []
    for steps in _abs_steps(y):
        border, middle = steps[:, 7::8], steps[:, 3::8]
        n = min(border.shape[1], middle.shape[1])
        if n == 0:
            continue
        ratios.append((border[:, :n].mean() + 1e-3) / (middle[:, :n].mean() + 1e-3))
    return float(np.mean(ratios)) if ratios else 1.0


def magnified_grid(image: np.ndarray, input_size: tuple[int, int]) -> float:
    """Strength of the *input's* 8x8 JPEG grid as it shows in an enlargement of it (1 = no grid).

    The input's block borders (columns and rows 8k) land at 8k x scale in the enlargement; the step
    across each is compared with the step at the middle of the blocks (8k + 4), as ``jpeg_blockiness``
    does at the input's own size. ``input_size`` is the input's (width, height).
    """
    y = _luma(image)
    ratios = []
    for steps, n_in in zip(_abs_steps(y), input_size, strict=True):
        scale = (steps.shape[1] + 1) / n_in
        border = np.round(np.arange(8, n_in, 8) * scale).astype(int) - 1
        middle = np.round(np.arange(4, n_in - 4, 8) * scale).astype(int) - 1
        border, middle = border[(border >= 0) & (border < steps.shape[1])], middle[middle < steps.shape[1]]
        if border.size and middle.size:
            ratios.append((steps[:, border].mean() + 1e-3) / (steps[:, middle].mean() + 1e-3))
    return float(np.mean(ratios)) if ratios else 1.0


# Banding is looked for in blocks of BAND_BLOCK output pixels lying where the input changes slowly (5x5 range
# under BAND_SMOOTH grey levels), in channels where bicubic takes at least BAND_MIN_LEVELS levels in the block.
BAND_SMOOTH = 24.0
BAND_BLOCK = 16
BAND_MIN_LEVELS = 4


def _smooth_blocks(image: np.ndarray, smooth: np.ndarray) -> np.ndarray:
    """The smooth BAND_BLOCK-pixel blocks of an RGB image, each channel's values sorted: (n, 3, block**2)."""
    b = BAND_BLOCK
    h, w = smooth.shape[0] * b, smooth.shape[1] * b
    blocks = image[:h, :w].reshape(h // b, b, w // b, b, 3).transpose(0, 2, 4, 1, 3).reshape(h // b, w // b, 3, b * b)
    return np.sort(blocks[smooth], axis=-1)


def _levels(blocks: np.ndarray) -> np.ndarray:
    return 1 + np.count_nonzero(np.diff(blocks, axis=-1), axis=-1)


def lost_levels(image: np.ndarray, bicubic: np.ndarray, lowres: np.ndarray) -> float:
    """Share of the grey levels bicubic takes in the smooth blocks that the output does not (0-1).

    Per 16x16 block where the input changes slowly and per RGB channel: how many distinct levels the
    output takes against bicubic's enlargement, which climbs a smooth gradient one level at a time.
    Posterised output keeps one level in 8 (5 bits a channel) or flattens a block to one; noise and a
    contrast stretch take more levels, not fewer. 0 when no smooth block has enough levels to tell.
    """
    b = BAND_BLOCK
    image, bicubic = center_crop(image, ARTEFACT_CROP), center_crop(bicubic, ARTEFACT_CROP)
    h, w = image.shape[0] // b * b, image.shape[1] // b * b
    if not (h and w):
        return 0.0
    smooth = (_local_range(_luma(lowres), 5) < BAND_SMOOTH).astype(np.uint8)
    smooth = cv2.resize(smooth, (bicubic.shape[1], bicubic.shape[0]), interpolation=cv2.INTER_NEAREST)
    smooth = smooth[:h, :w].reshape(h // b, b, w // b, b).min(axis=(1, 3)).astype(bool)
    out_blocks = _smooth_blocks(image, smooth)
    out, bic = _levels(out_blocks), _levels(_smooth_blocks(bicubic, smooth))
    # A block clipped at black or white loses its levels to the clipping (a tone change), not to banding.
    clipped = (out_blocks[..., 0] == 0) | (out_blocks[..., -1] == 255)
    counted = (bic >= BAND_MIN_LEVELS) & ~clipped
    if not counted.any():
        return 0.0
    return float(np.maximum(bic - out, 0)[counted].sum() / bic[counted].sum())


def pixel_grid_share(image: np.ndarray, period: int) -> float:
    """Share of the neighbour-to-neighbour change that falls on one phase of a ``period`` grid.

    For an enlargement by an integer scale ``period``, a smooth result spreads its change
    evenly (about 1/period); nearest-neighbour puts all of it on the input's pixel
    borders (1.0): the input's pixels show as blocks.
    """
    if period < 2:
        raise ValueError(f"the pixel grid needs a period of at least 2, got {period}")
    y = _y(image)
    shares = []
    for steps in _abs_steps(y):
        n = steps.shape[1] // period * period
        if n == 0:
            continue
        phases = steps[:, :n].reshape(steps.shape[0], -1, period).mean(axis=(0, 1))
        total = phases.sum()
        shares.append(phases.max() / total if total > 0 else 1.0 / period)
    return float(np.mean(shares)) if shares else 1.0 / period
