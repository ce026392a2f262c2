"""Which metrics can run here, and fetching what they need.

Checking never uses the network; :func:`prefetch` is the one way weights are downloaded
(``liif prefetch``), into the cache of ``iqa.paths``.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import catalog, pyiqa_backend
from .clip_cues import ClipCues, default_clip

__all__ = ["status", "available_metrics", "prefetch"]


def status(key: str, clip: ClipCues | None = None) -> tuple[bool, str]:
    """(available, reason) for one catalogue key. Fast; never uses the network."""
    metric = catalog.get(key)
    if metric.kind == "clip":
        return (clip or default_clip()).status()
    if metric.pyiqa is not None:
        return catalog.weights_status(key)
    return True, ""


def available_metrics(clip: ClipCues | None = None) -> list[tuple[str, bool, str]]:
    """(key, available, reason) for every catalogue metric. Fast; never uses the network."""
    return [(key, *status(key, clip)) for key in catalog.METRICS]


def prefetch(keys: Iterable[str] | None = None, clip: ClipCues | None = None) -> list[tuple[str, bool, str]]:
    """Download weights for ``keys`` (None: every metric that needs weights).

    Files go to the cache in ``iqa.paths`` ($LIIF_STUDIO_CACHE). Returns
    (key, ok, message) per key; a network failure is reported, not raised.
    """
    if keys is None:
        keys = [k for k, m in catalog.METRICS.items() if m.needs_weights]
    results = []
    clip_done: tuple[bool, str] | None = None
    for key in keys:
        metric = catalog.get(key)
        if metric.kind == "clip":
            if clip_done is None:
                clip_done = (clip or default_clip()).prefetch()
            results.append((key, *clip_done))
        elif metric.needs_weights and metric.pyiqa is not None:
            results.append((key, *pyiqa_backend.prefetch_one(metric.pyiqa)))
        else:
            results.append((key, True, "no weights needed"))
    return results
