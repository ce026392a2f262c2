"""What an input image has been through: JPEG compression (and its quality) and noise.

``liif.inspect(image_or_path)`` reads the JPEG quality from the file's quantisation tables where the file
is a JPEG (as libjpeg scales its standard tables: the quality whose tables are nearest), and otherwise
estimates it from the pixels: JPEG quantises the 8x8 blocks' coefficients, so re-compressing at the
original quality changes the image least (a dip in the change against the quality: "JPEG ghosts", Farid
2009); the blockiness (steps across the block grid against the others) is reported beside it. The noise
level is Immerkaer's fast estimate (1996), made robust with a median over the flattest 30% of the image,
so texture is not counted as noise. ``choose_model`` turns the findings into a model choice (``--model
auto``) with its reason.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from .imageio import ImageLike, load_rgb_array, luma_bt601, to_rgb8

# The IJG standard luminance table (JPEG Annex K), which libjpeg and PIL scale by quality.
_STD_LUMA = np.array([
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99], dtype=np.float64)
NOISY_SIGMA = 2.0  # grey levels: above this an input counts as noisy
COMPRESSED_BELOW = 90  # estimated JPEG quality below this counts as compressed


@dataclass(frozen=True)
class InputReport:
    """What ``inspect`` found; every figure is an estimate, with how it was obtained."""

    format: str | None  # the file's format (JPEG, PNG, WEBP...), None for an array
    jpeg_quality: int | None  # estimated IJG quality (1-100) if the image was JPEG-compressed, else None
    quality_source: str  # "quantisation tables", "block grid" (from the pixels) or "none"
    blockiness: float  # mean luma step across 8x8 block boundaries over the step elsewhere (~1 when clean)
    noise_sigma: float  # estimated noise standard deviation, grey levels (0-255)

    @property
    def compressed(self) -> bool:
        """Whether JPEG compression left visible artefacts (estimated quality below 90)."""
        return self.jpeg_quality is not None and self.jpeg_quality < COMPRESSED_BELOW

    @property
    def noisy(self) -> bool:
        """Whether the noise is above what a clean photo shows."""
        return self.noise_sigma > NOISY_SIGMA

    def describe(self) -> str:
        """One line for a summary or a caption."""
        parts = []
        if self.jpeg_quality is not None:
            how = "from its quantisation tables" if self.quality_source == "quantisation tables" else (
                "estimated from its 8x8 block grid")
            parts.append(f"JPEG, quality about {self.jpeg_quality} ({how})")
        else:
            parts.append(f"{self.format or 'image'}, no sign of JPEG compression")
        parts.append(f"noise about {self.noise_sigma:.1f} grey levels")
        return "; ".join(parts)


def quality_from_tables(tables: dict[int, list[int]]) -> int | None:
    """The IJG quality whose scaled luminance table is nearest the file's (None when there are no tables)."""
    if not tables:
        return None
    luma = np.asarray(tables[min(tables)], dtype=np.float64)
    if luma.size != 64:
        return None
    best, best_err = None, math.inf
    for q in range(1, 101):
        scale = 5000 / q if q < 50 else 200 - 2 * q
        std = np.clip(np.floor((_STD_LUMA * scale + 50) / 100), 1, 255)
        # PIL gives tables in zigzag order and the standard one is in natural order: compare sorted values,
        # robust to the ordering, and exact for a libjpeg-scaled table.
        err = np.abs(np.sort(std) - np.sort(luma)).mean()
        if err < best_err:
            best, best_err = q, err
    return best


def blockiness(rgb: np.ndarray) -> float:
    """Mean absolute luma step across 8-pixel block boundaries over the mean step elsewhere (both axes)."""
    y = luma_bt601(rgb[..., :3])
    ratios = []
    for d in (np.abs(np.diff(y, axis=1)), np.abs(np.diff(y, axis=0)).T):
        if d.shape[1] < 16:
            continue
        cols = np.arange(d.shape[1])
        edge = (cols % 8) == 7  # the step between pixel 8k+7 and 8k+8
        inside = d[:, ~edge].mean()
        ratios.append(d[:, edge].mean() / max(inside, 1e-6))
    return float(np.mean(ratios)) if ratios else 1.0


