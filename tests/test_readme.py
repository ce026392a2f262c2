"""The README runs as written: its command-line and Python examples on a fresh copy of the repository's files,
its clone sizes as tools/repo_size.py measures them, and the CLI's tables within a 100-column terminal."""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

README = REPO / "README.md"
COLUMNS = 100  # the terminal the CLI's tables must fit (issue 39)


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def _commands() -> list[str]:
    """The README's ``liif`` command lines (installed by its set-up), comments dropped."""
    lines = [line.split("  #")[0].strip() for block in _blocks("bash") for line in block.splitlines()]
    return [line for line in lines if line.startswith("liif ")]


def _fresh_clone(tmp_path: Path) -> Path:
    """The repository's tracked files as they are now (uncommitted edits included), as a clone would hold them."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    clone = tmp_path / "clone"
    for name in filter(None, listed.decode().split("\0")):
        if (REPO / name).is_file():  # a file deleted but not yet committed is not in a clone either
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, clone / name)
    return clone


def _liif(clone: Path, command: str) -> subprocess.CompletedProcess:
    """Run a README ``liif ...`` line in ``clone``, with the clone's packages (``liif`` is ``studio.cli``)."""
    args = shlex.split(command)[1:]
    return subprocess.run([sys.executable, "-m", "studio.cli", *args], cwd=clone, capture_output=True, text=True,
                          timeout=600)


def test_the_examples_use_only_files_a_clone_has_or_a_path_that_says_it_is_hypothetical():
    commands = _commands()
    assert len(commands) >= 5
    hypothetical = [c for c in commands if "path/to/" in c]
    assert len(hypothetical) == 1 and "official-" in hypothetical[0]  # an official checkpoint: where it comes from
    assert "github.com/yinboc/liif" in README.read_text(encoding="utf-8")
    for command in commands:
        for name in re.findall(r"\b(examples/\S*)", command):
            assert (REPO / name).exists(), command


@pytest.mark.slow
def test_the_readme_runs_as_written_on_a_fresh_clone(tmp_path):
    """Every ``liif`` line and the Python example, in order, in a fresh copy; the tables they print fit."""
    clone = _fresh_clone(tmp_path)
    assert not (clone / "big.png").exists()
    for command in _commands():
        done = _liif(clone, command)
        if "path/to/" in command:  # the hypothetical checkpoint: one sentence, no traceback
            assert done.returncode != 0 and "not found" in done.stderr and "Traceback" not in done.stderr
            continue
        assert done.returncode == 0, (command, done.stderr[-2000:])
        if command.startswith("liif score"):
            _assert_the_score_table_fits(done.stdout)
    for block in _blocks("python"):
        done = subprocess.run([sys.executable, "-c", block], cwd=clone, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]


def _assert_the_score_table_fits(table: str) -> None:
    """The table's columns fit 100 columns (the verdict and each reading are sentences on lines of their own),
    and every range is whole."""
    import iqa

    lines = table.splitlines()
    columns = [line for line in lines if line and not line.startswith(("verdict:", "    "))]
    assert columns and max(map(len, columns)) <= COLUMNS, max(columns, key=len)
    shown = [m for m in iqa.METRICS.values() if any(line.startswith(m.name + " ") for line in columns)]
    assert len(shown) >= 5 and all(m.range in table for m in shown)


def test_the_metric_list_fits_a_terminal():
    out = subprocess.run([sys.executable, "-m", "studio.cli", "metrics"], cwd=REPO, capture_output=True, text=True,
                         check=True).stdout
    assert len(out.splitlines()) >= 10 and max(len(line) for line in out.splitlines()) <= COLUMNS


@pytest.mark.slow
def test_the_clone_sizes_are_the_tools(tmp_path):
    """The README's clone sizes are what tools/repo_size.py prints now (within 10%: each commit adds a little)."""
    quoted = re.search(r"\((\d+) MB against (\d+) MB for the whole history", README.read_text(encoding="utf-8"))
    assert quoted, "the README quotes the clone sizes"
    printed = subprocess.run([sys.executable, "tools/repo_size.py"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout
    measured = [float(x) for x in re.findall(r": (\d+) MB", printed)]
    assert len(measured) == 2
    for said, now in zip(map(float, quoted.groups()), measured, strict=True):
        assert abs(said - now) <= 0.1 * now, (said, now, printed)
