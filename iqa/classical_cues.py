"""Compute functions for the sharpness, consistency and tone rows of the catalogue.

Each takes :class:`iqa.cue.Views` and returns a :class:`iqa.cue.Cue` (the output's value,
the bicubic baseline's, a reading, a warning); the measurements are ``iqa.classical``'s.
Sharpness reads as a gain over bicubic; consistency and tone shrink the output back to the
input's size and compare it with the input (computed once per assessment for all five rows).
"""

from __future__ import annotations

from collections.abc import Callable

from . import classical
from .cue import Cue, Views
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
    "laplacian_var", "tenengrad", "hf_share",
    "consistency_psnr", "color_drift", "luma_mean_shift", "luma_spread_shift", "colourfulness_change",
]


def _sharpness(views: Views, measure: Callable, more: str, less: str, noun: str) -> Cue:
    value, base = views.both(measure)
    return Cue(value, base, relative_reading(value, base, more, less, noun), sharpness_warning(value, base))


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
    return _sharpness(views, lambda im: classical.high_frequency_share(im, cutoff),
                      "more fine detail", "less fine detail", "fine-detail energy")


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
        found = views.input_condition()
        if found.compressed:  # removing a JPEG's artefacts moves the output away from them: not a fault
            return Cue(v, b, f"{reading}; expected with a JPEG input (quality about {found.jpeg_quality}) whose "
                             "artefacts an enlargement removes")
    return Cue(v, b, reading, warning)


def color_drift(views: Views) -> Cue:
    """Mean CIEDE2000 between the shrunk-back output and the input, vs bicubic's."""
    v, b = _values(views, "color_drift")
    flag = "colour shift" if v >= DRIFT_NOTICEABLE and v > b else ""
    return Cue(v, b, drift_reading(v) + f" (bicubic {b:.1f})", flag)


def luma_mean_shift(views: Views) -> Cue:
    """Mean L* of the shrunk-back output minus the input's."""
    v, b = _values(views, "luma_mean_shift")
    return Cue(v, b, shift_reading(v, 1, 3, "brighter", "darker", "brightness", " L*"),
               "brightness changed" if abs(v) >= 3 else "")


def luma_spread_shift(views: Views) -> Cue:
    """Standard deviation of L* (global contrast) of the shrunk-back output minus the input's."""
    v, b = _values(views, "luma_spread_shift")
    return Cue(v, b, shift_reading(v, 1, 3, "more contrast", "less contrast", "contrast", " L*"),
               "contrast changed" if abs(v) >= 3 else "")


def colourfulness_change(views: Views) -> Cue:
    """Relative change of Hasler-Suesstrunk colourfulness, shrunk-back output vs input."""
    v, b = _values(views, "colourfulness_change")
    return Cue(v, b, shift_reading(v, 3, 10, "more colourful", "less colourful", "colourfulness", "%"),
               "colourfulness changed" if abs(v) >= 10 else "")
