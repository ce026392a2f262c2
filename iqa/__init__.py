"""liif-studio quality assessment: how an enlargement keeps detail and tone.

Public API::

    import iqa
    report = iqa.assess(output, lowres, reference=None, metrics=None, clip=None)
    report.rows                 # list[iqa.Score]
    report.verdict              # one or two plain sentences (iqa.judge(report) for the judgement)
    report.to_dict(); report.to_json(); report.to_table()
    iqa.catalog.METRICS         # the catalogue (key -> iqa.Metric)
    iqa.available_metrics()     # [(key, available, reason), ...]
    iqa.prefetch(keys)          # download weights where the network allows

Library only: no UI imports here.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import catalog, paths, verdict
from .assess import assess, select_metrics
from .catalog import METRICS, Metric
from .clip_cues import ClipCues, ClipUnavailable, default_clip
from .images import ImageInputError
from .pyiqa_backend import MetricUnavailable
from .report import Report, Score
from .verdict import Verdict, judge

__all__ = [
    "assess",
    "select_metrics",
    "available_metrics",
    "prefetch",
    "Report",
    "Score",
    "Verdict",
    "judge",
    "Metric",
    "METRICS",
    "ClipCues",
    "ClipUnavailable",
    "MetricUnavailable",
    "ImageInputError",
    "default_clip",
    "catalog",
    "paths",
    "verdict",
]


def _status(key: str, clip: ClipCues | None = None) -> tuple[bool, str]:
    metric = catalog.get(key)
    if metric.kind == "clip":
        return (clip or default_clip()).status()
    if metric.pyiqa_name is not None:
        return catalog.weights_status(key)
    return True, ""


def available_metrics(clip: ClipCues | None = None) -> list[tuple[str, bool, str]]:
    """(key, available, reason) for every catalogue metric. Fast; never uses the network."""
    return [(key, *_status(key, clip)) for key in METRICS]


def prefetch(keys: Iterable[str] | None = None, clip: ClipCues | None = None) -> list[tuple[str, bool, str]]:
    """Download weights for ``keys`` (None: every metric that needs weights).

    Files go to the cache in ``iqa.paths`` ($LIIF_STUDIO_CACHE). Returns
    (key, ok, message) per key; a network failure is reported, not raised.
    """
    from . import pyiqa_backend

    if keys is None:
        keys = [k for k, m in METRICS.items() if m.needs_weights]
    results = []
    clip_done: tuple[bool, str] | None = None
    for key in keys:
        metric = catalog.get(key)
        if metric.kind == "clip":
            if clip_done is None:
                clip_done = (clip or default_clip()).prefetch()
            results.append((key, *clip_done))
        elif metric.needs_weights and metric.pyiqa_name:
            results.append((key, *pyiqa_backend.prefetch_one(key)))
        else:
            results.append((key, True, "no weights needed"))
    return results
