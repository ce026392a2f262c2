"""Why a metric cannot be scored here: the one error every way of scoring raises (``assess`` reports it instead)."""

from __future__ import annotations

__all__ = ["MetricUnavailable"]


class MetricUnavailable(RuntimeError):
    """A metric cannot run here; the message says why and how to fix it."""
