"""The report: one object per (input, output, optional reference).

Every :class:`Score` carries its value, the value of the bicubic enlargement at the
same size (the baseline), which direction is better, the range, and a one-line
reading in plain language. The demo and the CLI both render this object.

A :class:`Report` is its rows (``iqa.report.rows``, what the verdict reads) with the verdict
(``iqa.report.verdict``) and the renderings: this module sits above both.
"""

from __future__ import annotations

import json
import math
from typing import Any

from .rows import Rows, Score
from .verdict import judge

__all__ = ["Score", "Report"]


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "inf" if value > 0 else ("-inf" if value < 0 else "nan")
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if not math.isfinite(value):
        return "inf" if value > 0 else ("-inf" if value < 0 else "nan")
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:.0f}"
    if magnitude >= 100:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


_ARROW = {"higher": "higher", "lower": "lower", "none": "-"}


class Report(Rows):
    """The rows of one assessment with the verdict, and their renderings (dict, JSON, table)."""

    @property
    def verdict(self) -> str:
        """One or two plain sentences weighing the scores (see :mod:`iqa.report.verdict`)."""
        return judge(self).text

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "meta": dict(self.meta),
                "rows": [row.to_dict() for row in self.rows]}

    def to_json(self, indent: int | None = 2) -> str:
        """Strict JSON: non-finite numbers (PSNR of identical images) become strings."""
        return json.dumps(_json_safe(self.to_dict()), indent=indent, allow_nan=False)

    def to_table(self) -> str:
        """A plain-text table, grouped, for terminals and logs."""
        # Each row's reading on the line below it: the five columns fit a 100-column terminal, none cut.
        headers = ("score", "value", "bicubic", "better", "range", "reading")

        def cells(row: Score) -> tuple[str, ...]:
            reading = row.reading if row.available else f"unavailable: {row.reason}"
            return (row.name, _fmt(row.value), _fmt(row.baseline), _ARROW[row.direction], row.range, reading)

        table = [cells(row) for row in self.rows]
        widths = [max(len(c[i]) for c in table + [headers]) for i in range(5)]

        def line(c: tuple[str, ...]) -> str:
            return "  ".join(c[i].ljust(widths[i]) for i in range(5)).rstrip() + f"\n    {c[5]}".rstrip()

        out = [f"verdict: {self.verdict}", ""]
        m = self.meta
        if m:
            desc = f"output {m.get('output_size')}  input {m.get('input_size')}  scale x{m.get('scale', 0):.3g}"
            if m.get("reference_size"):
                desc += f"  reference {m.get('reference_size')}"
            out += [desc, "baseline: the input enlarged by bicubic to the output size", ""]
        out.append(line(headers))
        group = None
        for row, c in zip(self.rows, table, strict=True):
            if row.group != group:
                group = row.group
                out.append(f"[{group}]")
            out.append(line(c))
        return "\n".join(out)
