"""Full-reference rows: PSNR and SSIM on Y against a ground-truth high-resolution image.

PSNR and SSIM on MATLAB ``rgb2ycbcr`` Y with a shaved border are the benchmark protocol's, so they
are ``liif.metrics``' (one implementation for ``liif eval`` and the report). LPIPS and DISTS go
through pyiqa when their weights are present (``iqa.backends.pyiqa``). With a reference, these rows
lead the verdict (``kind="fr"``): their summaries make its first sentence.
"""

from __future__ import annotations

import math
from typing import Any

from .base import Cue, CueUnavailable, Views, Warns, register

__all__ = ["NEEDS_REFERENCE", "FURTHER", "psnr_y_cue", "ssim_y_cue"]

NEEDS_REFERENCE = "needs a reference image (--reference)"
# Reported, not a problem: the reference leads the verdict on its own ("further from the reference").
FURTHER = Warns("further from the reference than bicubic", judged=False)


def __getattr__(name: str) -> Any:
    """``psnr_y``, ``ssim_y`` and ``rgb_to_y``: liif.metrics', imported on first use (it loads scipy.stats, a second
    of start-up a report without a reference never needs)."""
    if name in ("psnr_y", "ssim_y", "rgb_to_y"):
        import liif.metrics

        return getattr(liif.metrics, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _cue(views: Views, name: str, unit: str, fmt: str) -> Cue:
    if views.reference is None:
        raise CueUnavailable(NEEDS_REFERENCE)
    score = __getattr__(name)
    value = score(views.output, views.reference, views.shave)
    base = score(views.bicubic, views.reference, views.shave)
    warning = FURTHER.name if value < base else ""
    if math.isinf(value):
        return Cue(value, base, "identical to the reference", warning)
    return Cue(value, base, f"{value:{fmt}}{unit} vs reference: {value - base:+{fmt}}{unit} over bicubic "
                            f"({base:{fmt}}{unit})", warning)


@register("psnr_y", "PSNR (Y)", "full-reference",
          "Peak signal-to-noise ratio on Y (MATLAB rgb2ycbcr: BT.601, studio range 16-235) "
          "against the reference, as in the SR literature.", "higher",
          "0 to unbounded dB (identical: inf)", kind="fr", warns=(FURTHER,),
          summary=lambda r: f"PSNR-Y {r.value:.2f} dB ({r.value - r.baseline:+.2f} over bicubic)"
          if math.isfinite(r.value) else "PSNR-Y identical")
def psnr_y_cue(views: Views) -> Cue:
    """PSNR on Y of the output and of bicubic against the reference (border shaved)."""
    return _cue(views, "psnr_y", " dB", ".2f")


@register("ssim_y", "SSIM (Y)", "full-reference",
          "Structural similarity on Y (MATLAB rgb2ycbcr) against the reference (Gaussian "
          "window, sigma 1.5).", "higher", "-1 to 1 (identical: 1)", kind="fr", warns=(FURTHER,),
          summary=lambda r: f"SSIM {r.value:.3f} ({r.value - r.baseline:+.3f})")
def ssim_y_cue(views: Views) -> Cue:
    """SSIM on Y of the output and of bicubic against the reference (border shaved)."""
    return _cue(views, "ssim_y", "", ".3f")
