"""The rows of a report: :class:`Score` (one row) and :class:`Rows` (the rows of one assessment).

What both the verdict and the report read; the report (``iqa.report.report``) is the rows with the
verdict and the renderings, so the verdict never needs the report's module.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Score", "Rows"]


@dataclass(frozen=True)
class Score:
    """One row: the output's value next to bicubic's, how to read it, or why it is unavailable."""

    key: str
    name: str
    group: str
    value: float | None
    baseline: float | None
    direction: str  # "higher" | "lower" | "none"
    range: str
    reading: str
    available: bool = True
    reason: str = ""
    warning: str = ""  # what the reading warns about ("added noise", ...); empty: no concern

    @property
    def gain(self) -> float | None:
        """value / baseline - 1 when both are positive and finite, else None."""
        v, b = self.value, self.baseline
        if v is None or b is None or not (math.isfinite(v) and math.isfinite(b)) or b <= 0 or v < 0:
            return None
        return v / b - 1.0

    @property
    def better_than_baseline(self) -> bool | None:
        """True/False when comparable and a direction exists; None otherwise (or a tie)."""
        if self.direction == "none" or self.value is None or self.baseline is None:
            return None
        if self.value == self.baseline:
            return None
        return (self.value > self.baseline) == (self.direction == "higher")

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["gain"] = self.gain
        return out


@dataclass
class Rows:
    """The rows of one assessment, looked up by key, and what was measured (``meta``)."""

    rows: list[Score]
    meta: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Score]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, key: str) -> Score | None:
        """The row of ``key``, or None."""
        for row in self.rows:
            if row.key == key:
                return row
        return None

    def __getitem__(self, key: str) -> Score:
        row = self.get(key)
        if row is None:
            raise KeyError(key)
        return row

    def group(self, group: str) -> list[Score]:
        """The rows of one catalogue group, in report order."""
        return [row for row in self.rows if row.group == group]
