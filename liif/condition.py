"""What an input image has been through: JPEG compression (and its quality) and noise.

``liif.inspect(image_or_path)`` reads the JPEG quality from the file's quantisation tables where the file
is a JPEG (as libjpeg scales its standard tables: the quality whose tables are nearest), and otherwise
estimates it from the pixels: JPEG quantises the 8x8 blocks' coefficients, so re-compressing at the
original quality changes the image least (a dip in the change against the quality: "JPEG ghosts", Farid
2009); the blockiness (steps across the block grid against the others) is reported beside it. The noise
level is a patch-based PCA estimate over the weakest-texture patches (Liu, Tanaka & Okutomi 2013, "Single-image
noise level estimation for blind denoising"): noise is white, so it sets the floor of the patches' covariance
spectrum, and patches are kept only while their gradient energy is what that noise alone could give, so texture
is not counted as noise. Bilevel (1-bit) and palette images are named as such: their dithering and jagged
edges are not noise, and their noise is not estimated. ``choose_model`` turns the findings into a model choice
(``--model auto``) with its reason. The thresholds and their measurement: benchmarks/auto_choice-results.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from .imageio import ImageLike, load_rgb_array, luma_bt601, to_rgb8

# The IJG standard luminance table (JPEG Annex K), which libjpeg and PIL scale by quality.
_STD_LUMA = np.array([
    16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99], dtype=np.float64)
# Where the real-input model starts to win (benchmarks/auto_choice-results.md, x4 crops of BSD200): it loses at
# noise sigma 2 (0.05 dB), is within 0.04 dB at 3 and wins from 5 (0.3 dB); it wins at JPEG quality 90 (0.04 dB)
# and loses at 95 (0.05 dB).
NOISY_SIGMA = 2.7  # grey levels: above, noisy; between what sigma 2 and 3 read (medians 2.2 and 3.2)
REAL_INPUT_BELOW = 95  # auto sends JPEGs of an estimated quality below this to the real-input model
COMPRESSED_BELOW = 90  # below this, JPEG's artefacts are visible: what the quality report calls compressed
PHOTO, BILEVEL, PALETTE = "photo", "bilevel", "palette"  # InputReport.kind
PALETTE_COLOURS = 256  # the most colours a palette (GIF, PNG-8) holds
# Pixels an array needs before few colours mean a palette: a small colour photo (a 32x32 patch of sky) can show
# fewer than 256 colours by itself.
PALETTE_MIN_PIXELS = 64 * 64


@dataclass(frozen=True)
class NoiseEstimator:
    """Liu, Tanaka & Okutomi's (2013) weak-texture PCA noise estimate, with its settings."""

    # 4 (not the paper's 7): on BSD200 reductions it separated clean from noisy best of 4, 5 and 7, and it keeps
    # enough patches (16 dimensions) on a 64 px input
    patch: int = 4
    confidence: float = 1 - 1e-6  # the paper's: a noise-only patch passes the texture test this often
    iterations: int = 10  # at most this many re-selections; it stops once the estimate moves by under 0.1%
    max_patches: int = 40_000  # per channel, on a regular grid: a 1 MP photo costs what a 0.2 MP one does


@dataclass(frozen=True)
class InputReport:
    """What ``inspect`` found; every figure is an estimate, with how it was obtained."""

    format: str | None  # the file's format (JPEG, PNG, WEBP...), None for an array
    jpeg_quality: int | None  # estimated IJG quality (1-100) if the image was JPEG-compressed, else None
    quality_source: str  # "quantisation tables", "block grid" (from the pixels) or "none"
    blockiness: float  # mean luma step across 8x8 block boundaries over the step elsewhere (~1 when clean)
    noise_sigma: float  # estimated noise standard deviation, grey levels (0-255); 0 for bilevel and palette
    kind: str = PHOTO  # "photo", "bilevel" (two levels) or "palette" (at most 256 colours, or a P-mode file)

    @property
    def compressed(self) -> bool:
        """Whether JPEG compression left visible artefacts (estimated quality below 90)."""
        return self.jpeg_quality is not None and self.jpeg_quality < COMPRESSED_BELOW

    @property
    def noisy(self) -> bool:
        """Whether the noise is above what a clean photo shows (never for bilevel or palette images)."""
        return self.kind == PHOTO and self.noise_sigma > NOISY_SIGMA

    def describe(self) -> str:
        """One line for a summary or a caption."""
        parts = []
        if self.jpeg_quality is not None:
            how = "from its quantisation tables" if self.quality_source == "quantisation tables" else (
                "estimated from its 8x8 block grid")
            parts.append(f"JPEG, quality about {self.jpeg_quality} ({how})")
        else:
            parts.append(f"{self.format or 'image'}, no sign of JPEG compression")
        if self.kind == BILEVEL:
            parts.append("bilevel (two levels): its edges are not noise")
        elif self.kind == PALETTE:
            parts.append(f"palette (at most {PALETTE_COLOURS} colours): its dithering is not noise")
        else:
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


