"""``create_metric``: one catalogue metric as a callable, in pyiqa's idiom (``pyiqa.create_metric(name)``).

The scorer computes its row the way ``iqa.assess`` does (the same views, the entry's compute
function), so ``create_metric(key)(output, lowres)`` is the value of ``assess(...)[key]``. Like
``assess`` it never downloads: a metric whose weights are absent is refused at creation with the
reason, which names ``liif prefetch KEY`` (``iqa.prefetch([KEY])``).
"""

from __future__ import annotations

from liif.imageio import ImageLike

from . import catalog
from .assess import make_views, metric_rows
from .backends import pyiqa as pyiqa_backend
from .backends.open_clip import ClipCues
from .errors import MetricUnavailable
from .report.rows import Score

__all__ = ["Scorer", "create_metric"]


class Scorer:
    """One catalogue metric, ready to score: ``scorer(output, lowres[, reference]) -> float``."""

    def __init__(self, metric: catalog.Metric, clip: ClipCues | None = None) -> None:
        self.metric = metric
        self.clip = clip

    @property
    def key(self) -> str:
        """The catalogue key."""
        return self.metric.key

    @property
    def name(self) -> str:
        """The display name."""
        return self.metric.name

    @property
    def kind(self) -> str:
        """The kind: "classical", "nr" (no-reference), "fr" (full-reference) or "clip"."""
        return self.metric.kind

    @property
    def group(self) -> str:
        """The report group its row is listed under."""
        return self.metric.group

    @property
    def measures(self) -> str:
        """What it measures, in a sentence or two."""
        return self.metric.measures

    @property
    def direction(self) -> str:
        """Which way is better: "higher" | "lower" | "none"."""
        return self.metric.direction

    @property
    def range(self) -> str:
        """Its range, in words, with the unit."""
        return self.metric.range

    @property
    def needs_reference(self) -> bool:
        """Whether a call needs ``reference`` (a full-reference metric)."""
        return self.metric.needs_reference

    @property
    def lower_better(self) -> bool:
        """pyiqa's flag: True when lower is better (False for "higher" and for "none", no better direction)."""
        return self.metric.direction == "lower"

    def row(self, output: ImageLike, lowres: ImageLike, reference: ImageLike | None = None, *,
            shave: int = 0) -> Score:
        """The row ``iqa.assess`` reports for this metric: value, bicubic baseline, reading, warning."""
        if self.needs_reference and reference is None:
            raise ValueError(f"{self.key} is a full-reference metric: pass reference= (the ground truth)")
        views = make_views(output, lowres, reference, shave=shave, clip=self.clip)
        row = metric_rows(self.metric, views)[0]  # a family's row comes first, its parts after it
        if not row.available:
            raise MetricUnavailable(f"{self.name} ({self.key}): {row.reason}")
        return row

    def __call__(self, output: ImageLike, lowres: ImageLike, reference: ImageLike | None = None, *,
                 shave: int = 0) -> float:
        """The output's score (``row(...).value``); ``lowres`` is its input, ``reference`` the ground truth."""
        return float(self.row(output, lowres, reference, shave=shave).value)  # an available row has a value

    def __repr__(self) -> str:
        return f"Scorer({self.key!r}: {self.name}, {self.direction} is better, {self.range})"


def create_metric(key: str, *, clip: ClipCues | None = None) -> Scorer:
    """The catalogue metric ``key`` as a callable; MetricUnavailable (with the reason) when it cannot run here."""
    metric = catalog.get(key)  # an unknown key is a ValueError naming the known ones
    ok, reason = catalog.status(key, clip)
    if not ok:
        raise MetricUnavailable(f"{metric.name} ({key}) is unavailable: {reason}")
    if metric.pyiqa is not None:
        pyiqa_backend.create(metric.pyiqa)  # load now, as pyiqa does: a broken file is refused here, with why
    return Scorer(metric, clip)
