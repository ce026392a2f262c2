"""The cues' decision thresholds as the validity suite refits them: leave-one-family-out (issue 35).

Each cue reads its thresholds from its module (``iqa.cues.artefacts.RIPPLE_ADDED``); a :class:`Threshold`
names one of them with the row statistic it bounds and which side warns, so that a program can refit it on
clean and altered outputs and run the suite under the refitted value (:func:`overridden`). The rule is the
v2 fit table's: past the training outputs it must keep quiet on (clean outputs, and altered results for which its
warning is a wrong reason: banding on a vignette) with a tenth to spare (``FIT_MARGIN``), as the fit notes in the cue
modules do, and in the middle of the gap from there to the nearest altered result its warning is a right reason for
(the largest margin among the thresholds that decide the training data alike). Never past the perceptibility
floor. Rows that another rule of their cue held back (past today's threshold, yet quiet) are left out: where the
threshold lies tells them nothing. Tone thresholds are not refitted: they are perceptual constants (CIELAB and
grey-level differences a viewer notices, with their sources in ``iqa.cues.tone``), not properties of the content.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..report.rows import Score

if TYPE_CHECKING:
    from . import Alteration

__all__ = ["FIT_MARGIN", "THRESHOLDS", "Threshold", "fit_all", "overridden"]

# What a refitted threshold keeps to spare beyond the nearest output it must keep quiet on: a tenth of its value (the
# fit split's rounding, e.g. the ripples' 1.08 grey levels to 1.2).
FIT_MARGIN = 0.1


def _excess(row: Score, scale: float) -> float:
    return row.value - row.baseline


def _value(row: Score, scale: float) -> float:
    return row.value


def _of_even_share(row: Score, scale: float) -> float:
    return row.value * round(scale)  # pixelation: the share over the even share 1/period


@dataclass(frozen=True)
class Threshold:
    """One decision threshold of a cue, and how it is refitted from clean and altered outputs' rows."""

    name: str  # the module constant
    module: str  # where the cue reads it
    row: str  # the catalogue row whose statistic it bounds
    warning: str  # what the row raises past it: the altered results it is fitted against have it as a right reason
    statistic: Callable[[Score, float], float]  # (the clean row, the scale) -> the number the cue compares
    side: str  # "above": the row warns at or above it; "below": under it
    limit: float  # never fitted past this: the perceptibility floor ("above"), the ceiling ("below")
    step: float  # the least difference that counts in its unit: what a fit keeps to spare at the very least
    # The cue keeps quiet on a global tone change by an excuse of its own (the levels it compares with moved), not by
    # this threshold: tone alterations are no data for it (their raw statistic is large: a contrast stretch is all
    # overshoot).
    tone_excused: bool = False

    def current(self) -> float:
        """The value the cue reads now."""
        return float(getattr(importlib.import_module(self.module), self.name))

    def fit(self, quiet: Sequence[float], altered: Sequence[float] = (), margin: float = FIT_MARGIN) -> float:
        """The largest-margin threshold between the quiet and the altered statistics, else one no quiet one reaches.

        ``quiet``: where the warning must not fire (clean outputs, and results it would be a wrong reason for);
        ``altered``: results it is a right reason for. The threshold keeps ``margin`` of the nearest quiet value,
        ``step`` at least, to spare (every clean output with no isolated pixel would otherwise fit 0, which 0
        reaches), and lies in the middle of the gap up to the nearest altered value beyond that. Never past
        ``limit``; today's value where there is nothing to fit on.
        """
        if not quiet:
            return self.current()
        sign = 1.0 if self.side == "above" else -1.0
        nearest = max(sign * c for c in quiet)  # in the warning's direction: the quiet value closest to warning
        spared = nearest + max(margin * abs(nearest), self.step)
        # The altered value nearest the quiet side that a threshold can still catch: every threshold between the
        # spared value and it decides the training data alike, so take the middle of that gap (the largest margin).
        # Altered results on the quiet side (aliasing may show no pixel grid at all) move no threshold.
        catchable = [sign * a for a in altered if sign * a > spared]
        if catchable:
            spared = max(spared, (nearest + min(catchable)) / 2)
        return max(self.limit, spared) if sign > 0 else min(self.limit, -spared)


