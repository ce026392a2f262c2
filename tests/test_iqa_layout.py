"""iqa/ is a house one finds one's way in: grouped by family, each cue self-contained (issue 36).

* at most 12 top-level modules and packages;
* each offline cue's key is named in at most 2 files under iqa/ (the validity suite aside): the cue's own
  module registers it, with its statistics, reading and warnings; nothing else needs to know it;
* the verdict and the report name no cue key: they compose what the cues declare.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import iqa

IQA = Path(iqa.__file__).resolve().parent
MAX_TOP_LEVEL = 12
MAX_FILES_PER_KEY = 2


def _named(path: Path) -> set[str]:
    """The names and string literals of a Python file's code (not its comments or docstrings' prose)."""
    found: set[str] = set()
    for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
        if token.type == tokenize.NAME:
            found.add(token.string)
        elif token.type == tokenize.STRING:
            try:
                value = ast.literal_eval(token.string)
            except (ValueError, SyntaxError):  # an f-string: its literal text is not a name
                continue
            if isinstance(value, str):
                found.add(value)
    return found


def _sources(exclude: tuple[str, ...] = ("validity",)) -> dict[Path, set[str]]:
    return {path: _named(path) for path in sorted(IQA.rglob("*.py"))
            if path.relative_to(IQA).parts[0] not in exclude}


def test_at_most_twelve_top_level_modules():
    entries = sorted(p.name for p in IQA.iterdir()
                     if p.name not in ("__init__.py", "__pycache__") and (p.suffix == ".py" or p.is_dir()))
    assert len(entries) <= MAX_TOP_LEVEL, entries
    assert {"cues", "backends", "report", "validity"} <= set(entries)


def test_each_offline_cue_is_named_in_at_most_two_files():
    sources = _sources()
    offline = [key for key, metric in iqa.METRICS.items() if not metric.needs_weights]
    assert len(offline) > 15
    spread = {key: sorted(str(p.relative_to(IQA)) for p, names in sources.items() if key in names) for key in offline}
    too_many = {key: files for key, files in spread.items() if len(files) > MAX_FILES_PER_KEY}
    assert not too_many, too_many
    assert all(spread.values()), [key for key, files in spread.items() if not files]  # the count sees the keys


def test_the_verdict_and_the_report_name_no_cue():
    keys = set(iqa.METRICS)
    for name in ("verdict.py", "report.py", "rows.py"):
        named = _named(IQA / "report" / name) & keys
        assert not named, (name, named)


def test_a_cue_declares_what_the_verdict_says_of_it():
    """Every warning a row can raise is declared once, with the phrase the verdict uses."""
    from iqa.report.verdict import ADDED

    declared = [w for m in iqa.METRICS.values() for w in m.warns]
    names = {w.name for w in declared}
    assert {"added noise", "halos", "departs from the input", "texture lost"} <= names
    assert ADDED[0] == "added noise" and ADDED[-1] == "banding"
    assert all(w.phrase for w in declared)
