"""Compute functions for the sharpness, consistency and tone rows of the catalogue.

Each takes :class:`iqa.cue.Views` and returns a :class:`iqa.cue.Cue` (the output's value,
the bicubic baseline's, a reading, a warning); the measurements are ``iqa.classical``'s.
Sharpness reads as a gain over bicubic; consistency and tone shrink the output back to the
input's size and compare it with the input (computed once per assessment for all five rows).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from liif.imageio import luma_bt601

from . import artefacts, classical
from .cue import Cue, CueUnavailable, Views
from .readings import (
    CONSISTENCY_FLOOR,
    DRIFT_NOTICEABLE,
    consistency_reading,
    consistency_warning,
    drift_reading,
    relative_reading,
    sharpness_warning,
    shift_reading,
)

__all__ = [
    "laplacian_var", "tenengrad", "hf_share", "effective_resolution", "resolution_kept", "texture_retention",
    "tone_changes", "consistency_psnr", "color_drift", "luma_mean_shift", "luma_spread_shift", "colourfulness_change",
]


# Texture retention: on the validity suite's fit split clean outputs of every bundled model keep 0.70-1.07 of the
# input's fine-scale energy in its textured areas (0.79 and up at x4), bicubic 0.46-0.64, a 5x5 median of the
# default model's x4 output 0.47-0.90 (median 0.59), a bilateral filter 0.46-0.93 (0.64).
TEXTURE_KEPT = 0.75
TEXTURE_MIN_SHARE = 0.02  # below this share of textured input pixels the ratio is noise
# Detail beyond twice the input's resolution, per unit of the input's fine-scale energy. On the validity suite's
# fit split clean outputs of every bundled model hold 0.0012-0.023 (x3 to x8), the default model's x4 output
# reduced x2 and enlarged back 0.0004-0.0022 (median 0.0009), bicubic 0.0002-0.0004.
RESOLUTION_KEPT = 0.00115
# Effective resolution: "no finer than bicubic" unless at least this multiple of bicubic's (clean outputs
# reach 1.07-1.26x at x2, more at larger scales, on the validity suite's fit split).
RESOLUTION_GAIN = 1.05


def _gain(value: float, base: float, more: str, less: str, noun: str) -> Cue:
    return Cue(value, base, relative_reading(value, base, more, less, noun), sharpness_warning(value, base))


def _sharpness(views: Views, measure: Callable, more: str, less: str, noun: str) -> Cue:
    return _gain(*views.both(measure), more, less, noun)


def _jpeg_expected(views: Views) -> str:
    """Why departing from a JPEG input is expected ('' for an input liif.inspect does not call compressed)."""
    found = views.input_condition()
    if not found.compressed:
        return ""
    return (f"expected with a JPEG input (quality about {found.jpeg_quality}) whose artefacts an enlargement "
            "removes")


def laplacian_var(views: Views) -> Cue:
    """Edge and texture contrast (variance of the Laplacian of luma), output vs bicubic."""
    return _sharpness(views, classical.laplacian_variance, "sharper", "softer", "edge contrast")


def tenengrad(views: Views) -> Cue:
    """Edge strength (mean squared Sobel gradient of luma), output vs bicubic."""
    return _sharpness(views, classical.tenengrad, "sharper", "softer", "edge strength")


def hf_share(views: Views) -> Cue:
    """Share of spectral energy above the input's Nyquist frequency, output vs bicubic."""
    # The input's Nyquist frequency as a fraction of the output's; without enlargement, half the band.
    cutoff = 1.0 / views.scale if views.scale > 1.05 else 0.5
    value, base = (classical.high_frequency_share(spec, cutoff) for spec in _spectra(views))
    return _gain(value, base, "more fine detail", "less fine detail", "fine-detail energy")


def _spectra(views: Views) -> tuple[classical.Spectrum, classical.Spectrum]:
    return views.shared("spectra", lambda: views.both(classical.spectrum))


def texture_retention(views: Views) -> Cue:
    """Fine texture of the input kept: the shrunk-back output's Laplacian energy over the input's, in textured areas."""
    low = views.luma("lowres")
    mask = classical.texture_mask(low)
    if mask.mean() < TEXTURE_MIN_SHARE:
        raise CueUnavailable(f"the input has almost no fine texture ({mask.mean():.0%} of its pixels)")
    # The input in each candidate's own tones (as for halos), so a contrast change is not read as texture.
    features = artefacts.tone_features(views.lowres)

    def kept(shrunk: np.ndarray) -> float:
        reference = classical.texture_energy(artefacts.tone_matched(views.lowres, shrunk, features), mask)
        return classical.texture_energy(luma_bt601(shrunk).astype(np.float32), mask) / max(reference, 1e-9)
    value, base = views.both(kept, of="shrunk")
    reading = f"keeps {value:.0%} of the input's fine texture (bicubic {base:.0%})"
    if value >= TEXTURE_KEPT:
        return Cue(value, base, reading)
    expected = _jpeg_expected(views)  # removing a JPEG's blocks and ringing removes that "texture" too
    if expected:
        return Cue(value, base, f"{reading}; {expected}")
    return Cue(value, base, f"{reading}: smoothed away", "texture lost")