def quality_from_pixels(rgb: np.ndarray) -> int | None:
    """The quality a JPEG-decoded image was saved at, from the re-compression that changes it least."""
    from .degrade import jpeg

    rgb = rgb[..., :3]
    h, w = rgb.shape[:2]
    rgb = rgb[: min(h, 512) // 8 * 8, : min(w, 512) // 8 * 8]  # on the original grid, and fast
    if rgb.shape[0] < 16 or rgb.shape[1] < 16:
        return None
    qualities = list(range(20, 100, 5))
    change = [np.abs(jpeg(rgb, q).astype(np.float64) - rgb).mean() for q in qualities]
    # Re-compressing at the original quality finds the coefficients already quantised: a dip in the curve.
    dips = [change[i] / max(1e-6, 0.5 * (change[i - 1] + change[i + 1])) for i in range(1, len(change) - 1)]
    i = int(np.argmin(dips))
    return qualities[i + 1] if dips[i] < 0.9 else None


def noise_sigma(rgb: np.ndarray) -> float:
    """Noise standard deviation per channel, in grey levels: Immerkaer's Laplacian-difference residual, its
    median over the flattest 30% of the image (flat as seen on the smoothed luma, so texture and edges are
    not taken for noise), averaged over the channels."""
    from scipy.ndimage import convolve, gaussian_filter, sobel

    if min(rgb.shape[:2]) < 8:
        return 0.0
    kernel = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float64)  # blind to planes: 6 sigma of noise
    smooth = gaussian_filter(luma_bt601(rgb[..., :3]), 2.0)
    grad = np.hypot(sobel(smooth, 0), sobel(smooth, 1))[1:-1, 1:-1]
    flat = grad <= np.quantile(grad, 0.3)
    sigmas = []
    for c in range(3):
        response = convolve(rgb[..., c].astype(np.float64), kernel, mode="reflect")[1:-1, 1:-1]
        sigmas.append(np.median(np.abs(response[flat])) / 0.6745 / 6)  # MAD of a Gaussian -> its sigma
    return float(np.mean(sigmas))


def inspect(image: ImageLike | str | Path, pixels: ImageLike | None = None) -> InputReport:
    """What an input has been through: JPEG (quality from its tables, or estimated) and noise.

    ``pixels``: a path's image as the caller already decoded it (``load_image``), so the file is not decoded
    twice; its header is still read, for the format and the JPEG tables.
    """
    fmt, tables = None, None
    if isinstance(image, (str, Path)):
        # the project's loader first: its guards and messages (bombs, bad files)
        rgb = load_rgb_array(image) if pixels is None else to_rgb8(pixels, str(image))
        with Image.open(image) as im:  # then only the header: the format and the JPEG tables
            fmt, tables = im.format, getattr(im, "quantization", None)
    elif isinstance(image, Image.Image):
        fmt, tables = image.format, getattr(image, "quantization", None)
        rgb = np.asarray(image.convert("RGB"))
    else:
        rgb = np.asarray(image)
        if rgb.dtype != np.uint8:
            rgb = np.clip(np.rint(rgb.astype(np.float64) * (255 if rgb.max() <= 1 else 1)), 0, 255).astype(np.uint8)
        if rgb.ndim == 2:
            rgb = np.stack([rgb] * 3, axis=-1)
    quality, source = (quality_from_tables(tables), "quantisation tables") if tables else (None, "none")
    if quality is None:  # a JPEG re-saved as PNG or WebP still carries JPEG's 8x8 grid
        quality = quality_from_pixels(rgb)
        source = "block grid" if quality is not None else "none"
    return InputReport(fmt, quality, source, round(blockiness(rgb), 3), round(noise_sigma(rgb), 2))


# The model ``auto`` picks for inputs that JPEG or noise has marked (when it is installed).
REAL_INPUT_MODEL = "edsr-baseline-lmliif-real"


def choose_model(report: InputReport, installed: list[str], default: str) -> tuple[str, str]:
    """The model for ``--model auto`` and why: the real-input model for a compressed or noisy input."""
    marked = [why for why, hit in ((f"JPEG quality about {report.jpeg_quality}", report.compressed),
                                   (f"noise about {report.noise_sigma:.1f} grey levels", report.noisy)) if hit]
    if not marked:
        return default, "the input looks clean"
    if REAL_INPUT_MODEL not in installed:
        return default, f"{' and '.join(marked)}, but {REAL_INPUT_MODEL} is not installed"
    return REAL_INPUT_MODEL, " and ".join(marked)
