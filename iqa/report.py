"""The report: one object per (input, output, optional reference).

Every :class:`Score` carries its value, the value of the bicubic enlargement at the
same size (the baseline), which direction is better, the range, and a one-line
reading in plain language. The demo and the CLI both render this object.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Score", "Report"]


@dataclass(frozen=True)
class Score:
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


@dataclass
class Report:
    rows: list[Score]
    meta: dict[str, Any] = field(default_factory=dict)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def get(self, key: str) -> Score | None:
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
        return [row for row in self.rows if row.group == group]

    @property
    def verdict(self) -> str:
        """One or two plain sentences weighing the scores (see :mod:`iqa.verdict`)."""
        from .verdict import judge

        return judge(self).text

    def to_dict(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "meta": dict(self.meta),
                "rows": [row.to_dict() for row in self.rows]}

    def to_json(self, indent: int | None = 2) -> str:
        """Strict JSON: non-finite numbers (PSNR of identical images) become strings."""
        return json.dumps(_json_safe(self.to_dict()), indent=indent, allow_nan=False)

    def to_table(self) -> str:
        """A plain-text table, grouped, for terminals and logs."""
        headers = ("score", "value", "bicubic", "better", "range", "reading")
        range_width = 28

        def cells(row: Score) -> tuple[str, ...]:
            rng = row.range if len(row.range) <= range_width else row.range[: range_width - 1] + "~"
            reading = row.reading if row.available else f"unavailable: {row.reason}"
            return (row.name, _fmt(row.value), _fmt(row.baseline), _ARROW[row.direction], rng, reading)

        table = [cells(row) for row in self.rows]
        widths = [max(len(c[i]) for c in table + [headers]) for i in range(5)]

        def line(c: tuple[str, ...]) -> str:
            return "  ".join([c[i].ljust(widths[i]) for i in range(5)] + [c[5]]).rstrip()

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
