"""Compute functions for the artefact and saliency rows of the catalogue.

Each takes :class:`iqa.cue.Views` and returns a :class:`iqa.cue.Cue`: the output's value,
the bicubic baseline's, a reading and, when the output has clearly *added* something
that bicubic does not show, a warning the verdict names. Thresholds are in grey levels
of luma (0-255) and were set on the validity suite (docs/quality.md, ``benchmarks/iqa_validity.py``).
"""

from __future__ import annotations

from liif.imageio import luma_bt601

from . import artefacts, saliency
from .classical_cues import tone_changes
from .cue import Cue, CueUnavailable, Views, side_by_side

__all__ = [
    "NOISE_ADDED",
    "HALO_ADDED",
    "JPEG_GRID",
    "PIXEL_GRID",
    "SALIENCY_KEPT",
    "SALIENCY_MOVED",
    "BANDING_LOST",
    "noise",
    "halo",
    "banding",
    "blockiness",
    "pixelation",
    "saliency_retention",
]

# Warn when the output's noise in the input's flat areas exceeds bicubic's by this many grey levels of luma.
NOISE_ADDED = 1.0
NOISE_MIN_SIDE = 32  # the wavelet estimator's finest sub-band needs a few rows of coefficients
# Tone changes that move every pixel (and so the overshoot against the input's tones); a colour shift is
# local and halos raise it themselves, so it does not excuse an overshoot.
GLOBAL_TONE = ("brightness changed", "contrast changed", "colourfulness changed")
# Banding: share of bicubic's grey levels in smooth areas that the output does not take. On the validity
# suite's fit split clean outputs lose at most 0.18 (x8; 0.10 at x4), 5 bits a channel 0.6-0.8, banding
# confined to smooth areas 0-0.8 (median 0.35).
BANDING_LOST = 0.2
# Above x4 the allowance grows with the area of an input pixel, (scale / 4)**2: a flat input pixel then covers
# texture a model rightly draws (clean outputs at x8 overshoot bicubic by up to 0.17 on the fit split).
# Warn when the mean overshoot beside strong edges exceeds bicubic's by this much
# (LIIF adds at most 0.06 on the suite; a mild unsharp mask, amount 1 radius 2, 0.10-0.3).
HALO_ADDED = 0.08
# 8x8 grid strength (1 = none) above which blocks are reported (LIIF <= 1.05, JPEG q30 >= 1.2).
JPEG_GRID = 1.15
# The input's JPEG grid in the output: "removed" when less than half of bicubic's excess over 1 is left,
# "magnified" when the output shows it at least as strongly as bicubic does.
INPUT_GRID_REMOVED = 0.5
# Share of the pixel-to-pixel change on one phase of the input's grid, as a multiple of
# the even share 1/scale, above which the input's pixels show (bicubic about 1.2x, nearest 4x at x4).
PIXEL_GRID = 2.0
# Saliency-map correlation with bicubic's: kept from SALIENCY_KEPT; a warning below
# SALIENCY_MOVED. The true high-resolution image itself reads 0.79-1.00 on Set5/Set14 x4
# (fine detail shifts a glance-level map too), so only larger moves warn.
SALIENCY_KEPT = 0.90
SALIENCY_MOVED = 0.75


def noise(views: Views) -> Cue:
    """Noise of the output vs bicubic's, where the input is flat (wavelet MAD on luma)."""
    if min(views.output.shape[:2]) < NOISE_MIN_SIDE:
        raise CueUnavailable(f"needs an output of at least {NOISE_MIN_SIDE}x{NOISE_MIN_SIDE} pixels")
    low = views.luma("lowres")
    try:
        value, base = views.both(lambda y: artefacts.flat_noise_sigma(y, low))
    except ImportError as error:  # the estimator needs PyWavelets (a project dependency)
        raise CueUnavailable(f"needs PyWavelets (pip install PyWavelets): {error}") from error
    added = value - base
    if added >= NOISE_ADDED:
        return Cue(value, base, f"added noise: sigma {value:.1f} grey levels in flat areas vs {base:.1f} for bicubic",
                   "added noise")
    return Cue(value, base, f"no added noise: sigma {value:.1f} grey levels in flat areas (bicubic {base:.1f})")