_ART, _DET = "iqa.cues.artefacts", "iqa.cues.detail"
THRESHOLDS: tuple[Threshold, ...] = (
    Threshold("NOISE_ADDED", _ART, "noise_sigma", "added noise", _excess, "above", 1.0, 0.1),  # NOISE.floor
    Threshold("ISOLATED_ADDED", _ART, "isolated_pixels", "isolated pixels", _excess, "above", 0.0, 1e-5),  # 10 a MP
    Threshold("HALO_ADDED", _ART, "halo_overshoot", "halos", _excess, "above", 0.0, 0.01, True),  # peak has the floor
    Threshold("RIPPLE_ADDED", _ART, "ripples", "ringing", _excess, "above", 1.0, 0.1, True),  # RINGING.floor
    Threshold("JPEG_GRID", _ART, "jpeg_blockiness", "block artefacts", _value, "above", 1.0, 0.01),  # 1: no grid
    Threshold("BANDING_LOST", _ART, "banding", "banding", _value, "above", 0.0, 0.01),
    Threshold("PIXEL_GRID", _ART, "pixel_grid", "pixelation", _of_even_share, "above", 1.0, 0.1),  # 1: even share
    Threshold("TEXTURE_KEPT", _DET, "texture_retention", "texture lost", _value, "below", 1.0, 0.01),  # 1: all kept
    Threshold("RESOLUTION_KEPT", _DET, "resolution_kept", "resolution lost", _value, "below", 1.0, 1e-4),
)


def _statistics(t: Threshold, outputs: Sequence[Mapping[str, Score]], scale: float) -> list[float]:
    """The threshold's statistic on each output's row, leaving out the rows something else held back.

    A row whose statistic is past today's threshold and that does not warn was kept quiet by another rule of its cue
    (the halo's peak under the perceptibility floor, the block grid within its standard error, a tone excuse): where
    this threshold lies tells it nothing. As a quiet value it would push the threshold past it for no gain (one urban
    output's halo mean of 0.18 over bicubic's, with as much overshoot farther from its edges, moved the refit from
    0.08 to 0.2).
    """
    rows = [rows[t.row] for rows in outputs if t.row in rows]
    rows = [r for r in rows if r.available and r.value is not None and r.baseline is not None]
    current, sign = t.current(), 1.0 if t.side == "above" else -1.0
    values = [(t.statistic(r, scale), r.warning) for r in rows]
    return [value for value, warning in values if warning or sign * value < sign * current]


def _quiet_on(t: Threshold, alteration: Alteration) -> bool:
    return t.warning in alteration.forbidden and not (t.tone_excused and alteration.family == "tone")


def fit_all(clean: Sequence[Mapping[str, Score]], scale: float,
            altered: Sequence[tuple[Alteration, Mapping[str, Score]]] = ()) -> dict[str, float]:
    """Every threshold refitted, by name: on clean outputs' rows (key -> row) and on altered results' rows, each with
    its alteration (whose ``reasons`` and ``forbidden`` say where the threshold's warning is right and where wrong).
    A threshold keeps quiet on the clean outputs and where its warning would be wrong."""
    return {t.name: t.fit(_statistics(t, [*clean, *(rows for a, rows in altered if _quiet_on(t, a))], scale),
                          _statistics(t, [rows for a, rows in altered if t.warning in a.reasons], scale))
            for t in THRESHOLDS}


@contextmanager
def overridden(values: Mapping[str, float]) -> Iterator[None]:
    """Run the cues under these threshold values (by name), then restore today's."""
    by_name = {t.name: t for t in THRESHOLDS}
    saved = []
    try:
        for name, value in values.items():
            module = importlib.import_module(by_name[name].module)
            saved.append((module, name, getattr(module, name)))
            setattr(module, name, value)
        yield
    finally:
        for module, name, value in reversed(saved):
            setattr(module, name, value)
