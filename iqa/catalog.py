"""The catalogue: every score the product can report, as data, and which of them can run here.

Each cue registers itself where it is computed (``@register`` in ``iqa/cues/``, ``pyiqa_metric`` in
``iqa/backends/pyiqa.py``): a :class:`Metric` says what it measures, which direction is better, its
range, which weight files it needs, the function that computes its row and how the verdict reads its
warnings. This module imports the families in report order and lists their registrations:
``METRICS`` maps catalogue keys to metrics, in the order reports list them (by family, ``GROUPS``;
within a family, by ``FAMILIES`` and then the order of the registrations). ``iqa.assess`` is one loop
over the requested entries.

Checking availability never uses the network; :func:`prefetch` is the one way weights are
downloaded (``liif prefetch``), into the cache of ``iqa.weights``.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import weights
from .backends import pyiqa as pyiqa_backend
from .backends.open_clip import ClipCues, default_clip
from .backends.pyiqa import CLASSICAL_CROP, LEARNED_CROP
from .cues import artefacts, clip, detail, fr, saliency, tone
from .cues.base import REGISTERED, Metric
from .weights import WeightFile

__all__ = [
    "WeightFile", "Metric", "METRICS", "GROUPS", "FAMILIES", "LEARNED_CROP", "CLASSICAL_CROP", "DEFAULT_KEYS",
    "get", "list_metrics", "weights_status", "status", "available_metrics", "prefetch",
]

# The report's groups, in the order it lists them.
GROUPS = (
    "sharpness",
    "artefacts",
    "consistency",
    "tone",
    "saliency",
    "no-reference",
    "clip-clarity",
    "clip-tone",
    "clip-emotion",
    "semantic",
    "full-reference",
)
# The modules that register cues, in the order a group shared between them lists their rows.
FAMILIES = (detail, tone, artefacts, saliency, fr, pyiqa_backend, clip)


def _ordered(registered: Iterable[Metric]) -> list[Metric]:
    modules = [module.__name__ for module in FAMILIES]
    listed = list(registered)
    unknown = [m.key for m in listed if m.group not in GROUPS or m.source not in modules]
    if unknown:
        raise ValueError(f"catalogue entries outside GROUPS or FAMILIES: {unknown}")
    return sorted(listed, key=lambda m: (GROUPS.index(m.group), modules.index(m.source), listed.index(m)))


METRICS: dict[str, Metric] = {m.key: m for m in _ordered(REGISTERED)}
# Everything but the on-request entries is on by default; full-reference metrics only run with a reference.
DEFAULT_KEYS: tuple[str, ...] = tuple(k for k, m in METRICS.items() if not m.on_request)
ON_REQUEST: tuple[str, ...] = tuple(k for k, m in METRICS.items() if m.on_request)


def get(key: str) -> Metric:
    """The catalogue entry of ``key``; an unknown key is a ValueError naming the known ones."""
    try:
        return METRICS[key]
    except KeyError:
        raise ValueError(
            f"unknown metric {key!r}; known metrics: {', '.join(METRICS)}"
        ) from None


def list_metrics() -> list[str]:
    """Every catalogue key, in the order reports list them (``pyiqa.list_models()``'s counterpart)."""
    return list(METRICS)


def weights_status(key: str) -> tuple[bool, str]:
    """(present, reason) for a metric's weight files. Never uses the network.

    CLIP families depend on the configured CLIP model: see ``iqa.backends.open_clip``.
    """
    return weights.status(key, get(key).weights)


def status(key: str, clip: ClipCues | None = None) -> tuple[bool, str]:
    """(available, reason) for one catalogue key. Fast; never uses the network, imports no metric's library."""
    metric = get(key)
    if metric.kind == "clip":
        return (clip or default_clip()).status()
    return weights_status(key)


def available_metrics(clip: ClipCues | None = None) -> list[tuple[str, bool, str]]:
    """(key, available, reason) for every catalogue metric. Fast; never uses the network."""
    return [(key, *status(key, clip)) for key in METRICS]


def prefetch(keys: Iterable[str] | None = None, clip: ClipCues | None = None) -> list[tuple[str, bool, str]]:
    """Download weights for ``keys`` (None: every metric that needs weights).

    Files go to the cache in ``iqa.weights`` ($LIIF_STUDIO_CACHE). Returns
    (key, ok, message) per key; a network failure is reported, not raised.
    """
    if keys is None:
        keys = [k for k, m in METRICS.items() if m.needs_weights]
    results = []
    clip_done: tuple[bool, str] | None = None
    for key in keys:
        metric = get(key)
        if metric.kind == "clip":
            if clip_done is None:
                clip_done = (clip or default_clip()).prefetch()
            results.append((key, *clip_done))
        elif metric.needs_weights and metric.pyiqa is not None:
            results.append((key, *pyiqa_backend.prefetch_one(metric.pyiqa)))
        else:
            results.append((key, True, "no weights needed"))
    return results