def halo(views: Views) -> Cue:
    """Overshoot beside strong edges (halos, ringing) of the output vs bicubic's."""
    low = views.luma("lowres")
    # Each against the input at its own mean brightness: a uniform offset (posterising rounds down) is no halo.
    offsets = views.both(lambda shrunk: float(luma_bt601(shrunk).mean() - low.mean()), of="shrunk")
    sigma = max(artefacts.HALO_PRESMOOTH, artefacts.HALO_PRESMOOTH_INPUT * views.scale)
    (value, far), (base, base_far) = side_by_side(
        lambda pair: artefacts.halo_overshoots(pair[0], low + pair[1], sigma),
        (views.luma("output"), offsets[0]), (views.luma("bicubic"), offsets[1]))
    allowed = HALO_ADDED * max(1.0, views.scale / 4) ** 2
    # A halo is a band at the edge: overshoot beside it beyond the overshoot a little farther away (bicubic's
    # margin kept). Flat areas moved as a whole (rounded to a band, re-toned) overshoot as much farther away.
    if value - base < allowed or value - far <= base - base_far:
        return Cue(value, base, f"no halos: overshoot {value:.2f} grey levels beside edges (bicubic {base:.2f})")
    reading = f"overshoot {value:.2f} grey levels beside edges vs {base:.2f} for bicubic"
    # The overshoot is measured against the input's levels: a global tone change moves them everywhere, and
    # banding moves each flat area to its nearest band.
    excuses = [c for c in tone_changes(views) if c in GLOBAL_TONE] + (["banding"] if _banded(views) else [])
    if excuses:
        return Cue(value, base, f"{reading}; not read as halos: the flat areas' levels moved ({', '.join(excuses)})")
    return Cue(value, base, f"halos beside edges: {reading}", "halos")


def blockiness(views: Views) -> Cue:
    """JPEG 8x8 grid strength of the output vs bicubic's."""
    value, base = views.both(artefacts.jpeg_blockiness)
    if value >= JPEG_GRID and value > base:
        return Cue(value, base, f"8x8 block artefacts (JPEG-like): block borders {value:.2f}x the "
                                f"mid-block step (bicubic {base:.2f}x)", "block artefacts")
    return Cue(value, base, f"no 8x8 blocks: borders {value:.2f}x the mid-block step (bicubic {base:.2f}x)")


def input_blocks(views: Views) -> Cue:
    """The input's own JPEG blocks, magnified in the output or removed, vs bicubic's enlargement of them."""
    found = views.input_condition()
    size = (views.lowres.shape[1], views.lowres.shape[0])
    value, base = views.both(lambda y: artefacts.magnified_grid(y, size))
    grid = f"its 8x8 grid {value:.2f}x in the output, bicubic {base:.2f}x"
    if not found.compressed:  # none, or quality 90+: too light for its blocks to matter (liif.inspect)
        seen = "no" if found.jpeg_quality is None else f"only light (quality about {found.jpeg_quality})"
        return Cue(value, base, f"the input shows {seen} JPEG compression ({grid})")
    what = f"input JPEG quality about {found.jpeg_quality}"
    if value >= base:
        return Cue(value, base, f"{what}: its block artefacts are magnified ({grid})", "JPEG blocks magnified")
    if value - 1 <= INPUT_GRID_REMOVED * (base - 1):
        return Cue(value, base, f"{what}: its block artefacts were removed ({grid})")
    return Cue(value, base, f"{what}: its block artefacts were reduced ({grid})")


def _lost_levels(views: Views) -> float:
    return views.shared("lost_levels",
                        lambda: artefacts.lost_levels(views.output, views.bicubic, views.luma("lowres")))


def _banded(views: Views) -> bool:
    return _lost_levels(views) >= BANDING_LOST


def banding(views: Views) -> Cue:
    """Grey levels bicubic takes in the input's smooth areas that the output does not (plateaus and jumps).

    Bicubic is the reference the levels are counted against, so its own value is 0 by definition.
    """
    value = _lost_levels(views)
    if _banded(views):
        return Cue(value, 0.0, f"banding: smooth areas take {value:.0%} fewer grey levels than bicubic's: "
                                "plateaus and jumps, as after posterisation", "banding")
    return Cue(value, 0.0, f"no banding: smooth areas take {value:.0%} fewer grey levels than bicubic's")


def _period(scale: float) -> int:
    period = round(scale)
    if period < 2 or abs(scale - period) > 0.01 * scale:
        raise CueUnavailable(f"needs a whole-number scale of 2 or more (this one is x{scale:.3g})")
    return period


def pixelation(views: Views) -> Cue:
    """Whether the input's pixels show as blocks (nearest-neighbour look), vs bicubic."""
    period = _period(views.scale)
    value, base = views.both(lambda y: artefacts.pixel_grid_share(y, period))
    even = 1.0 / period
    if value >= PIXEL_GRID * even and value > base:
        return Cue(value, base, f"pixelated: {value:.0%} of the pixel-to-pixel change on the input's "
                                f"pixel borders (even: {even:.0%}, bicubic {base:.0%})", "pixelation")
    return Cue(value, base, f"no pixelation: {value:.0%} of the change on the input's pixel borders "
                            f"(even: {even:.0%}, bicubic {base:.0%})")


def saliency_retention(views: Views) -> Cue:
    """Correlation of the output's saliency map with the bicubic enlargement's."""
    value = saliency.map_correlation(*views.both(saliency.spectral_residual))
    if value >= SALIENCY_KEPT:
        return Cue(value, None, f"what draws the eye is unchanged (saliency CC {value:.2f} with bicubic)")
    if value >= SALIENCY_MOVED:
        return Cue(value, None, f"what draws the eye has moved slightly (saliency CC {value:.2f} with bicubic)")
    return Cue(value, None, f"what draws the eye has moved (saliency CC {value:.2f} with bicubic)",
               "saliency moved")