@lru_cache(maxsize=4)
def _texture_threshold(patch: int, confidence: float) -> float:
    """Liu et al.'s tau0: a noise-only patch's gradient energy over sigma^2 stays below this with ``confidence``.

    The gradient energy of a patch of white noise is a quadratic form of Gaussians, which the paper approximates
    by a Gamma law whose shape and scale come from the rank and trace of the gradient operator D'D.
    """
    from scipy.special import gammaincinv  # the Gamma law's quantile; scipy.stats would slow every report's start

    k = np.array([-0.5, 0.0, 0.5])  # the central difference the paper uses
    rows = []
    for i in range(patch):
        for j in range(patch - 2):
            for horizontal in (True, False):
                m = np.zeros((patch, patch))
                if horizontal:
                    m[i, j:j + 3] = k
                else:
                    m[j:j + 3, i] = k
                rows.append(m.ravel())
    d = np.array(rows)
    dd = d.T @ d
    rank = np.linalg.matrix_rank(dd)
    return float(gammaincinv(rank / 2, confidence) * 2 * np.trace(dd) / rank)


def channel_noise_sigma(x: np.ndarray, est: NoiseEstimator = NoiseEstimator()) -> float:
    """One channel's noise standard deviation (grey levels): the smallest eigenvalue of the weak-texture
    patches' covariance, the weak-texture set re-selected with each new estimate until it settles."""
    from numpy.lib.stride_tricks import sliding_window_view

    p = est.patch
    x = np.asarray(x, dtype=np.float64)
    h, w = x.shape
    if min(h, w) < 2 * p:
        return 0.0
    step = max(1, math.ceil(math.sqrt((h - p + 1) * (w - p + 1) / est.max_patches)))
    patches = sliding_window_view(x, (p, p))[::step, ::step].reshape(-1, p * p)
    gh = ((x[:, 2:] - x[:, :-2]) / 2) ** 2  # the patch's gradient energy: Liu et al.'s texture strength
    gv = ((x[2:, :] - x[:-2, :]) / 2) ** 2
    strength = (sliding_window_view(gh, (p, p - 2))[::step, ::step].sum((-1, -2))
                + sliding_window_view(gv, (p - 2, p))[::step, ::step].sum((-1, -2))).ravel()
    # Clipped patches (blown highlights, black) hold less noise than the rest: they would pull the floor down.
    inside = (patches.min(axis=1) > 0) & (patches.max(axis=1) < 255)
    patches, strength = patches[inside], strength[inside]
    enough = 2 * p * p  # patches for a covariance whose smallest eigenvalue means something

    def floor(sample: np.ndarray) -> float:
        return float(np.linalg.eigvalsh(np.cov(sample, rowvar=False))[0])

    if len(patches) < enough:
        return 0.0
    var = floor(patches)
    tau0 = _texture_threshold(p, est.confidence)
    for _ in range(est.iterations):
        weak = strength < var * tau0
        if weak.sum() < enough:
            break
        patches, strength = patches[weak], strength[weak]
        new = floor(patches)
        settled = abs(new - var) <= 1e-3 * var
        var = new
        if settled:
            break
    return math.sqrt(max(var, 0.0))


