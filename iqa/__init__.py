"""liif-studio quality assessment: how an enlargement keeps detail and tone.

Public API::

    import iqa
    report = iqa.assess(output, lowres, reference=None, metrics=None, clip=None)
    report.rows                 # list[iqa.Score]
    report.verdict              # one or two plain sentences (iqa.judge(report) for the judgement)
    report.to_dict(); report.to_json(); report.to_table()
    metric = iqa.create_metric("piqe")   # one metric as a callable, as pyiqa.create_metric
    metric(output, lowres)      # its value; metric.row(...) the whole row; .direction, .range, .lower_better
    iqa.list_metrics()          # the catalogue keys
    iqa.catalog.METRICS         # the catalogue (key -> iqa.Metric); each cue registers itself in iqa/cues/
    iqa.available_metrics()     # [(key, available, reason), ...]
    iqa.prefetch(keys)          # download weights where the network allows

Library only: no UI imports here.
"""

from __future__ import annotations

import lazy_loader

# Names resolve on first use (scientific Python's lazy_loader, as scikit-image does): `import iqa`, or a
# command that only registers `liif score`, costs nothing until a metric runs; the catalogue imports the
# cue families and the backends (numpy, OpenCV, scikit-image; pyiqa and open_clip only when a row runs them).
_getattr, __dir__, __all__ = lazy_loader.attach(
    __name__,
    submodules=["catalog", "weights"],
    submod_attrs={
        "assess": ["assess", "select_metrics"],
        "scorer": ["Scorer", "create_metric"],
        "catalog": ["METRICS", "Metric", "list_metrics", "available_metrics", "prefetch"],
        "report": ["Report", "Score"],
        "report.verdict": ["Verdict", "judge"],
        "backends.open_clip": ["ClipCues", "ClipUnavailable", "default_clip"],
        "errors": ["MetricUnavailable"],
        "images": ["ImageInputError"],
    },
)
# Modules by the names they had before iqa/ was grouped by family: the cache's paths are iqa.weights', the
# verdict is the report's.
_ALIASES = {"paths": "iqa.weights", "verdict": "iqa.report.verdict"}
__all__ = [*__all__, *_ALIASES]


def __getattr__(name: str):
    """A public name of iqa, imported on first use."""
    if name in _ALIASES:
        import importlib

        return importlib.import_module(_ALIASES[name])
    return _getattr(name)
