"""The verdict: one or two plain sentences that weigh a report's scores.

The verdict composes what each cue declares at its registration (``iqa.cues.base.Metric``, ``Warns``)
and names no cue. Rules (tested in ``tests/test_iqa_verdict.py``, measured on the validity suite):

* With a reference, the full-reference rows lead (``kind="fr"``): closer to or further from the
  truth than bicubic, each quoted by its summary.
* The sharpness level comes from the first available row that declares a ``level`` noun (edge slope, then edge contrast,
  then edge strength, then fine-detail energy): its warning's declared level ("softer", "same"), else
  "sharper"; quoted as a ratio over bicubic, "over 20x" above 20 (``iqa.cues.readings.RATIO_CAP``).
* The verdict says "sharper" only when nothing explains the gain away: no judged warning. Otherwise it
  names what was added ("sharper-looking, but with added noise": warnings declared ``added``, in their
  ``rank``) and what changed ("it magnifies the input's JPEG blocks": the others, as each says itself).
* The details quote the summaries of the rows: the added artefacts' first, then "no added noise, halos
  or blocks" (each row's ``clean`` word) when nothing was added, then the others'. Rows with an ``aside``
  (CLIP) are quoted in a clause of their own. A deep row's warning becomes a problem only once the
  validity suite has shown it agrees with the truth (``JUDGED_DEEP_ROWS``).
* An input too small (under 8 pixels a side) or too flat (luma spread under 1 grey level) gets
  no judgement: "Too small to judge: ..." (``iqa.assess.not_judged``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..catalog import METRICS
from ..cues.base import Metric, Warns
from ..cues.readings import ratio_text
from .rows import Rows, Score

__all__ = ["ADDED", "JUDGED_DEEP_ROWS", "Verdict", "judge"]


def _declared() -> dict[str, Warns]:
    """Every warning the catalogue declares, by name (one declaration per name)."""
    found: dict[str, Warns] = {}
    for metric in METRICS.values():
        for warns in metric.warns:
            if found.setdefault(warns.name, warns) != warns:
                raise ValueError(f"the warning {warns.name!r} is declared two ways")
    return found


_WARNS = _declared()
# Warnings that say the enlargement *added* something (named after "with"), in the order they are named.
ADDED: tuple[str, ...] = tuple(w.name for w in sorted((w for w in _WARNS.values() if w.added), key=lambda w: w.rank))
_LEVEL_RANK = {"softer": 0, "same": 1, "sharper": 2}
# Deep rows (CLIP, pyiqa's learned metrics) enter the problems only once the validity suite has measured that
# they agree with the truth (benchmarks/iqa_validity.py reports each one's agreement where its weights are
# present). None has been measured yet: their weights were absent where the suite ran. They are still quoted.
JUDGED_DEEP_ROWS: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Verdict:
    """The verdict's text and the judgement behind it (for comparisons and tests)."""

    text: str
    level: str | None  # "sharper" | "same" | "softer"; None without a sharpness cue
    problems: tuple[str, ...]  # every judged warning
    reference: str | None = None  # "closer" | "further" | "mixed"; None without a reference

    @property
    def clean(self) -> bool:
        """True when no row warns of anything added or changed."""
        return not self.problems

    def rank(self) -> tuple[int, int, int]:
        """Ordering used by :meth:`better_than`: reference, then clean, then sharpness level."""
        ref = {"closer": 2, "mixed": 1, None: 1, "further": 0}[self.reference]
        return ref, int(self.clean), _LEVEL_RANK.get(self.level or "same", 1)

    def better_than(self, other: Verdict) -> bool:
        """Whether this verdict reads better than ``other`` (strictly)."""
        return self.rank() > other.rank()


def _metric(row: Score) -> Metric | None:
    return METRICS.get(row.key.split(".")[0]) if "." not in row.key else None  # a family's part has no say


def _available(report: Rows) -> list[tuple[Score, Metric]]:
    """The available rows with a value and their catalogue entries, in report order."""
    return [(row, metric) for row in report.rows
            if row.available and row.value is not None and (metric := _metric(row)) is not None]


def _summary(row: Score, metric: Metric) -> str:
    return metric.summary(row) if metric.summary is not None else ""