def noise_sigma(rgb: np.ndarray, est: NoiseEstimator = NoiseEstimator()) -> float:
    """Noise standard deviation per channel, in grey levels: the weak-texture PCA estimate of each channel,
    averaged over the channels (one for a grey image)."""
    rgb = rgb[..., :3]
    grey = bool((rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all())
    return float(np.mean([channel_noise_sigma(rgb[..., c], est) for c in range(1 if grey else 3)]))


def image_kind(rgb: np.ndarray, mode: str | None = None) -> str:
    """"bilevel", "palette" or "photo": from the file's PIL mode where known, else from the distinct colours."""
    if mode == "1":
        return BILEVEL
    flat = rgb[..., :3].reshape(-1, 3)
    packed = (flat[:, 0].astype(np.int32) << 16) | (flat[:, 1].astype(np.int32) << 8) | flat[:, 2]
    # Most photos show more than 256 colours in a few thousand pixels: count all of them only when not.
    sample = packed[:: max(1, len(packed) // 4096)]
    if len(np.unique(sample)) > PALETTE_COLOURS and mode not in ("P", "PA"):
        return PHOTO
    colours = len(np.unique(packed))
    if colours <= 2:
        return BILEVEL
    grey = bool((flat[:, 0] == flat[:, 1]).all() and (flat[:, 1] == flat[:, 2]).all())
    # A grey photo has at most 256 levels anyway: only a palette file's mode says it is one.
    if mode in ("P", "PA") or (colours <= PALETTE_COLOURS and not grey and len(packed) >= PALETTE_MIN_PIXELS):
        return PALETTE
    return PHOTO


def inspect(image: ImageLike | str | Path, pixels: ImageLike | None = None) -> InputReport:
    """What an input has been through: JPEG (quality from its tables, or estimated) and noise.

    ``pixels``: a path's image as the caller already decoded it (``load_image``), so the file is not decoded
    twice; its header is still read, for the format and the JPEG tables.
    """
    fmt, tables, mode = None, None, None
    if isinstance(image, (str, Path)):
        # the project's loader first: its guards and messages (bombs, bad files)
        rgb = load_rgb_array(image) if pixels is None else to_rgb8(pixels, str(image))
        with Image.open(image) as im:  # then only the header: the format, the mode and the JPEG tables
            fmt, tables, mode = im.format, getattr(im, "quantization", None), im.mode
    elif isinstance(image, Image.Image):
        fmt, tables, mode = image.format, getattr(image, "quantization", None), image.mode
        rgb = np.asarray(image.convert("RGB"))
    else:
        rgb = np.asarray(image)
        if rgb.dtype != np.uint8:
            rgb = np.clip(np.rint(rgb.astype(np.float64) * (255 if rgb.max() <= 1 else 1)), 0, 255).astype(np.uint8)
        if rgb.ndim == 2:
            rgb = np.stack([rgb] * 3, axis=-1)
    quality, source = (quality_from_tables(tables), "quantisation tables") if tables else (None, "none")
    kind = PHOTO if tables else image_kind(rgb, mode)  # a JPEG file is never bilevel or palette
    if quality is None and kind == PHOTO:  # a JPEG re-saved as PNG or WebP still carries JPEG's 8x8 grid
        quality = quality_from_pixels(rgb)
        source = "block grid" if quality is not None else "none"
    sigma = round(noise_sigma(rgb), 2) if kind == PHOTO else 0.0
    return InputReport(fmt, quality, source, round(blockiness(rgb), 3), sigma, kind)


# The model ``auto`` picks for inputs that JPEG or noise has marked (when it is installed).
REAL_INPUT_MODEL = "edsr-baseline-lmliif-real"
# Which model (the "clean"-trained default or the "real"-input one) auto picks for images whose levels are few
# by design; measured in benchmarks/auto_choice-results.md ("What a wrong choice costs", BSD200 crops): bilevel,
# the real-input one by 0.4 dB; palette, the real-input one by 0.1 dB at 32 colours, the clean-trained one by
# 0.07 dB at 256 dithered colours: the real-input one gives up less on average.
KIND_CHOICE = {BILEVEL: "real", PALETTE: "real"}
_KIND_WHY = {BILEVEL: "a bilevel image (two levels): its staircase edges are smoothed, not sharpened",
             PALETTE: "a palette image: its colour steps are smoothed, not sharpened"}


def choose_model(report: InputReport, installed: list[str], default: str) -> tuple[str, str]:
    """The model for ``--model auto`` and why: the real-input model for a compressed or noisy input."""
    jpeg_marked = report.jpeg_quality is not None and report.jpeg_quality < REAL_INPUT_BELOW
    if report.kind != PHOTO and not jpeg_marked:
        if KIND_CHOICE[report.kind] == "clean":
            return default, _KIND_WHY[report.kind]
        if REAL_INPUT_MODEL not in installed:
            return default, f"{_KIND_WHY[report.kind]}, but {REAL_INPUT_MODEL} is not installed"
        return REAL_INPUT_MODEL, _KIND_WHY[report.kind]
    marked = [why for why, hit in ((f"JPEG quality about {report.jpeg_quality}", jpeg_marked),
                                   (f"noise about {report.noise_sigma:.1f} grey levels", report.noisy)) if hit]
    if not marked:
        return default, "the input looks clean"
    if REAL_INPUT_MODEL not in installed:
        return default, f"{' and '.join(marked)}, but {REAL_INPUT_MODEL} is not installed"
    return REAL_INPUT_MODEL, " and ".join(marked)
