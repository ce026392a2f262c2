"""The whole project passes its own lint rules (pyproject's [tool.ruff]) with the ruff the test extra pins."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False)


def test_ruff_reports_nothing():
    result = _ruff("check", "--no-cache", "--output-format", "concise", ".")
    output = result.stdout + result.stderr  # stderr: ruff missing or its configuration unreadable
    assert result.returncode == 0, f"ruff found problems (its version: pip install -e '.[test]'):\n{output}"


def test_ruff_checks_every_package():
    """A wrong exclude or root must not turn the check above into a pass over nothing."""
    files = {Path(line).resolve() for line in _ruff("check", "--show-files", ".").stdout.splitlines()}
    for module in ("app.py", "liif/engine.py", "iqa/report/report.py", "studio/cli.py", "tests/test_lint.py",
                   "benchmarks/bench_engine.py", "tools/make_eval_tables.py", "tools/gpu_session.py"):
        assert ROOT / module in files, module
