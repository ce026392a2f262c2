"""Detail: how sharp the enlargement is, and what of the input's detail it kept (sharpness and consistency rows).

Sharpness is measured on the output and on the bicubic enlargement of the input at the same size, so
it reads as a gain over bicubic (numpy / SciPy / OpenCV). Texture retention and the detail beyond
twice the input's resolution compare with the input itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from liif.imageio import luma_bt601
from liif.resize import pil_bicubic

from ..images import center_crop
from .base import Cue, CueUnavailable, Views, Warns, register, side_by_side
from .jpeg_input import jpeg_expected
from .own_tones import input_in_own_tones
from .readings import relative_reading

__all__ = [
    "SHARPNESS_CROP", "laplacian_variance", "tenengrad", "Spectrum", "spectrum", "high_frequency_share",
    "effective_resolution", "texture_mask", "texture_energy", "detail_beyond",
    "SHARPER_GAIN", "TEXTURE_KEPT", "RESOLUTION_KEPT", "RESOLUTION_SHARE", "RESOLUTION_GAIN", "sharpness_warning",
    "EDGE_MIN_SLOPE", "EDGE_MIN_PIXELS", "edge_map", "edge_slope",
]

# Large-image policy for the sharpness cues: a centre crop of at most this size.
SHARPNESS_CROP = 2048


# --------------------------------------------------------------------------- statistics
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


# Edge slope: edges are bicubic's steepest tenth of pixels whose slope is at least EDGE_MIN_SLOPE grey levels per
# output pixel (a 12-level step, several JNDs of 8-bit luma, spread over bicubic's 4-pixel ramp at x4); fewer
# than EDGE_MIN_PIXELS of them (a 10-pixel outline at x4) and the slope's median is too thin to judge.
EDGE_MIN_SLOPE = 3.0
EDGE_SHARE = 0.10
EDGE_MIN_PIXELS = 40


def _slopes(luma: np.ndarray) -> np.ndarray:
    """Sobel gradient magnitude in grey levels per pixel (a ramp of slope a reads a) after a 3x3 median.

    The median removes single outlier pixels (salt and pepper, hot and dead pixels: the isolated-pixel
    cue's business) and keeps a step edge's slope.
    """
    y = cv2.medianBlur(np.ascontiguousarray(luma, dtype=np.float32), 3)
    gx = cv2.Sobel(y, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(y, cv2.CV_32F, 0, 1, ksize=3)
    return np.sqrt(gx * gx + gy * gy) / 8.0  # the 3x3 Sobel weighs a unit ramp 8


def edge_map(bicubic_luma: np.ndarray) -> np.ndarray:
    """Where the edges are (HxW bool): bicubic's steepest tenth of pixels, at least EDGE_MIN_SLOPE steep."""
    g = _slopes(center_crop(bicubic_luma, SHARPNESS_CROP))
    return g >= max(EDGE_MIN_SLOPE, float(np.quantile(g, 1 - EDGE_SHARE)))


def edge_slope(luma: np.ndarray, edges: np.ndarray) -> float:
    """Median steepest slope (grey levels per pixel) within one pixel of each edge pixel.

    A median over the edge pixels: a few percent of outlier pixels cannot move it (unlike the Laplacian's
    variance, which 0.6% salt and pepper lifts 100-fold); the 3x3 maximum tolerates a sub-pixel shift.
    """
    g = cv2.dilate(_slopes(center_crop(luma, SHARPNESS_CROP)), np.ones((3, 3), np.uint8))
    return float(np.median(g[edges])) if edges.any() else 0.0


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


# --------------------------------------------------------------------------- rows
# Below +10% over bicubic a sharpness cue does not show a gain worth the name.
SHARPER_GAIN = 0.10
# Every sharpness row warns the same two ways; neither is a problem: together they set the verdict's level.
# Their floor is relative (SHARPER_GAIN, 10% of bicubic's): the level is a comparison, never a problem.
SHARPNESS_WARNS = (Warns("softer than bicubic", judged=False, level="softer", floor=SHARPER_GAIN, unit="x bicubic"),
                   Warns("no sharper than bicubic", judged=False, level="same", floor=SHARPER_GAIN, unit="x bicubic"))

# Texture retention: on the validity suite's fit split clean outputs of every bundled model keep 0.70-1.07 of the
# input's fine-scale energy in its textured areas (0.79 and up at x4), bicubic 0.46-0.64, a 5x5 median of the
# default model's x4 output 0.47-0.90 (median 0.59), a bilateral filter 0.46-0.93 (0.64).
TEXTURE_KEPT = 0.75
TEXTURE_MIN_SHARE = 0.02  # below this share of textured input pixels the ratio is noise
# Detail beyond twice the input's resolution, per unit of the input's fine-scale energy. On the validity suite's
# fit split clean outputs of every bundled model hold 0.0012-0.023 (x3 to x8), the default model's x4 output
# reduced x2 and enlarged back 0.0004-0.0022 (median 0.0009), bicubic 0.0002-0.0004.
RESOLUTION_KEPT = 0.00115
# The same detail as a share of all the output holds beyond the input's own band (energy beyond 2x over energy
# beyond 1x): self-normalising, so a detailed input cannot lift it. On the fit split clean outputs of every bundled
# model hold 0.071 at the least (x8; 0.074 at x4, medians 0.12-0.14), bicubic 0.070-0.098 at x4 (its own leakage),
# the default model's x4 output reduced x2 and enlarged back 0.053 at the most (median 0.044, 17 outputs): the
# fit's rule, the smallest clean share less a tenth of it, gives 0.064.
RESOLUTION_SHARE = 0.064
# Effective resolution: "no finer than bicubic" unless at least this multiple of bicubic's (clean outputs
# reach 1.07-1.26x at x2, more at larger scales, on the validity suite's fit split).
RESOLUTION_GAIN = 1.05


def sharpness_warning(value: float, baseline: float) -> str:
    """'softer than bicubic' / 'no sharper than bicubic' / '' from a sharpness cue and its baseline."""
    if not (math.isfinite(value) and math.isfinite(baseline)) or baseline <= 0:
        return ""
    gain = value / baseline - 1
    if gain <= -SHARPER_GAIN:
        return SHARPNESS_WARNS[0].name
    return SHARPNESS_WARNS[1].name if gain < SHARPER_GAIN else ""


def _gain(value: float, base: float, more: str, less: str, noun: str) -> Cue:
    return Cue(value, base, relative_reading(value, base, more, less, noun), sharpness_warning(value, base))


def _sharpness(views: Views, measure: Callable, more: str, less: str, noun: str) -> Cue:
    return _gain(*views.both(measure), more, less, noun)


def _spectra(views: Views) -> tuple[Spectrum, Spectrum]:
    return views.shared("spectra", lambda: views.both(spectrum))


@register("edge_slope", "Edge slope", "sharpness",
          "Median steepest slope (grey levels per pixel, after a 3x3 median) at bicubic's steepest tenth of "
          "pixels: how crisp the edges are. A median at the edges, so a few outlier pixels cannot move it.",
          "higher", "0 to 255 grey levels per pixel (typ. 3 to 60)", warns=SHARPNESS_WARNS, level="edge slope")
def edge_steepness(views: Views) -> Cue:
    """Edge slope at bicubic's edges (median, grey levels per pixel), output vs bicubic."""
    edges = views.shared("edges", lambda: edge_map(views.luma("bicubic")))
    if int(edges.sum()) < EDGE_MIN_PIXELS:
        raise CueUnavailable(f"not enough edges to judge ({int(edges.sum())} edge pixels of "
                             f"{EDGE_MIN_SLOPE:.0f}+ grey levels per pixel; {EDGE_MIN_PIXELS} needed)")
    value, base = views.both(lambda y: edge_slope(y, edges))
    reading = relative_reading(value, base, "steeper", "shallower", "edge slope")
    return Cue(value, base, f"{reading} ({value:.1f} grey levels per pixel, bicubic {base:.1f})",
               sharpness_warning(value, base))


@register("laplacian_var", "Laplacian variance", "sharpness",
          "Variance of the Laplacian of luminance: edge and texture contrast. Noise and "
          "ringing also raise it.", "higher", "0 to unbounded", warns=SHARPNESS_WARNS, level="edge contrast")
def laplacian_var(views: Views) -> Cue:
    """Edge and texture contrast (variance of the Laplacian of luma), output vs bicubic."""
    return _sharpness(views, laplacian_variance, "sharper", "softer", "edge contrast")


@register("tenengrad", "Tenengrad", "sharpness",
          "Mean squared Sobel gradient magnitude of luminance: edge strength.",
          "higher", "0 to unbounded", warns=SHARPNESS_WARNS, level="edge strength")
def edge_strength(views: Views) -> Cue:
    """Edge strength (mean squared Sobel gradient of luma), output vs bicubic."""
    return _sharpness(views, tenengrad, "sharper", "softer", "edge strength")


@register("hf_share", "High-frequency share", "sharpness",
          "Share of spectral energy above the input's Nyquist frequency: fine detail that "
          "the low-resolution input could not hold and the upscaler had to create.",
          "higher", "0 to 1", warns=SHARPNESS_WARNS, level="fine-detail energy")
def hf_share(views: Views) -> Cue:
    """Share of spectral energy above the input's Nyquist frequency, output vs bicubic."""
    # The input's Nyquist frequency as a fraction of the output's; without enlargement, half the band.
    cutoff = 1.0 / views.scale if views.scale > 1.05 else 0.5
    value, base = (high_frequency_share(spec, cutoff) for spec in _spectra(views))
    return _gain(value, base, "more fine detail", "less fine detail", "fine-detail energy")


@register("effective_resolution", "Effective resolution", "sharpness",
          "Where the detail ends: the highest frequency of the luma's radial power spectrum that stays 10x above "
          "the floor of 8-bit rounding, in multiples of the input's Nyquist frequency. Bicubic stops just past "
          "the input's; the output's pixels can hold up to the scale.", "higher", "0 to the scale")
def detail_reach(views: Views) -> Cue:
    """Where the output's detail ends (its spectrum meets 8-bit noise), in multiples of the input's resolution."""
    scale = max(views.scale, 1.0)
    value, base = (scale * effective_resolution(spec) for spec in _spectra(views))
    reading = (f"detail up to {value:.1f}x the input's resolution (bicubic {base:.1f}x; the output's pixels hold "
               f"{scale:.1f}x)")
    if value <= RESOLUTION_GAIN * base and scale > 1.05:
        return Cue(value, base, reading + ": no finer than bicubic")
    return Cue(value, base, reading)


@register("resolution_kept", "Detail beyond 2x the input", "consistency",
          "Fine-scale energy the output holds beyond twice the input's resolution (the mean squared difference "
          "from its reduction by scale/2 enlarged back, PIL bicubic), per unit of the input's own fine-scale "
          "energy (mean squared Laplacian, the input in the output's tones). An upscaler that draws detail at the "
          "output's resolution holds it; an enlargement of a half-size result does not, which also shows as a small "
          "share of all its detail beyond the input's band. Scales of 3 and more.", "higher",
          "0 to ~0.1 (typ. 0.001 to 0.006)",
          # No published JND in this unit: the floor is the fitted threshold.
          warns=(Warns("resolution lost", "holds no detail beyond twice the input's resolution",
                       floor=RESOLUTION_KEPT, unit="of the input's fine-scale energy"),))
def resolution_kept(views: Views) -> Cue:
    """Detail beyond twice the input's resolution (what a reduction to that resolution loses), vs bicubic's."""
    factor = views.scale / 2
    if factor < 1.4:
        raise CueUnavailable(f"at x{views.scale:.3g} the output holds little more than twice the input's resolution")
    # Per unit of the input's fine-scale energy *in the candidate's own tones* (as for texture): a gamma or a
    # vignette scales the output's detail, and must not read as detail lost.
    own = input_in_own_tones(views)
    value, base = side_by_side(lambda which: detail_beyond(views.luma(which), own[which], factor), "output", "bicubic")
    reading = (f"{value * 1000:.2f} thousandths of the input's fine-scale energy beyond twice its resolution "
               f"(bicubic {base * 1000:.2f})")
    if value < RESOLUTION_KEPT:
        return Cue(value, base, f"{reading}: no more detail than an enlargement of half the size would have",
                   "resolution lost")
    # A detailed input (text, a facade) lifts the energy over its own; the share of the output's detail beyond the
    # input's band that lies beyond 2x does not move with it.
    share = value / max(detail_beyond(views.luma("output"), own["output"], views.scale), 1e-12)
    if share < RESOLUTION_SHARE:
        return Cue(value, base, f"{reading}; only {share:.0%} of its detail beyond the input's resolution lies beyond "
                                "twice it: an enlargement of half the size", "resolution lost")
    return Cue(value, base, reading)


@register("texture_retention", "Texture retention", "consistency",
          "Fine texture of the input kept: the output shrunk back to the input's size, its fine-scale "
          "(Laplacian) energy over the input's in the input's textured, non-edge areas, the input in the "
          "output's tones. Smoothing (median, bilateral, denoising) lowers it; 1 = all kept.", "higher",
          "0 to ~1.5 (1 = kept)", warns=(Warns("texture lost", "smooths away the input's texture", floor=TEXTURE_KEPT,
                                                              unit="of the input's texture energy"),))
def texture_retention(views: Views) -> Cue:
    """Fine texture of the input kept: the shrunk-back output's Laplacian energy over the input's, in textured areas."""
    low = views.luma("lowres")
    mask = texture_mask(low)
    if mask.mean() < TEXTURE_MIN_SHARE:
        raise CueUnavailable(f"not enough texture to judge ({mask.mean():.0%} of the input's pixels)")
    # The input in each candidate's own tones (own_tones), so a contrast change or a vignette is not texture lost.
    own = input_in_own_tones(views)

    def kept(which: str) -> float:
        reference = texture_energy(own[which], mask)
        return texture_energy(luma_bt601(views.shrunk(which)).astype(np.float32), mask) / max(reference, 1e-9)
    value, base = side_by_side(kept, "output", "bicubic")
    reading = f"keeps {value:.0%} of the input's fine texture (bicubic {base:.0%})"
    if value >= TEXTURE_KEPT:
        return Cue(value, base, reading)
    expected = jpeg_expected(views)  # removing a JPEG's blocks and ringing removes that "texture" too
    if expected:
        return Cue(value, base, f"{reading}; {expected}")
    return Cue(value, base, f"{reading}: smoothed away", "texture lost")