def resolution_kept(views: Views) -> Cue:
    """Detail beyond twice the input's resolution (what a reduction to that resolution loses), vs bicubic's."""
    factor = views.scale / 2
    if factor < 1.4:
        raise CueUnavailable(f"at x{views.scale:.3g} the output holds little more than twice the input's resolution")
    low = views.luma("lowres")
    value, base = views.both(lambda y: classical.detail_beyond(y, low, factor))
    reading = (f"{value * 1000:.2f} thousandths of the input's fine-scale energy beyond twice its resolution "
               f"(bicubic {base * 1000:.2f})")
    if value < RESOLUTION_KEPT:
        return Cue(value, base, f"{reading}: no more detail than an enlargement of half the size would have",
                   "resolution lost")
    return Cue(value, base, reading)


def effective_resolution(views: Views) -> Cue:
    """Where the output's detail ends (its spectrum meets 8-bit noise), in multiples of the input's resolution."""
    scale = max(views.scale, 1.0)
    value, base = (scale * classical.effective_resolution(spec) for spec in _spectra(views))
    reading = (f"detail up to {value:.1f}x the input's resolution (bicubic {base:.1f}x; the output's pixels hold "
               f"{scale:.1f}x)")
    if value <= RESOLUTION_GAIN * base and scale > 1.05:
        return Cue(value, base, reading + ": no finer than bicubic")
    return Cue(value, base, reading)


def _tone(views: Views) -> tuple[classical.ToneCues, classical.ToneCues]:
    def make() -> tuple[classical.ToneCues, classical.ToneCues]:
        low = classical.ToneSample(views.lowres)  # the input's Lab, once for both candidates
        return views.both(lambda shrunk: classical.tone_cues(shrunk, low), of="shrunk")
    return views.shared("tone", make)


def _values(views: Views, name: str) -> tuple[float, float]:
    out, bic = _tone(views)
    return getattr(out, name), getattr(bic, name)


def consistency_psnr(views: Views) -> Cue:
    """PSNR of the output shrunk back to the input's size against the input, vs bicubic's."""
    v, b = _values(views, "consistency_psnr")
    reading, warning = consistency_reading(v, b), consistency_warning(v, b)
    if warning and v >= CONSISTENCY_FLOOR:
        expected = _jpeg_expected(views)  # removing a JPEG's artefacts moves the output away from them
        if expected:
            return Cue(v, b, f"{reading}; {expected}")
    return Cue(v, b, reading, warning)


# Tone changes the rows warn about: brightness or contrast moved by this many L*, colourfulness by this %.
BRIGHTNESS_SHIFT = 3.0
CONTRAST_SHIFT = 3.0
COLOURFULNESS_SHIFT = 10.0


def tone_changes(views: Views) -> tuple[str, ...]:
    """The tone rows' warnings for this output: what changed in its tones (empty: tones kept)."""
    def make() -> tuple[str, ...]:
        out, bic = _tone(views)
        changed = {"colour shift": out.color_drift >= DRIFT_NOTICEABLE and out.color_drift > bic.color_drift,
                   "brightness changed": abs(out.luma_mean_shift) >= BRIGHTNESS_SHIFT,
                   "contrast changed": abs(out.luma_spread_shift) >= CONTRAST_SHIFT,
                   "colourfulness changed": abs(out.colourfulness_change) >= COLOURFULNESS_SHIFT}
        return tuple(warning for warning, hit in changed.items() if hit)
    return views.shared("tone_changes", make)


def _flag(views: Views, warning: str) -> str:
    return warning if warning in tone_changes(views) else ""


def color_drift(views: Views) -> Cue:
    """Mean CIEDE2000 between the shrunk-back output and the input, vs bicubic's."""
    v, b = _values(views, "color_drift")
    return Cue(v, b, drift_reading(v) + f" (bicubic {b:.1f})", _flag(views, "colour shift"))


def luma_mean_shift(views: Views) -> Cue:
    """Mean L* of the shrunk-back output minus the input's."""
    v, b = _values(views, "luma_mean_shift")
    return Cue(v, b, shift_reading(v, 1, BRIGHTNESS_SHIFT, "brighter", "darker", "brightness", " L*"),
               _flag(views, "brightness changed"))


def luma_spread_shift(views: Views) -> Cue:
    """Standard deviation of L* (global contrast) of the shrunk-back output minus the input's."""
    v, b = _values(views, "luma_spread_shift")
    return Cue(v, b, shift_reading(v, 1, CONTRAST_SHIFT, "more contrast", "less contrast", "contrast", " L*"),
               _flag(views, "contrast changed"))


def colourfulness_change(views: Views) -> Cue:
    """Relative change of Hasler-Suesstrunk colourfulness, shrunk-back output vs input."""
    v, b = _values(views, "colourfulness_change")
    return Cue(v, b, shift_reading(v, 3, COLOURFULNESS_SHIFT, "more colourful", "less colourful", "colourfulness",
                                   "%"), _flag(views, "colourfulness changed"))