def _level(rows: list[tuple[Score, Metric]]) -> tuple[str | None, str]:
    for row, metric in sorted(((r, m) for r, m in rows if m.level), key=lambda rm: list(METRICS).index(rm[1].key)):
        if row.baseline is None or not row.baseline > 0 or not math.isfinite(row.value):
            continue
        warns = _WARNS.get(row.warning)
        level = (warns.level if warns is not None and warns.level else "same") if row.warning else "sharper"
        return level, f"{ratio_text(row.value / row.baseline)} the {metric.level} of bicubic"
    return None, ""


def _reference(rows: list[tuple[Score, Metric]]) -> tuple[str | None, str]:
    rows = [(r, m) for r, m in rows if m.kind == "fr" and r.baseline is not None]
    if not rows:
        return None, ""
    better = [r.better_than_baseline for r, _ in rows]
    state = "closer" if all(b is not False for b in better) and any(better) else (
        "further" if not any(better) else "mixed")
    parts = [s for s in (_summary(r, m) for r, m in rows) if s]
    words = {"closer": "closer to the reference than bicubic",
             "further": "further from the reference than bicubic",
             "mixed": "against the reference, mixed"}[state]
    return state, f"{words[0].upper()}{words[1:]}: {', '.join(parts)}."


def _judged(row: Score) -> bool:
    warns = _WARNS.get(row.warning)
    if warns is not None and not warns.judged:
        return False
    metric = METRICS.get(row.key.split(".")[0])
    return not (metric is not None and metric.deep and row.key not in JUDGED_DEEP_ROWS)


def _problems(report: Rows) -> tuple[str, ...]:
    seen: list[str] = []
    for row in report.rows:
        if row.available and row.warning and _judged(row) and row.warning not in seen:
            seen.append(row.warning)
    # What was added first (in ADDED's order), then what changed, in report order.
    return tuple(sorted(seen, key=lambda w: (w not in ADDED, ADDED.index(w) if w in ADDED else seen.index(w))))


def _join(words: list[str], last: str = "and") -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


def _phrase(warning: str) -> str:
    warns = _WARNS.get(warning)
    return warns.phrase if warns is not None else warning


def _headline(level: str | None, problems: tuple[str, ...]) -> str:
    added = [_phrase(p) for p in problems if p in ADDED]
    changed = [_phrase(p) for p in problems if p not in ADDED]
    head = {"sharper": "Sharper than bicubic", "same": "No sharper than bicubic",
            "softer": "Softer than bicubic", None: "Compared with bicubic"}[level]
    if not problems:
        return head
    if level == "sharper":
        head = "Sharper-looking, but"
    else:
        head += ","
    clauses = []
    if added:
        clauses.append("with added " + _join(added))
    if changed:
        clauses.append("it " + _join(changed))
    return head + " " + ", and ".join(clauses)


def _adds(metric: Metric) -> bool:
    return any(w.added for w in metric.warns)


def _details(rows: list[tuple[Score, Metric]], level_text: str, problems: tuple[str, ...]) -> list[str]:
    quoted = [(r, m) for r, m in rows if m.kind != "fr" and not m.aside]
    details = [level_text] if level_text else []
    details += [s for s in (_summary(r, m) for r, m in quoted if _adds(m)) if s]
    clean = [m.clean for _, m in quoted if m.clean]
    if clean and not any(p in ADDED for p in problems):
        details.append("no added " + _join(clean, "or"))
    details += [s for s in (_summary(r, m) for r, m in quoted if not _adds(m)) if s]
    return details


def _asides(rows: list[tuple[Score, Metric]]) -> list[str]:
    clauses: dict[str, list[str]] = {}
    for row, metric in rows:
        if metric.aside and (said := _summary(row, metric)):
            clauses.setdefault(metric.aside, []).append(said)
    return [f"{label}: {', '.join(parts)}" for label, parts in clauses.items()]


def judge(report: Rows) -> Verdict:
    """The verdict for a report (any :class:`~iqa.report.rows.Rows`): text plus the level, problems and reference."""
    why = report.meta.get("not_judged")
    if why:  # a tiny or one-colour input: no ratio against bicubic means anything there
        return Verdict(why[0].upper() + why[1:] + ".", None, ())
    rows = _available(report)
    reference, lead = _reference(rows)
    level, level_text = _level(rows)
    problems = _problems(report)
    body = _headline(level, problems)
    details = _details(rows, level_text, problems)
    if details:
        body += ": " + ", ".join(details)
    for aside in _asides(rows):
        body += "; " + aside
    text = (lead + " " if lead else "") + body + "."
    return Verdict(text, level, problems, reference)
