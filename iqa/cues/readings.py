"""One-line readings of a value against the bicubic baseline, shared by the cue families.

So that the same kind of number reads the same way everywhere; a reading only one cue uses lives
with that cue.
"""

from __future__ import annotations

import math

__all__ = ["RATIO_CAP", "ratio_text", "relative_reading", "shift_reading", "compare_reading"]


def _pct(x: float) -> str:
    return f"{abs(x) * 100:.0f}%"


# Above this a ratio says more about the statistic than about the picture (issue 35: 257x the edge contrast of
# bicubic was 0.6% salt and pepper); a reading says "over 20x" instead.
RATIO_CAP = 20.0


def ratio_text(ratio: float) -> str:
    """'2.4x', or 'over 20x' above RATIO_CAP."""
    return f"over {RATIO_CAP:.0f}x" if ratio > RATIO_CAP else f"{ratio:.1f}x"


def relative_reading(value: float, baseline: float, more: str, less: str, noun: str) -> str:
    """'22% sharper than bicubic', '2.4x the edge contrast of bicubic (sharper)', ..."""
    if not (math.isfinite(value) and math.isfinite(baseline)) or baseline <= 0:
        return f"{noun} {value:.3g} (bicubic {baseline:.3g})"
    ratio = value / baseline
    if abs(ratio - 1) < 0.02:
        return f"about the same {noun} as bicubic (within 2%)"
    if ratio >= 2:
        return f"{ratio_text(ratio)} the {noun} of bicubic ({more})"
    if ratio > 1:
        return f"{_pct(ratio - 1)} {more} than bicubic"
    return f"{_pct(1 - ratio)} {less} than bicubic"


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
