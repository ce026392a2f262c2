"""Quality cues as report columns for ``liif batch``: a picklable scorer that runs in Ray workers.

``studio.cli`` hands :func:`batch_scorer` to the engine's batch command, which calls it once on
the driver with the requested keys and ships the scorer it returns to every worker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from liif.errors import LiifError

__all__ = ["BatchScorer", "batch_scorer"]


class BatchScorer:
    """Scores each output with :func:`iqa.assess` (imported in the worker, on first use)."""

    def __init__(self, metrics: Sequence[str]) -> None:
        self.metrics = list(metrics)

    def __call__(self, output: Any, image: Any) -> dict[str, float]:
        """``{score_KEY: value, bicubic_KEY: baseline}`` for every cue that has a value."""
        from .assess import assess

        report = assess(output, image, metrics=self.metrics)
        cols: dict[str, float] = {}
        for s in report.rows:
            if s.available and s.value is not None:
                cols[f"score_{s.key}"] = float(s.value)
                if s.baseline is not None:
                    cols[f"bicubic_{s.key}"] = float(s.baseline)
        return cols


def batch_scorer(keys: Sequence[str]) -> BatchScorer:
    """A :class:`BatchScorer` for ``keys`` (none: the classical cues), checked on the driver before Ray starts."""
    from .catalog import METRICS, available_metrics

    keys = list(keys) or [k for k, m in METRICS.items() if m.kind == "classical"]
    status = {k: (ok, why) for k, ok, why in available_metrics()}
    for key in keys:
        if key not in status:
            raise LiifError(f"unknown metric {key!r}: 'liif metrics' lists them")
        if not status[key][0]:
            raise LiifError(f"metric {key} is unavailable here ({status[key][1]}): 'liif prefetch {key}' fetches it")
    return BatchScorer(keys)
