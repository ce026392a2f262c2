"""The report of one assessment and its views: the rows (``rows``), the verdict (``verdict``), the
renderings (``report``: dict, JSON, table) and the pictures (``plots``).
"""

from __future__ import annotations

from .report import Report
from .rows import Rows, Score

__all__ = ["Report", "Rows", "Score"]
