"""One-line readings of a value against the bicubic baseline, and the thresholds of the warnings.

Shared by the catalogue's compute functions (``classical_cues``, ``fr``, ``pyiqa_backend``,
``clip_rows``), so that the same kind of number reads the same way everywhere.
"""

from __future__ import annotations

import math

__all__ = [
    "SHARPER_GAIN", "CONSISTENCY_SLACK", "CONSISTENCY_FLOOR", "DRIFT_NOTICEABLE",
    "relative_reading", "consistency_reading", "drift_reading", "shift_reading", "compare_reading",
    "sharpness_warning", "consistency_warning",
]

# Below +10% over bicubic a sharpness cue does not show a gain worth the name.
SHARPER_GAIN = 0.10
# An enlargement should agree with its input at least as well as bicubic does; below
# bicubic's consistency by more than this (dB), or under 30 dB, the output departs.
CONSISTENCY_SLACK = 1.0
CONSISTENCY_FLOOR = 30.0
# Colour drift (mean CIEDE2000) from which colours differ noticeably side by side.
DRIFT_NOTICEABLE = 2.0


def _pct(x: float) -> str:
    return f"{abs(x) * 100:.0f}%"


def relative_reading(value: float, baseline: float, more: str, less: str, noun: str) -> str:
    """'22% sharper than bicubic', '2.4x the edge contrast of bicubic (sharper)', ..."""
    if not (math.isfinite(value) and math.isfinite(baseline)) or baseline <= 0:
        return f"{noun} {value:.3g} (bicubic {baseline:.3g})"
    ratio = value / baseline
    if abs(ratio - 1) < 0.02:
        return f"about the same {noun} as bicubic (within 2%)"
    if ratio >= 2:
        return f"{ratio:.1f}x the {noun} of bicubic ({more})"
    if ratio > 1:
        return f"{_pct(ratio - 1)} {more} than bicubic"
    return f"{_pct(1 - ratio)} {less} than bicubic"


def consistency_reading(value: float, baseline: float) -> str:
    """Thresholds from Set5/Set14: bicubic x2-x4 scores 31-44 dB, a 1-pixel shift ~15 dB."""
    base = f"bicubic {baseline:.1f} dB" if math.isfinite(baseline) else "bicubic identical"
    if math.isinf(value):
        return f"shrinks back exactly to the input ({base})"
    if value >= 35:
        verdict = "faithful to the input"
    elif value >= 30:
        verdict = "close to the input"
    elif value >= 24:
        verdict = "departs from the input"
    else:
        verdict = "does not match the input"
    return f"{verdict}: {value:.1f} dB shrunk back ({base})"


def drift_reading(value: float) -> str:
    """Colour drift in words (CIEDE2000 bands)."""
    if value < 1:
        verdict = "invisible"
    elif value < 2:
        verdict = "visible only on close inspection"
    elif value < 3.5:
        verdict = "noticeable side by side"
    elif value < 5:
        verdict = "clearly visible"
    else:
        verdict = "colours have changed"
    return f"colour drift {value:.1f} dE: {verdict}"


def shift_reading(value: float, small: float, large: float, up: str, down: str, what: str, unit: str) -> str:
    """'brightness unchanged (+0.3 L*)', 'slightly darker (-2.0 L*)', ..."""
    mag = abs(value)
    if mag < small:
        return f"{what} unchanged ({value:+.1f}{unit})"
    word = up if value > 0 else down
    return f"{'slightly ' if mag < large else ''}{word} ({value:+.1f}{unit})"


def compare_reading(value: float, baseline: float, direction: str, name: str) -> str:
    """'better than bicubic (52.1 vs 40.3; higher is better)', or the two numbers when no direction is better."""
    if direction == "none":
        return f"{name} {value:.3g} (bicubic {baseline:.3g})"
    scale = max(abs(baseline), 1e-9)
    if abs(value - baseline) / scale < 0.01:
        verdict = "same as bicubic"
    else:
        better = (value > baseline) == (direction == "higher")
        verdict = "better than bicubic" if better else "worse than bicubic"
    return f"{verdict} ({value:.3g} vs {baseline:.3g}; {direction} is better)"


def sharpness_warning(value: float, baseline: float) -> str:
    """'softer than bicubic' / 'no sharper than bicubic' / '' from a sharpness cue and its baseline."""
    if not (math.isfinite(value) and math.isfinite(baseline)) or baseline <= 0:
        return ""
    gain = value / baseline - 1
    if gain <= -SHARPER_GAIN:
        return "softer than bicubic"
    return "no sharper than bicubic" if gain < SHARPER_GAIN else ""


def consistency_warning(value: float, baseline: float) -> str:
    """'departs from the input' when the shrunk-back output agrees with the input clearly less than bicubic."""
    if math.isinf(value):
        return ""
    if value < CONSISTENCY_FLOOR or (math.isfinite(baseline) and value < baseline - CONSISTENCY_SLACK):
        return "departs from the input"
    return ""
