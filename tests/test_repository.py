"""The repository stays lean: no file a Hugging Face Space would refuse, no training state, now or later."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SPACE_LIMIT = 10 * 1024 * 1024  # Spaces refuse a pushed file above 10 MB (binary files go through LFS/Xet)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def tracked() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (e.g. an exported Space folder): nothing is tracked")
    files = [ROOT / name for name in _git("ls-files", "-z").split("\0") if name]
    assert len(files) > 50  # a wrong root must not pass
    return files


def test_no_tracked_file_is_over_ten_megabytes(tracked):
    big = [f"{p.relative_to(ROOT)} ({p.stat().st_size / 2**20:.1f} MB)" for p in tracked
           if p.exists() and p.stat().st_size > SPACE_LIMIT]
    assert big == []


def test_no_training_state_is_tracked(tracked):
    """Optimiser moments make a state ~8x the weights; training resumes from the shipped weights instead."""
    states = [str(p.relative_to(ROOT)) for p in tracked
              if p.suffix in (".pt", ".pth", ".ckpt") and "fixtures" not in p.relative_to(ROOT).parts]
    assert states == []


@pytest.mark.parametrize("path", ["runs/edsr-baseline-lmliif/last.pt", "runs/new-run/last.pt", "runs/x/epoch-9.pth",
                                  "somewhere/model.ckpt"])
def test_training_states_are_ignored_wherever_a_run_writes_them(tracked, path):
    assert _git("check-ignore", "--no-index", path).strip() == path
